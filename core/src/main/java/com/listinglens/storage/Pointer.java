package com.listinglens.storage;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The {@code current} object of a tenant's pools (or a model's versions): which version to serve, and the
 * sha-256 of its manifest, so that a manifest replaced after publication is noticed.
 *
 * <p>Where artifacts are signed, the pointer carries its own signature (in the same object, so that a pointer and its
 * signature are written at once): over its kind, owner, version, manifest sha-256 and time. A signed manifest proves
 * what a version is; a signed pointer proves that a publisher chose to serve it then, so that whoever can write the
 * bucket cannot point the service at another version, and (with the time, see {@link #isOlderThan}) cannot replay an
 * older signed pointer to roll the service back.
 *
 * @param formatVersion  {@link #FORMAT_VERSION}
 * @param version        the version folder to serve
 * @param manifestSha256 sha-256 of that folder's manifest.json
 * @param publishedAt    when the pointer was moved
 * @param signature      the publisher's signature of the above, or null when unsigned
 */
public record Pointer(int formatVersion, String version, String manifestSha256, Instant publishedAt,
                      @JsonInclude(JsonInclude.Include.NON_NULL)
                      ManifestSignature signature) {

    public static final int FORMAT_VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    /** The signature kind of a tenant's pool pointer (a model's is {@link #MODEL_KIND}). */
    public static final String POOL_KIND = "pool-pointer";
    public static final String MODEL_KIND = "model-pointer";

    public static Pointer of(String version, String manifestSha256, Instant publishedAt) {
        return new Pointer(FORMAT_VERSION, version, manifestSha256, publishedAt, null);
    }

    /** What a pointer's signature covers besides kind, owner and version: the manifest's sha-256 and the time. */
    public byte[] signedPayload() {
        return (manifestSha256 + "\n" + (publishedAt == null ? "" : publishedAt.toString()) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** This pointer signed for {@code kind} ({@link #POOL_KIND} or {@link #MODEL_KIND}) and {@code owner}. */
    public Pointer signedBy(ManifestSigner signer, String kind, String owner) {
        if (publishedAt == null) {
            throw new IllegalArgumentException("a pointer without its time cannot be signed");
        }
        ManifestSignature s = ManifestSignature.parse(signer.sign(kind, owner, version, signedPayload()), "new pointer signature");
        return new Pointer(formatVersion, version, manifestSha256, publishedAt, s);
    }

    /**
     * Checks this pointer's signature for {@code kind}/{@code owner}.
     *
     * @throws ArtifactRefusedException {@link ManifestVerifier#UNSIGNED} or {@link ManifestVerifier#BAD_SIGNATURE}
     */
    public void verify(ManifestVerifier verifier, String kind, String owner, String where) {
        if (signature == null) {
            throw new ArtifactRefusedException(ManifestVerifier.UNSIGNED, "pointer " + where + " is not signed, and "
                    + "lens.storage.signing.public-key asks for signed artifacts (publish the version again with the signing key "
                    + "to sign its pointer)");
        }
        verifier.verify(kind, owner, version, signedPayload(), signature.toJson(), "pointer " + where);
    }

    /**
     * Whether this pointer was moved before {@code other} was: a signed pointer older than the one a replica serves is
     * a replay (a rollback is published as a new pointer, with a new time). False when either has no time.
     */
    public boolean isOlderThan(Pointer other) {
        return other != null && publishedAt != null && other.publishedAt() != null && publishedAt.isBefore(other.publishedAt());
    }

    /** Parses and checks a pointer; a pointer this service cannot trust is refused. */
    public static Pointer parse(byte[] bytes, String where) {
        Pointer p;
        try {
            JsonNode tree = JSON.readTree(bytes);
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
