package com.listinglens.api;

import com.listinglens.config.LensConfig;
import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The photos of a request, checked against the configured limits before anything decodes them: the 'photo' parts of
 * a multipart form, or one photo sent as the request body itself ({@code image/jpeg}, {@code image/png} or
 * {@code image/webp}: no multipart parsing, no temporary file).
 */
final class Uploads {

    /** The media types a photo sent as the whole request body may have. */
    static final List<String> RAW_TYPES = List.of("image/jpeg", "image/png", "image/webp");

    /** What a photo endpoint accepts as its request's Content-Type (the 415 problem lists them). */
    static final List<String> REQUEST_TYPES = List.of("multipart/form-data", "image/jpeg", "image/png", "image/webp");

    /** The request body's description in the OpenAPI document. */
    static final String RAW_BODY = "A multipart form of 'photo' parts, or one photo as the whole body (image/jpeg, image/png "
            + "or image/webp; no multipart parsing, no temporary file); at most lens.image.max-bytes a photo";

    private Uploads() {
    }

    static List<byte[]> photos(List<FileUpload> photos, LensConfig.Image limits) {
        if (photos == null || photos.isEmpty()) {
            throw new BadRequestProblem("no-photo", "No photo", 400,
                    "send the photos as multipart/form-data parts named 'photo'");
        }
        int max = limits.maxPhotos();
        if (photos.size() > max) {
            throw new BadRequestProblem("too-many-photos", "Too many photos", 413,
                    photos.size() + " photos sent; at most " + max + " per request");
        }
        long maxBytes = limits.maxBytes();
        List<byte[]> bytes = new ArrayList<>(photos.size());
        for (int i = 0; i < photos.size(); i++) {
            FileUpload upload = photos.get(i);
            if (upload.size() > maxBytes) {
                throw tooLarge("photo " + (i + 1) + " has " + upload.size() + " bytes", maxBytes);
            }
            try {
                bytes.add(Files.readAllBytes(upload.uploadedFile()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return bytes;
    }

    /** One photo sent as the request body: {@link #body(String, String, InputStream, LensConfig.Image)} with its headers. */
    static List<byte[]> body(HttpHeaders headers, InputStream body, LensConfig.Image limits) {
        return body(headers.getHeaderString(HttpHeaders.CONTENT_TYPE),
                headers.getHeaderString(HttpHeaders.CONTENT_LENGTH), body, limits);
    }

    /**
     * One photo sent as the request body, read into memory (never more than {@code lens.image.max-bytes} plus one
     * byte of it): a Content-Length over the limit is refused before any of the body is read.
     *
     * @param contentType   the request's Content-Type header (null when none was sent)
     * @param contentLength the request's Content-Length header (null for a chunked body)
     */
    static List<byte[]> body(String contentType, String contentLength, InputStream body, LensConfig.Image limits) {
        try {
            String type = mediaType(contentType);
            long declared = length(contentLength);
            if (type == null || !RAW_TYPES.contains(type)) {
                // no body at all is a missing photo whatever it claims to be (a bare POST has a form Content-Type)
                if (body == null || declared == 0 || (declared < 0 && body.read() < 0)) {
                    throw noPhoto();
                }
                throw unsupported(type == null ? "the request has no Content-Type" : "Content-Type " + type + " is not accepted");
            }
            long maxBytes = limits.maxBytes();
            if (declared > maxBytes || declared > Integer.MAX_VALUE - 16) {
                throw tooLarge("the photo has " + declared + " bytes", maxBytes);
            }
            byte[] bytes = body == null ? new byte[0] : declared >= 0 ? exactly(body, (int) declared)
                    : body.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 16));
            if (bytes.length > maxBytes) {
                throw tooLarge("the photo has more than " + maxBytes + " bytes", maxBytes);
            }
            if (bytes.length == 0) {
                throw noPhoto();
            }
            return List.of(bytes);
        } catch (IOException e) {
            // cut off or broken off by the client: as an unreadable multipart body is
            throw new BadRequestProblem("malformed-request", "Malformed request", 400,
                    "the request body could not be read: " + e.getMessage());
        }
    }

    private static byte[] exactly(InputStream body, int length) throws IOException {
        byte[] bytes = new byte[length];
        int n = body.readNBytes(bytes, 0, length);
        if (n < length) {
            throw new IOException("the body ended after " + n + " of the " + length + " bytes of its Content-Length");
        }
        return bytes;
    }

    /** type/subtype of a Content-Type, lower case, without parameters; null for none. */
    private static String mediaType(String contentType) {
        if (contentType == null) {
            return null;
        }
        int semicolon = contentType.indexOf(';');
        String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
        return type.isEmpty() ? null : type;
    }

    /** The Content-Length, or -1 when none (or an unreadable one: the HTTP layer has checked it already). */
    private static long length(String contentLength) {
        if (contentLength == null || contentLength.isBlank()) {
            return -1;
        }
        try {
            return Long.parseLong(contentLength.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static BadRequestProblem noPhoto() {
        return new BadRequestProblem("no-photo", "No photo", 400, "the request body is empty: send one photo as the body "
                + "(Content-Type image/jpeg, image/png or image/webp) or photos as multipart/form-data parts named 'photo'");
    }

    private static BadRequestProblem unsupported(String why) {
        return new BadRequestProblem("photo-unsupported-format", "Unsupported photo format", 415, why
                + ": send one photo as the body with Content-Type image/jpeg, image/png or image/webp, or photos "
                + "(JPEG, PNG, WebP, BMP or GIF) as multipart/form-data parts named 'photo'", REQUEST_TYPES);
    }

    private static BadRequestProblem tooLarge(String what, long maxBytes) {
        return new BadRequestProblem("photo-too-large-bytes", "Photo too large", 413,
                what + "; at most " + maxBytes + " are accepted");
    }
}
