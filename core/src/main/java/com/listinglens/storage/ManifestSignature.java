package com.listinglens.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The signature of a version's manifest, stored beside it as {@code manifest.json.sig}: an Ed25519 signature
 * (base64) over the exact bytes of {@code manifest.json} as published, bound to where it was published for
 * ({@code kind}/{@code owner}/{@code version}: "pools"/tenant/pool version, "models"/name/version), so that a signed
 * manifest copied to another tenant, model or version does not verify. The manifest lists every file with its size
 * and sha-256, so the signature covers them all. {@code keyId}, {@code kind}, {@code owner} and {@code version} here
 * are informative: a verifier signs nothing it reads from this file, it rebuilds the signed message from where it
 * found the manifest.
 */
public record ManifestSignature(int formatVersion, String algorithm, String keyId, String kind, String owner, String version,
                                String signature) {

    public static final int FORMAT_VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String DOMAIN = "listing-lens manifest signature v1\n";

    /** The bytes signed: a fixed domain string, kind, owner and version (one line each), then the manifest. */
    public static byte[] message(String kind, String owner, String version, byte[] manifest) {
        byte[] head = (DOMAIN + Layout.segment("kind", kind) + "\n" + Layout.segment("owner", owner) + "\n"
                + Layout.segment("version", version) + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[head.length + manifest.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(manifest, 0, out, head.length, manifest.length);
        return out;
    }

    /** Parses a signature file; one that cannot be read is refused as a bad signature. */
    public static ManifestSignature parse(byte[] bytes, String where) {
        try {
            JsonNode tree = JSON.readTree(bytes);
            if (tree == null || !tree.isObject()) {
                throw new ArtifactRefusedException(ManifestVerifier.BAD_SIGNATURE, where + " is not a JSON object");
            }
            if (tree.path("formatVersion").asInt(-1) != FORMAT_VERSION) {
                throw new ArtifactRefusedException(ManifestVerifier.BAD_SIGNATURE, where + " has format version "
                        + tree.path("formatVersion") + "; this service reads version " + FORMAT_VERSION);
            }
            ManifestSignature s = JSON.treeToValue(tree, ManifestSignature.class);
            if (s.signature() == null || s.algorithm() == null) {
                throw new ArtifactRefusedException(ManifestVerifier.BAD_SIGNATURE, where + " lacks its algorithm or signature");
            }
            return s;
        } catch (IOException e) {
            throw new ArtifactRefusedException(ManifestVerifier.BAD_SIGNATURE, where + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
