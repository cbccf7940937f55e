package com.listinglens.image;

/**
 * A photo that is refused before or during decoding. The message is meant for the person who uploaded it;
 * {@link #reason()} is what an HTTP layer maps to a status (413 for the TOO_ ones, 415 for UNSUPPORTED_FORMAT,
 * 400/422 for EMPTY and CORRUPT).
 */
public class ImageRejectedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public enum Reason {
        /** No bytes at all. */
        EMPTY,
        /** Not a JPEG, PNG, WebP, BMP or GIF (or a variant of one that cannot be decoded, e.g. animated WebP). */
        UNSUPPORTED_FORMAT,
        /** The encoded file is larger than {@link ImageSettings#maxBytes()}. */
        TOO_LARGE_BYTES,
        /** The header announces more pixels (or a longer side) than allowed; nothing was decoded. */
        TOO_MANY_PIXELS,
        /** Looks like a supported format but is damaged or truncated. */
        CORRUPT
    }

    private final Reason reason;

    public ImageRejectedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public ImageRejectedException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
