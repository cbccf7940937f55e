package com.listinglens.storage;

/**
 * An artifact was fetched but fails its checks (checksum, size, format version, embedding space): it must not
 * be served. {@link #reason()} is a short machine-readable slug used as a metric tag.
 */
public class ArtifactRefusedException extends StorageException {

    private final String reason;

    public ArtifactRefusedException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public ArtifactRefusedException(String reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
