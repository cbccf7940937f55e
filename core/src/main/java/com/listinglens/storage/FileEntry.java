package com.listinglens.storage;

/** A file of a published version as its manifest lists it. */
public record FileEntry(String name, long bytes, String sha256) {
}
