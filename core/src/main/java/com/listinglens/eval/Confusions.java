package com.listinglens.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The most frequent wrong answers of one field: (truth, answer) pairs counted over the uploads the {@link Scorecard}
 * counts wrong, most frequent first. An abstention is wrong, as in the scorecard's accuracy, and shows as a pair whose
 * answer is null ({@link Pair#abstained()}).
 *
 * <p>Ties are broken by the truth, then the answer, in text order, with abstentions after answers, so that the list
 * is the same however the uploads were ordered. Use: {@code Confusions.of(scorecard.outcomes("category leaf"), 12)}.
 *
 * @param top           the {@code limit} most frequent pairs
 * @param wrong         all wrong answers (abstentions included)
 * @param distinctPairs how many different (truth, answer) pairs those are
 * @param evaluated     uploads with a truth for the field
 */
public record Confusions(List<Pair> top, long wrong, int distinctPairs, long evaluated) {

    /**
     * A true value answered as another {@code count} times, out of {@code truthUploads} uploads with that truth.
     * {@code answer} is null for abstentions.
     */
    public record Pair(String truth, String answer, long count, long truthUploads) {

        public boolean abstained() {
            return answer == null;
        }

        /** The share of the truth's uploads that got this answer. */
        public double share() {
            return (double) count / truthUploads;
        }
    }

    /** The order of the list: most frequent first, then by truth and answer (abstentions last). */
    public static final Comparator<Pair> ORDER = Comparator.comparingLong(Pair::count).reversed()
            .thenComparing(Pair::truth)
            .thenComparing(Pair::answer, Comparator.nullsLast(Comparator.naturalOrder()));

    public Confusions {
        top = List.copyOf(top);
    }

    /** The {@code limit} most frequent wrong (truth, answer) pairs of one field's outcomes. */
    public static Confusions of(Collection<FieldOutcome> outcomes, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0, not " + limit);
        }
        Map<String, Long> perTruth = new HashMap<>();
        Map<List<String>, Long> pairs = new LinkedHashMap<>();
        long wrong = 0;
        for (FieldOutcome o : outcomes) {
            perTruth.merge(o.truth(), 1L, Long::sum);
            if (!o.correct()) {
                wrong++;
                pairs.merge(Arrays.asList(o.truth(), o.answer()), 1L, Long::sum);
            }
        }
        List<Pair> all = new ArrayList<>();
        pairs.forEach((k, n) -> all.add(new Pair(k.get(0), k.get(1), n, perTruth.get(k.get(0)))));
        all.sort(ORDER);
        return new Confusions(all.subList(0, Math.min(limit, all.size())), wrong, all.size(), outcomes.size());
    }
}
