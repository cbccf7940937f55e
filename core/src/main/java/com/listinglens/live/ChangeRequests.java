package com.listinglens.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.listinglens.catalog.CatalogReader;
import com.listinglens.catalog.Listing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;

/**
 * A batch of live changes as newline-delimited JSON, one change per line, all checked before anything is applied:
 * <pre>
 * {"op": "add", "listing": {catalog line: id, image, title, ...}, "photos": ["base64 JPEG/PNG/WebP", ...]}
 * {"op": "remove", "id": "listing id"}
 * </pre>
 * Blank lines are skipped. Any bad line makes the whole batch invalid, with every bad line named. {@link #read} takes
 * the batch as a stream, line by line, so that a caller holds one line (and what it made of the earlier ones) rather
 * than the whole body; {@link #parse} takes it as a string. No I/O but the reader given.
 */
public final class ChangeRequests {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One requested change, with its line number (from 1). */
    public sealed interface Request permits AddRequest, RemoveRequest {
        int line();
    }

    public record AddRequest(int line, Listing listing, List<byte[]> photos) implements Request {
    }

    public record RemoveRequest(int line, String listingId) implements Request {
    }

    /** The batch cannot be applied; {@link #errors()} names every bad line. */
    public static final class InvalidBatchException extends IllegalArgumentException {
        private final List<String> errors;

        public InvalidBatchException(List<String> errors) {
            super(errors.size() + " bad line(s): " + String.join("; ", errors.subList(0, Math.min(10, errors.size())))
                    + (errors.size() > 10 ? "; ..." : ""));
            this.errors = List.copyOf(errors);
        }

        public List<String> errors() {
            return errors;
        }
    }

    private ChangeRequests() {
    }

    /**
     * Reads a batch. {@code maxChanges}, {@code maxPhotos} and {@code maxPhotoBytes} bound it; an empty batch is invalid.
     */
    public static List<Request> parse(String body, int maxChanges, int maxPhotos, long maxPhotoBytes) {
        List<Request> out = new ArrayList<>();
        try {
            read(new BufferedReader(new StringReader(body == null ? "" : body)), maxChanges, maxPhotos, maxPhotoBytes, out::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);   // a StringReader does not fail
        }
        return out;
    }

    /**
     * Reads a batch line by line, handing each good change to {@code each} as soon as its line is read, while no bad line
     * has been seen (once one has, the rest is only checked, so that every bad line is named). Stops reading at the
     * first line past {@code maxChanges}.
     *
     * @return the number of changes handed on
     * @throws InvalidBatchException a line was bad, there were too many, or none
     * @throws IOException           from the reader (the client's body broke off)
     */
    public static int read(BufferedReader in, int maxChanges, int maxPhotos, long maxPhotoBytes, Consumer<Request> each)
            throws IOException {
        List<String> errors = new ArrayList<>();
        int good = 0;
        int line = 0;
        String raw;
        while ((raw = in.readLine()) != null) {
            line++;
            String text = raw.strip();
            if (text.isEmpty()) {
                continue;
            }
            if (good + errors.size() >= maxChanges) {
                errors.add("more than " + maxChanges + " changes in one batch; split it");
                break;
            }
            Request r;
            try {
                r = parseLine(line, text, maxPhotos, maxPhotoBytes);
            } catch (IllegalArgumentException e) {
                errors.add("line " + line + ": " + e.getMessage());
                continue;
            }
            good++;
            if (errors.isEmpty()) {
                each.accept(r);
            }
        }
        if (good == 0 && errors.isEmpty()) {
            errors.add("the batch holds no change");
        }
        if (!errors.isEmpty()) {
            throw new InvalidBatchException(errors);
        }
        return good;
    }

    static Request parseLine(int line, String text, int maxPhotos, long maxPhotoBytes) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException("not valid JSON");
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("a change is a JSON object");
        }
        String op = node.path("op").asText("");
        switch (op) {
            case "remove" -> {
                JsonNode id = node.get("id");
                if (id == null || !id.isTextual() || id.asText().isBlank()) {
                    throw new IllegalArgumentException("a removal needs \"id\": the listing id");
                }
                return new RemoveRequest(line, id.asText().strip());
            }
            case "add" -> {
                JsonNode listing = node.get("listing");
                if (listing == null || !listing.isObject()) {
                    throw new IllegalArgumentException("an addition needs \"listing\": a catalog line (id, image, title, ...)");
                }
                Listing parsed = CatalogReader.parse(listing.toString());
                JsonNode photos = node.get("photos");
                if (photos == null || !photos.isArray() || photos.isEmpty()) {
                    throw new IllegalArgumentException("an addition needs \"photos\": one or more base64 photos");
                }
                if (photos.size() > maxPhotos) {
                    throw new IllegalArgumentException(photos.size() + " photos; at most " + maxPhotos);
                }
                List<byte[]> bytes = new ArrayList<>();
                for (JsonNode p : photos) {
                    if (!p.isTextual()) {
                        throw new IllegalArgumentException("photos are base64 strings");
                    }
                    // base64 is 4/3 of the bytes: refuse oversized photos before decoding them
                    if ((long) p.asText().length() * 3 / 4 > maxPhotoBytes + 3) {
                        throw new IllegalArgumentException("a photo is larger than " + maxPhotoBytes + " bytes");
                    }
                    try {
                        bytes.add(Base64.getMimeDecoder().decode(p.asText()));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("a photo is not valid base64");
                    }
                }
                return new AddRequest(line, parsed, List.copyOf(bytes));
            }
            default -> throw new IllegalArgumentException("\"op\" must be \"add\" or \"remove\", got '" + op + "'");
        }
    }
}
