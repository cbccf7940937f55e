package com.listinglens.pool;

/**
 * A pool that cannot be written, read or served, with the reason: a short slug ({@link #reason()}) for metrics
 * and the message for people.
 */
public class PoolException extends RuntimeException {

    public static final String INVALID = "invalid-pool";
    public static final String UNKNOWN_FORMAT = "unknown-format";
    public static final String OTHER_SPACE = "other-embedding-space";
    public static final String CHECKSUM = "checksum-mismatch";
    public static final String SIZE = "size-mismatch";
    /** The pool folded the change log less far than it was trimmed: the changes in between cannot be replayed. */
    public static final String LOG_TRIMMED = "change-log-trimmed";

    private final String reason;

    public PoolException(String message) {
        this(INVALID, message);
    }

    public PoolException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public PoolException(String message, Throwable cause) {
        super(message, cause);
        this.reason = INVALID;
    }

    public String reason() {
        return reason;
    }
}
