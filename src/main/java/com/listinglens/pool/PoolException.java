package com.listinglens.pool;

/** A pool that cannot be written, read or served, with the reason. */
public class PoolException extends RuntimeException {
    public PoolException(String message) {
        super(message);
    }

    public PoolException(String message, Throwable cause) {
        super(message, cause);
    }
}
