package com.listinglens.eval;

import com.listinglens.catalog.Listing;
import com.listinglens.suggest.ListingSuggestion;
import com.listinglens.suggest.WeightClasses;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Per-field accuracy of suggestions against the truth of held-out listings. A field counts only for
 * uploads whose truth has it; a null suggestion counts as wrong in accuracy (and is reported as coverage).
 * "category level N" scores the path down to level N (for every upload whose true path is that deep);
 * "category leaf" needs the whole true path, no more and no less.
 */
public final class Scorecard {

    /** Tally of one field. */
    public static final class Tally {
        long evaluated;
        long answered;
        long correct;

        void add(boolean answeredIt, boolean right) {
            evaluated++;
            if (answeredIt) {
                answered++;
                if (right) {
                    correct++;
                }
            }
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

    private final WeightClasses weightClasses;
    private final Map<String, Tally> fields = new LinkedHashMap<>();
    private long uploads;

    public Scorecard(WeightClasses weightClasses) {
        this.weightClasses = weightClasses;
    }

    public synchronized void add(Listing truth, ListingSuggestion s) {
        uploads++;
        List<String> path = s.category().names();
        List<String> trueCategory = truth.category();
        for (int level = 0; level < trueCategory.size(); level++) {
            boolean answered = path.size() > level;
            tally("category level " + (level + 1))
                    .add(answered, answered && path.subList(0, level + 1).equals(trueCategory.subList(0, level + 1)));
        }
        if (!trueCategory.isEmpty()) {
            tally("category leaf").add(!path.isEmpty(), path.equals(trueCategory));
        }
        if (truth.title() != null) {
            tally("title").add(s.title().value() != null, truth.title().equals(s.title().value()));
        }
        if (truth.brand() != null) {
            tally("brand").add(s.brand().value() != null, truth.brand().equals(s.brand().value()));
        }
        if (truth.weightGrams() != null) {
            WeightClasses.WeightClass expected = weightClasses.classify(truth.weightGrams());
            WeightClasses.WeightClass got = s.weightClass().value();
            tally("weight class").add(got != null, got != null && got.index() == expected.index());
        }
        if (truth.price() != null) {
            ListingSuggestion.PriceBand band = s.priceBand();
            boolean answered = band.low() != null;
            tally("price in band").add(answered, answered && truth.price() >= band.low() && truth.price() <= band.high());
        }
    }

    private Tally tally(String field) {
        return fields.computeIfAbsent(field, f -> new Tally());
    }

    public synchronized Map<String, Tally> fields() {
        return Map.copyOf(fields);
    }

    public synchronized Tally field(String name) {
        return fields.get(name);
    }

    public synchronized long uploads() {
        return uploads;
    }

    /** A table for people. */
    public synchronized String table() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-18s %9s %9s %9s %9s%n", "field", "uploads", "accuracy", "coverage", "precision"));
        fields.forEach((name, t) -> b.append(String.format(Locale.ROOT, "%-18s %9d %8.1f%% %8.1f%% %8.1f%%%n",
                name, t.evaluated, 100 * t.accuracy(), 100 * t.coverage(), 100 * t.precision())));
        return b.toString();
    }
}
