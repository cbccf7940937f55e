package com.listinglens.storage;

/** The store could not be reached (network, credentials, timeouts): keep what is served, retry later. */
public class StorageUnavailableException extends StorageException {
    public StorageUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
