package com.listinglens.pool;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Names and helpers of the pool directory layout. */
public final class PoolFiles {

    public static final String MANIFEST = "manifest.json";
    public static final String INDEX = "index.faiss";
    public static final String LISTINGS = "listings.jsonl";

    static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private PoolFiles() {
    }

    public static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve(MANIFEST));
    }

    public static Manifest readManifest(Path dir) {
        Path file = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(file)) {
            throw new PoolException("no pool at " + dir.toAbsolutePath() + ": " + MANIFEST + " is missing");
        }
        try {
            Manifest manifest = JSON.readValue(file.toFile(), Manifest.class);
            if (manifest.formatVersion() != Manifest.FORMAT_VERSION) {
                throw new PoolException("pool " + dir + " has format version " + manifest.formatVersion()
                        + "; this service reads version " + Manifest.FORMAT_VERSION);
            }
            return manifest;
        } catch (IOException e) {
            throw new PoolException("pool manifest " + file + " is unreadable: " + e.getMessage(), e);
        }
    }

    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the manifest (last file of a pool build: its presence marks a complete pool). */
    public static void writeManifest(Path dir, Manifest manifest) {
        try {
            JSON.writeValue(dir.resolve(MANIFEST).toFile(), manifest);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write manifest in " + dir, e);
        }
    }

    public static Manifest.FileRef describeFile(Path file) {
        try {
            return new Manifest.FileRef(file.getFileName().toString(), Files.size(file), sha256(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
