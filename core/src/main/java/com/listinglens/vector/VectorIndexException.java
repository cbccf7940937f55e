package com.listinglens.vector;

/**
 * A vector index operation failed inside FAISS or the native binding: FAISS refused the request,
 * an index file is corrupt or of an unsupported kind, native memory ran out, or file I/O failed.
 *
 * <p>Bad arguments are reported as {@link IllegalArgumentException} and calls on a closed (or
 * otherwise unusable) index as {@link IllegalStateException}; everything else that goes wrong in
 * the native layer surfaces as this exception.
 */
public class VectorIndexException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public VectorIndexException(String message) {
        super(message);
    }

    public VectorIndexException(String message, Throwable cause) {
        super(message, cause);
    }
}
