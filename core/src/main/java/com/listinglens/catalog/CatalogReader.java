package com.listinglens.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a JSONL listing catalog (one JSON object a line). A line that cannot be a listing is reported
 * with its line number and skipped, never silently: the caller gets every {@link CatalogError}.
 */
public final class CatalogReader {

    private static final Set<String> KNOWN = Set.of("id", "image", "title", "category", "brand", "weight_grams", "price");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A catalog line that was rejected. */
    public record CatalogError(Path file, long line, String reason) {
        @Override
        public String toString() {
            return file + ":" + line + ": " + reason;
        }
    }

    /**
     * Everything read from one catalog: accepted listings in order (with the line each came from),
     * rejected lines with reasons, and the number of lines read.
     */
    public record Catalog(Path file, List<Listing> listings, List<Long> lineNumbers, List<CatalogError> errors, long lines) {

        /**
         * The photo files of {@code n} listings spread evenly over the catalog (the first, then every
         * size/n-th; all of them when it holds fewer), resolved against the catalog's folder: a sample that covers
         * every part of a catalog sorted by category, as the start-up probe wants.
         */
        public List<Path> spreadPhotos(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("n must be >= 0, got " + n);
            }
            Path root = file.toAbsolutePath().getParent();
            int take = Math.min(n, listings.size());
            List<Path> out = new ArrayList<>(take);
            for (int i = 0; i < take; i++) {
                out.add(root.resolve(listings.get((int) ((long) i * listings.size() / take)).image()));
            }
            return List.copyOf(out);
        }
    }

    private CatalogReader() {
    }

    public static Catalog read(Path file) {
        List<Listing> listings = new ArrayList<>();
        List<Long> lineNumbers = new ArrayList<>();
        List<CatalogError> errors = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        long lineNo = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    Listing listing = parse(line);
                    if (!seen.add(listing.id())) {
                        throw new IllegalArgumentException("duplicate id '" + listing.id() + "'");
                    }
                    listings.add(listing);
                    lineNumbers.add(lineNo);
                } catch (IllegalArgumentException e) {
                    errors.add(new CatalogError(file, lineNo, e.getMessage()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read catalog " + file + ": " + e.getMessage(), e);
        }
        return new Catalog(file, List.copyOf(listings), List.copyOf(lineNumbers), List.copyOf(errors), lineNo);
    }

    /** Parses one catalog line; throws IllegalArgumentException with a reason a person can act on. */
    public static Listing parse(String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (IOException e) {
            throw new IllegalArgumentException("not valid JSON: " + firstLine(e.getMessage()));
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        String id = requiredText(node, "id");
        String image = requiredText(node, "image");
        Map<String, Object> extra = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!KNOWN.contains(field.getKey()) && !field.getValue().isNull()) {
                extra.put(field.getKey(), JSON.convertValue(field.getValue(), Object.class));
            }
        }
        return new Listing(id, image,
                optionalText(node, "title"),
                category(node),
                optionalText(node, "brand"),
                optionalNumber(node, "weight_grams", false),
                optionalNumber(node, "price", true),
                extra);
    }

    private static String requiredText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException("missing required field '" + field + "'");
        }
        if (!value.isTextual() && !value.isNumber()) {
            throw new IllegalArgumentException("field '" + field + "' must be a string");
        }
        String text = value.asText().strip();
        if (text.isEmpty()) {
            throw new IllegalArgumentException("field '" + field + "' is empty");
        }
        return text;
    }

    private static String optionalText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isValueNode() || value.isBoolean()) {
            throw new IllegalArgumentException("field '" + field + "' must be a string");
        }
        String text = value.asText().strip();
        return text.isEmpty() ? null : text;
    }

    private static Double optionalNumber(JsonNode node, String field, boolean zeroAllowed) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        double number;
        if (value.isNumber()) {
            number = value.asDouble();
        } else if (value.isTextual()) {
            try {
                number = Double.parseDouble(value.asText().strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("field '" + field + "' must be a number, got '" + value.asText() + "'");
            }
        } else {
            throw new IllegalArgumentException("field '" + field + "' must be a number");
        }
        if (!Double.isFinite(number) || number < 0 || (!zeroAllowed && number == 0)) {
            throw new IllegalArgumentException("field '" + field + "' must be a positive number, got " + value);
        }
        return number;
    }

    private static List<String> category(JsonNode node) {
        JsonNode value = node.get("category");
        if (value == null || value.isNull()) {
            return List.of();
        }
        List<String> path = new ArrayList<>();
        if (value.getNodeType() == JsonNodeType.STRING) {
            for (String part : value.asText().split(">")) {
                if (!part.isBlank()) {
                    path.add(part.strip());
                }
            }
            return path;
        }
        if (!value.isArray()) {
            throw new IllegalArgumentException("field 'category' must be an array of strings (root first)");
        }
        for (JsonNode part : value) {
            if (!part.isTextual() || part.asText().isBlank()) {
                throw new IllegalArgumentException("field 'category' must hold non-empty strings only");
            }
            path.add(part.asText().strip());
        }
        return path;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
