package com.listinglens.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.listinglens.eval.EvaluationResults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Saved {@link EvaluationResults} as JSON, the file {@code lens evaluate --results} writes and {@code --compare} reads:
 * <pre>
 * {"header": {"format": 1, "label": "stock",
 *             "setup": {"catalog": ..., "catalogSha256": ..., "poolVersion": ..., "poolListings": ..., "model": ...,
 *                       "precision": ..., "photosPerUpload": 1, "createdAt": ...},
 *             "uploads": 296, "fields": {"category leaf": {"evaluated": 296, "answered": 296, "correct": 242}, ...}},
 *  "uploads": [{"id": ..., "image": ..., "fields": {"category leaf": {"truth": "Fruit &gt; Apple &gt; Gala",
 *               "answer": "Fruit &gt; Apple &gt; Pink", "confidence": 0.61, "correct": false}, ...}}, ...]}
 * </pre>
 * An answer of null is an abstention. Unknown properties are ignored, so older readers read newer files of the same
 * format.
 */
public final class ResultsFile {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private ResultsFile() {
    }

    /** Writes the results, creating the folder. */
    public static void write(Path file, EvaluationResults results) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        JSON.writeValue(file.toFile(), results);
    }

    /** Reads results written by {@link #write}; refuses a newer format or a file that is not results. */
    public static EvaluationResults read(Path file) throws IOException {
        EvaluationResults results;
        try {
            results = JSON.readValue(file.toFile(), EvaluationResults.class);
        } catch (JacksonException | IllegalArgumentException e) {
            throw new IOException(file + " is not evaluation results: " + e.getMessage(), e);
        }
        if (results.header().format() > EvaluationResults.FORMAT) {
            throw new IOException(file + " has results format " + results.header().format() + "; this version reads up to "
                    + EvaluationResults.FORMAT);
        }
        return results;
    }
}
