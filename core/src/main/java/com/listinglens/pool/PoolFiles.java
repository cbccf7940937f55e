package com.listinglens.pool;

import com.fasterxml.jackson.databind.JsonNode;
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
    /** Listings as catalog lines (pool format 1, and pools written by hand). */
    public static final String LISTINGS = "listings.jsonl";
    /** Listings as a memory-mapped store ({@link ListingStore}, pool format 2). */
    public static final String LISTING_STORE = "listings.bin";
    /**
     * The index's rows at full precision (little-endian fp32, memory-mapped) for re-ranking a compressed index's
     * candidates; fp16 rows moved similarities by about 1e-4, enough to flip near-tied votes (bench/pool-scale.sh).
     */
    public static final String INDEX_VECTORS = "index-vectors.f32";
    /**
     * The same rows in 8 bits a component (per-dimension ranges, {@link Sq8Rows}): a quarter of the fp32 rows, small
     * enough to stay resident, so that many candidates can be re-ranked cheaply before the fp32 rows decide the best few.
     */
    public static final String INDEX_VECTORS_SQ8 = "index-vectors.sq8";
    /**
     * The live changes a build folded, compacted to each listing's last ({@link com.listinglens.live.FoldedChanges}):
     * the next build starts from them, so the change log can be trimmed once every serving pool has folded it.
     */
    public static final String LIVE_CHANGES = "live-changes.ndjson";

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
            return parseManifest(Files.readAllBytes(file), dir.toString());
        } catch (IOException e) {
            throw new PoolException("pool manifest " + file + " is unreadable: " + e.getMessage(), e);
        }
    }

    /**
     * Parses a manifest. One of another format version is refused before its fields are read: a newer
     * builder may have changed what they mean.
     */
    public static Manifest parseManifest(byte[] json, String where) {
        try {
            JsonNode tree = JSON.readTree(json);
            if (tree == null || !tree.isObject()) {
                throw new PoolException("pool manifest of " + where + " is not a JSON object");
            }
            int format = tree.path("formatVersion").asInt(-1);
            if (format < Manifest.MIN_FORMAT_VERSION || format > Manifest.FORMAT_VERSION) {
                throw new PoolException(PoolException.UNKNOWN_FORMAT, "pool " + where + " has format version "
                        + tree.path("formatVersion") + "; this service reads versions " + Manifest.MIN_FORMAT_VERSION + " to "
                        + Manifest.FORMAT_VERSION);
            }
            Manifest manifest = JSON.treeToValue(tree, Manifest.class);
            if (manifest.poolVersion() == null || manifest.model() == null || manifest.dimension() <= 0) {
                throw new PoolException("pool manifest of " + where + " lacks its version, model or dimension");
            }
            return manifest;
        } catch (IOException e) {
            throw new PoolException("pool manifest of " + where + " is unreadable: " + e.getMessage(), e);
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
    public static byte[] manifestBytes(Manifest manifest) {
        try {
            return JSON.writeValueAsBytes(manifest);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

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
