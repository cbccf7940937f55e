package com.listinglens.storage;

/**
 * This machine could not write what it fetched (a full or read-only cache disk): not the store's fault and not the
 * artifact's, so the version is not refused; the next sync tries again.
 */
public class LocalStorageException extends StorageException {

    public LocalStorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
