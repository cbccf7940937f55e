package com.listinglens.cache;

/** Redis could not be reached in time, or is resting after a failure; the reason says which. */
public class StoreUnavailableException extends RuntimeException {
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
