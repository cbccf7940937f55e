package com.listinglens.eval;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One evaluation run kept for later: a header that says what was evaluated (a label for people, the catalog, the pool
 * and the query model) and every upload's {@link UploadOutcome}. {@code lens evaluate} saves one per run as JSON, so
 * that runs with different models, made one after the other, can be drawn side by side ({@code --compare}).
 *
 * <p>Make one with {@link #of}, which counts the header's totals from the outcomes; read the scores back with
 * {@link #scorecard()}. This class holds data only; reading and writing the JSON is the command line's.
 */
public record EvaluationResults(Header header, List<UploadOutcome> uploads) {

    /** The version of this layout; a reader refuses files of a newer one. */
    public static final int FORMAT = 1;

    public EvaluationResults {
        if (header == null) {
            throw new IllegalArgumentException("an evaluation's results need a header");
        }
        uploads = uploads == null ? List.of() : List.copyOf(uploads);
    }

    /**
     * What was evaluated and how it went, in totals.
     *
     * @param format  {@link #FORMAT} when written
     * @param label   the name people see for this run (a column of the figures), such as {@code stock} or {@code trained}
     * @param setup   the catalog, pool and model of the run
     * @param uploads how many uploads were evaluated
     * @param fields  per field (in the scorecard's order), how many uploads had a truth, got an answer, got it right
     */
    public record Header(int format, String label, Setup setup, long uploads, Map<String, Counts> fields) {
        public Header {
            fields = fields == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        }
    }

    /**
     * The run's inputs.
     *
     * @param catalog         the catalog of uploads, as given
     * @param catalogSha256   its digest, to tell whether two runs saw the same uploads
     * @param poolVersion     the pool's version
     * @param poolListings    listings in the pool
     * @param model           the query model's name
     * @param precision       the query model's precision (int8, fp32)
     * @param photosPerUpload photos sent together per upload
     * @param createdAt       when the run finished (ISO-8601)
     */
    public record Setup(String catalog, String catalogSha256, String poolVersion, long poolListings, String model,
                        String precision, int photosPerUpload, String createdAt) {
    }

    /** Uploads of one field that had a truth, got an answer, and got it right (abstentions count as wrong). */
    public record Counts(long evaluated, long answered, long correct) {
    }

    /** Results of a run, with the header's totals counted from the outcomes. */
    public static EvaluationResults of(String label, Setup setup, List<UploadOutcome> uploads) {
        Map<String, long[]> totals = new LinkedHashMap<>();
        for (UploadOutcome upload : uploads) {
            upload.fields().forEach((field, o) -> {
                long[] t = totals.computeIfAbsent(field, f -> new long[3]);
                t[0]++;
                t[1] += o.answered() ? 1 : 0;
                t[2] += o.correct() ? 1 : 0;
            });
        }
        Map<String, Counts> fields = new LinkedHashMap<>();
        totals.forEach((field, t) -> fields.put(field, new Counts(t[0], t[1], t[2])));
        return new EvaluationResults(new Header(FORMAT, label, setup, uploads.size(), fields), uploads);
    }

    /** The label people see for this run. */
    public String label() {
        return header.label();
    }

    /** The scorecard of these outcomes, as the run printed it. */
    public Scorecard scorecard() {
        return Scorecard.of(uploads);
    }
}
