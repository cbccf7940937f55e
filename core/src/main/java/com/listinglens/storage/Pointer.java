package com.listinglens.storage;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * The {@code current} object of a tenant's pools (or a model's versions): which version to serve, and the
 * sha-256 of its manifest, so that a manifest replaced after publication is noticed.
 *
 * @param formatVersion  {@link #FORMAT_VERSION}
 * @param version        the version folder to serve
 * @param manifestSha256 sha-256 of that folder's manifest.json
 * @param publishedAt    when the pointer was moved
 */
public record Pointer(int formatVersion, String version, String manifestSha256, Instant publishedAt) {

    public static final int FORMAT_VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    public static Pointer of(String version, String manifestSha256, Instant publishedAt) {
        return new Pointer(FORMAT_VERSION, version, manifestSha256, publishedAt);
    }

    /** Parses and checks a pointer; a pointer this service cannot trust is refused. */
    public static Pointer parse(byte[] bytes, String where) {
        Pointer p;
        try {
            com.fasterxml.jackson.databind.JsonNode tree = JSON.readTree(bytes);
            if (tree == null || !tree.isObject()) {
                throw new ArtifactRefusedException("unreadable-pointer", "pointer " + where + " is not a JSON object");
            }
            // the format first: a newer publisher may have added or changed fields
            if (!tree.path("formatVersion").isMissingNode() && !tree.path("formatVersion").isIntegralNumber()) {
                throw new ArtifactRefusedException("unreadable-pointer", "pointer " + where + " has no integer formatVersion");
            }
            if (tree.path("formatVersion").asInt(-1) != FORMAT_VERSION) {
                throw new ArtifactRefusedException("unknown-format", "pointer " + where + " has format version "
                        + tree.path("formatVersion") + "; this service reads version " + FORMAT_VERSION);
            }
            p = JSON.treeToValue(tree, Pointer.class);
        } catch (IOException e) {
            throw new ArtifactRefusedException("unreadable-pointer", "pointer " + where + " is not valid JSON: " + e.getMessage(), e);
        }
        if (!Layout.isSegment(p.version())) {
            throw new ArtifactRefusedException("unreadable-pointer", "pointer " + where + " names no valid version: '" + p.version() + "'");
        }
        if (p.manifestSha256() == null || !p.manifestSha256().matches("[0-9a-f]{64}")) {
            throw new ArtifactRefusedException("unreadable-pointer", "pointer " + where + " has no valid manifest sha-256");
        }
        return p;
    }

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
