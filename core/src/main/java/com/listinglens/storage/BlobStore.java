package com.listinglens.storage;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where models and pools are kept: a bucket (S3 or any store speaking its protocol) or a local folder, possibly a
 * read-only volume. Keys are '/'-separated paths laid out by {@link Layout}. Every method throws
 * {@link StorageUnavailableException} when the store cannot be reached, so that callers can keep serving what
 * they have and retry later.
 */
public interface BlobStore extends AutoCloseable {

    /** A small object (pointer, manifest) in memory; empty when there is none. */
    Optional<byte[]> read(String key);

    /** Streams an object into {@code target} (replaced); throws {@link BlobNotFoundException} when absent. */
    void download(String key, Path target);

    /** Stores a file under {@code key}; big files go up in parts. */
    void upload(Path file, String key);

    /** Stores a small object. */
    void write(String key, byte[] bytes);

    /** Size of an object, empty when absent. */
    Optional<Long> size(String key);

    /** Keys starting with {@code prefix}. */
    List<String> list(String prefix);

    void delete(String key);

    /**
     * The object as a local file that may be read in place (a folder store), or empty when it must be
     * downloaded first (a bucket).
     */
    default Optional<Path> localFile(String key) {
        return Optional.empty();
    }

    /** Where this store is, for logs and health ("s3://bucket/prefix", "file:/srv/lens"). */
    String describe();

    @Override
    default void close() {
    }
}
