package com.listinglens.eval;

import com.listinglens.catalog.Listing;
import com.listinglens.suggest.ListingSuggestion;
import com.listinglens.suggest.WeightClasses;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Per-field accuracy of suggestions against the truth of held-out listings. A field counts only for
 * uploads whose truth has it; a null suggestion counts as wrong in accuracy (and is reported as coverage).
 * "category level N" scores the path down to level N (for every upload whose true path is that deep);
 * "category leaf" needs the whole true path, no more and no less.
 *
 * <p>Use: {@link #add(Listing, ListingSuggestion)} each upload's truth and suggestion, then read {@link #table()} or a
 * field's {@link Tally}. Every upload is kept as an {@link UploadOutcome} ({@link #outcomes()}), so that a run can be
 * saved ({@link EvaluationResults}) and tallied again later with {@link #of}; the figures ({@link ReportFigures}),
 * reliability diagrams ({@link Reliability}) and confusions ({@link Confusions}) are drawn from those outcomes.
 */
public final class Scorecard {

    /** Tally of one field. */
    public static final class Tally {
        long evaluated;
        long answered;
        long correct;
        /** (confidence, 1 if right) of every answer that came with a confidence. */
        final List<double[]> scored = new ArrayList<>();

        void add(boolean answeredIt, boolean right) {
            add(answeredIt, right, null);
        }

        /**
         * One upload's outcome for this field: whether it answered, whether the answer was right, and its confidence
         * (null or NaN: none). Public for the bench module's experiments, which tally outcomes of their own.
         */
        public void add(boolean answeredIt, boolean right, Double confidence) {
            evaluated++;
            if (answeredIt) {
                answered++;
                if (right) {
                    correct++;
                }
                if (confidence != null && !confidence.isNaN()) {
                    scored.add(new double[]{confidence, right ? 1 : 0});
                }
            }
        }

        /**
         * Accuracy over the {@code coverage} share of uploads answered most confidently (the rest abstain): what the
         * field is worth when it answers that often. NaN when fewer answers than that carry a confidence.
         */
        public double accuracyAtCoverage(double coverage) {
            int keep = (int) Math.ceil(coverage * evaluated);
            if (keep == 0 || scored.size() < keep) {
                return Double.NaN;
            }
            List<double[]> sorted = new ArrayList<>(scored);
            sorted.sort((a, b) -> Double.compare(b[0], a[0]));
            double right = 0;
            for (int i = 0; i < keep; i++) {
                right += sorted.get(i)[1];
            }
            return right / keep;
        }

        /**
         * Expected calibration error of the answers' confidences: answers binned by confidence in {@code bins} equal
         * bins, the gap |accuracy - mean confidence| of each bin weighted by its share of answers.
         */
        public double expectedCalibrationError(int bins) {
            double[] conf = new double[scored.size()];
            boolean[] right = new boolean[scored.size()];
            for (int i = 0; i < conf.length; i++) {
                conf[i] = scored.get(i)[0];
                right[i] = scored.get(i)[1] > 0;
            }
            return Calibrator.expectedCalibrationError(conf, right, bins);
        }

        /** (confidence, 1 if right) of every answer that came with a confidence, in the order given. */
        public List<double[]> scored() {
            return scored.stream().map(double[]::clone).toList();
        }

        /** (coverage, accuracy) when answering only above each confidence, most confident first. */
        public List<double[]> curve() {
            List<double[]> sorted = new ArrayList<>(scored);
            sorted.sort((a, b) -> Double.compare(b[0], a[0]));
            List<double[]> points = new ArrayList<>();
            double right = 0;
            for (int i = 0; i < sorted.size(); i++) {
                right += sorted.get(i)[1];
                points.add(new double[]{(i + 1.0) / evaluated, right / (i + 1)});
            }
            return points;
        }

        /** Correct answers over all uploads with a truth (null answers are wrong). */
        public double accuracy() {
            return evaluated == 0 ? Double.NaN : (double) correct / evaluated;
        }

        /** Share of uploads with a truth that got an answer. */
        public double coverage() {
            return evaluated == 0 ? Double.NaN : (double) answered / evaluated;
        }

        /** Correct answers over answers given. */
        public double precision() {
            return answered == 0 ? Double.NaN : (double) correct / answered;
        }

        public long evaluated() {
            return evaluated;
        }
    }

    /** How a category path is shown in {@link FieldOutcome}s: its names, root first, joined by this. */
    public static final String PATH_SEPARATOR = " > ";

    private final WeightClasses weightClasses;
    private final Map<String, Tally> fields = new LinkedHashMap<>();
    private final List<UploadOutcome> outcomes = new ArrayList<>();
    private long uploads;

    /** A scorecard that scores suggestions against truths, with these weight classes for the weight field. */
    public Scorecard(WeightClasses weightClasses) {
        this.weightClasses = weightClasses;
    }

    /** The scorecard of outcomes scored before (such as saved {@link EvaluationResults}); it cannot {@link #score}. */
    public static Scorecard of(List<UploadOutcome> outcomes) {
        Scorecard card = new Scorecard(null);
        outcomes.forEach(card::add);
        return card;
    }

    /** Scores a suggestion against its upload's truth and tallies it. */
    public void add(Listing truth, ListingSuggestion s) {
        add(score(truth, s));
    }

    /** Tallies an upload scored before. */
    public synchronized void add(UploadOutcome outcome) {
        uploads++;
        outcomes.add(outcome);
        outcome.fields().forEach((field, o) -> tally(field).add(o.answered(), o.correct(), o.confidence()));
    }

    /**
     * How each field of a suggestion fares against the upload's truth, without tallying it. A field is there only when
     * the truth has it; a missing answer is an abstention (wrong).
     */
    public UploadOutcome score(Listing truth, ListingSuggestion s) {
        Map<String, FieldOutcome> out = new LinkedHashMap<>();
        List<String> path = s.category().names();
        List<String> trueCategory = truth.category();
        List<ListingSuggestion.CategoryLevel> levels = s.category().path() == null ? List.of() : s.category().path();
        for (int level = 0; level < trueCategory.size(); level++) {
            boolean answered = path.size() > level;
            out.put("category level " + (level + 1), new FieldOutcome(joined(trueCategory.subList(0, level + 1)),
                    answered ? joined(path.subList(0, level + 1)) : null, answered ? levels.get(level).confidence() : null,
                    answered && path.subList(0, level + 1).equals(trueCategory.subList(0, level + 1))));
        }
        if (!trueCategory.isEmpty()) {
            out.put("category leaf", new FieldOutcome(joined(trueCategory), path.isEmpty() ? null : joined(path),
                    levels.isEmpty() ? null : levels.get(levels.size() - 1).confidence(), path.equals(trueCategory)));
        }
        if (truth.title() != null) {
            out.put("title", new FieldOutcome(truth.title(), s.title().value(), s.title().confidence(),
                    truth.title().equals(s.title().value())));
        }
        if (truth.brand() != null) {
            out.put("brand", new FieldOutcome(truth.brand(), s.brand().value(), s.brand().confidence(),
                    truth.brand().equals(s.brand().value())));
        }
        if (truth.weightGrams() != null) {
            if (weightClasses == null) {
                throw new IllegalStateException("this scorecard has no weight classes to score weights with");
            }
            WeightClasses.WeightClass expected = weightClasses.classify(truth.weightGrams());
            WeightClasses.WeightClass got = s.weightClass().value();
            out.put("weight class", new FieldOutcome(expected.label(), got == null ? null : got.label(),
                    s.weightClass().confidence(), got != null && got.index() == expected.index()));
        }
        if (truth.price() != null) {
            ListingSuggestion.PriceBand band = s.priceBand();
            boolean answered = band.low() != null;
            out.put("price in band", new FieldOutcome(String.valueOf(truth.price()),
                    answered ? band.low() + " to " + band.high() : null, null,
                    answered && truth.price() >= band.low() && truth.price() <= band.high()));
        }
        return new UploadOutcome(truth.id(), truth.image(), out);
    }

    private static String joined(List<String> path) {
        return String.join(PATH_SEPARATOR, path);
    }

    private Tally tally(String field) {
        return fields.computeIfAbsent(field, f -> new Tally());
    }

    /** The tally of each field, in the order the fields were first seen. */
    public synchronized Map<String, Tally> fields() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    public synchronized Tally field(String name) {
        return fields.get(name);
    }

    /** Every tallied upload's outcome, in the order tallied. */
    public synchronized List<UploadOutcome> outcomes() {
        return List.copyOf(outcomes);
    }

    /** One field's outcome for each upload that had a truth for it, in the order tallied. */
    public synchronized List<FieldOutcome> outcomes(String field) {
        return outcomes.stream().map(o -> o.field(field)).filter(Objects::nonNull).toList();
    }

    public synchronized long uploads() {
        return uploads;
    }

    /** A table for people: accuracy (abstentions wrong), coverage, precision, accuracy at 90 % coverage, ECE. */
    public synchronized String table() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-18s %8s %9s %9s %9s %9s %7s%n", "field", "uploads", "accuracy", "coverage",
                "precision", "acc@90%", "ECE"));
        fields.forEach((name, t) -> b.append(String.format(Locale.ROOT, "%-18s %8d %8.1f%% %8.1f%% %8.1f%% %8s %7s%n",
                name, t.evaluated, 100 * t.accuracy(), 100 * t.coverage(), 100 * t.precision(),
                Double.isNaN(t.accuracyAtCoverage(0.9)) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * t.accuracyAtCoverage(0.9)),
                Double.isNaN(t.expectedCalibrationError(10)) ? "-" : String.format(Locale.ROOT, "%.3f", t.expectedCalibrationError(10)))));
        return b.toString();
    }

    /**
     * Runs side by side: per field (the union of the runs' fields, in first-seen order), each run's accuracy with its
     * standard error (sqrt(p(1-p)/n), abstentions wrong) and its ECE in 10 bins; "-" where a run lacks the field.
     */
    public static String comparison(List<String> labels, List<Scorecard> cards) {
        if (labels.size() != cards.size()) {
            throw new IllegalArgumentException(labels.size() + " labels for " + cards.size() + " scorecards");
        }
        LinkedHashSet<String> names = new LinkedHashSet<>();
        cards.forEach(c -> names.addAll(c.fields().keySet()));
        int width = Math.max(20, labels.stream().mapToInt(String::length).max().orElse(0) + 2);
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-18s", "acc. (SE), ECE"));
        labels.forEach(l -> b.append(String.format(Locale.ROOT, " %" + width + "s", l)));
        b.append(System.lineSeparator());
        for (String name : names) {
            b.append(String.format(Locale.ROOT, "%-18s", name));
            for (Scorecard card : cards) {
                Tally t = card.field(name);
                String cell = "-";
                if (t != null && t.evaluated > 0) {
                    double p = t.accuracy();
                    double ece = t.expectedCalibrationError(10);
                    cell = String.format(Locale.ROOT, "%.1f%% (%.1f)  %s", 100 * p, 100 * Math.sqrt(p * (1 - p) / t.evaluated),
                            Double.isNaN(ece) ? "    -" : String.format(Locale.ROOT, "%.3f", ece));
                }
                b.append(String.format(Locale.ROOT, " %" + width + "s", cell));
            }
            b.append(System.lineSeparator());
        }
        return b.toString();
    }
}
