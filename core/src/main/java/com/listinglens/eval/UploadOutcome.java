package com.listinglens.eval;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The outcome of one evaluated upload: its catalog id and photo, and per field it had a truth for (keyed by the
 * {@link Scorecard}'s field names, such as {@code "category leaf"}, in the scorecard's order) how it was answered.
 * {@link Scorecard#score} makes one from a truth and a suggestion; {@link Scorecard#of} tallies a list of them again.
 */
public record UploadOutcome(String id, String image, Map<String, FieldOutcome> fields) {

    public UploadOutcome {
        fields = fields == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** The outcome of one field, or null when the upload had no truth for it. */
    public FieldOutcome field(String name) {
        return fields.get(name);
    }
}
