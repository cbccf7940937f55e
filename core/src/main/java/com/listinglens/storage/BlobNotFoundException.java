package com.listinglens.storage;

/** The store answered, but holds no object under the key. */
public class BlobNotFoundException extends StorageException {
    public BlobNotFoundException(String key, String store) {
        super("no object '" + key + "' in " + store);
    }
}
