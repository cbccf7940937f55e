package com.listinglens.suggest;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A weighted vote: each neighbour adds its weight to the value it carries. Ties go to the value that
 * was voted for first (the nearer neighbour), so the outcome never depends on hash order.
 */
final class Vote<T> {

    private final Map<T, Double> tally = new LinkedHashMap<>();
    private double total;

    void add(T value, double weight) {
        tally.merge(value, weight, Double::sum);
        total += weight;
    }

    double total() {
        return total;
    }

    boolean isEmpty() {
        return tally.isEmpty();
    }

    /** The winner and its weight, if anyone voted. */
    Optional<Map.Entry<T, Double>> winner() {
        Map.Entry<T, Double> best = null;
        for (Map.Entry<T, Double> e : tally.entrySet()) {
            if (best == null || e.getValue() > best.getValue()) {
                best = e;
            }
        }
        return Optional.ofNullable(best);
    }
}
