package com.listinglens.embedding;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Picks the inference path to serve from what {@link PathProbe} measured (no I/O): the fastest path whose embeddings
 * agree with fp32's on the probe photos. fp32 is the reference and always qualifies when it ran; an int8 path
 * qualifies when its mean cosine to fp32 and the overlap of the photos' nearest neighbours reach the same minimums
 * that {@code lens check-model} applies to a model's variants.
 *
 * <pre>{@code
 * PathChoice choice = PathChoice.choose(trials, 0.98, 0.7);
 * choice.chosen().path();   // e.g. int8/fbgemm on an AVX-512 VNNI CPU, fp32 on an AVX2 one
 * choice.summary();         // one line per path: speed, agreement, verdict
 * }</pre>
 *
 * @param chosen the trial of the path to serve
 * @param trials every path tried, fastest first, each with its verdict
 * @param reason why the chosen path was chosen, in words
 */
public record PathChoice(Trial chosen, List<Verdict> trials, String reason) {

    /**
     * What one path measured.
     *
     * @param path the path
     * @param photosPerSecond photos (all views) embedded per second on one thread at the service's batch size; NaN when
     *     it could not run
     * @param meanCosine mean cosine of its embeddings to fp32's over the probe photos (1 for fp32); NaN when unmeasured
     * @param minCosine the lowest of them
     * @param neighbourOverlap mean share of each probe photo's nearest other photos that fp32 and this path agree on
     * @param error why it could not run (the engine refused, the model failed), or null
     */
    public record Trial(InferencePath path, double photosPerSecond, double meanCosine, double minCosine, double neighbourOverlap,
                        String error) {

        public static Trial failed(InferencePath path, String error) {
            return new Trial(path, Double.NaN, Double.NaN, Double.NaN, Double.NaN, error);
        }

        public String figures() {
            if (error != null) {
                return "could not run: " + error;
            }
            return String.format(Locale.ROOT, "%.1f photos/s, cosine to fp32 mean %.4f min %.4f, neighbour overlap %.3f",
                    photosPerSecond, meanCosine, minCosine, neighbourOverlap);
        }
    }

    /** A trial and what became of it: null refusal when it qualified. */
    public record Verdict(Trial trial, String refusal) {
        public boolean qualified() {
            return refusal == null;
        }
    }

    /**
     * @throws IllegalArgumentException when no trial qualifies (fp32 did not run)
     */
    public static PathChoice choose(List<Trial> trials, double minMeanCosine, double minNeighbourOverlap) {
        List<Verdict> verdicts = new ArrayList<>();
        for (Trial t : trials) {
            verdicts.add(new Verdict(t, refusal(t, minMeanCosine, minNeighbourOverlap)));
        }
        verdicts.sort(Comparator.comparing((Verdict v) -> v.trial().error() != null)
                .thenComparing(v -> -(Double.isNaN(v.trial().photosPerSecond()) ? 0 : v.trial().photosPerSecond())));
        Optional<Verdict> best = verdicts.stream().filter(Verdict::qualified).findFirst();
        if (best.isEmpty()) {
            throw new IllegalArgumentException("no inference path qualified: " + summary(verdicts));
        }
        Trial chosen = best.get().trial();
        String reason;
        if (verdicts.size() == 1) {
            reason = chosen.path().label() + ": the only path tried";
        } else {
            Optional<Verdict> fasterRefused = verdicts.stream().takeWhile(v -> v.trial() != chosen).filter(v -> !v.qualified()).findFirst();
            reason = chosen.path().label() + ": the fastest of " + verdicts.size() + " paths that agrees with fp32"
                    + fasterRefused.map(v -> " (" + v.trial().path().label() + " was faster but " + v.refusal() + ")").orElse("");
        }
        return new PathChoice(chosen, List.copyOf(verdicts), reason);
    }

    private static String refusal(Trial t, double minMeanCosine, double minNeighbourOverlap) {
        if (t.error() != null) {
            return "it could not run (" + t.error() + ")";
        }
        if (!(t.photosPerSecond() > 0)) {
            return "it embedded nothing in its time";
        }
        if (!t.path().isInt8()) {
            return null;
        }
        List<String> why = new ArrayList<>();
        if (!(t.meanCosine() >= minMeanCosine)) {
            why.add(String.format(Locale.ROOT, "its mean cosine to fp32 %.4f is under %.4f", t.meanCosine(), minMeanCosine));
        }
        if (!(t.neighbourOverlap() >= minNeighbourOverlap)) {
            why.add(String.format(Locale.ROOT, "its neighbour overlap %.3f is under %.3f", t.neighbourOverlap(), minNeighbourOverlap));
        }
        return why.isEmpty() ? null : String.join(" and ", why);
    }

    /** One line per path: label, figures, verdict. */
    public String summary() {
        return summary(trials);
    }

    private static String summary(List<Verdict> verdicts) {
        StringBuilder b = new StringBuilder();
        for (Verdict v : verdicts) {
            if (!b.isEmpty()) {
                b.append("; ");
            }
            b.append(v.trial().path().label()).append(": ").append(v.trial().figures())
                    .append(v.qualified() ? "" : ", refused: " + v.refusal());
        }
        return b.toString();
    }
}
