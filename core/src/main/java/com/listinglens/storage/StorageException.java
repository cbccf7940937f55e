package com.listinglens.storage;

/** Something went wrong with the artifact store or an artifact in it. */
public class StorageException extends RuntimeException {
    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
