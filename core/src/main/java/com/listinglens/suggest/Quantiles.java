package com.listinglens.suggest;

import java.util.Arrays;
import java.util.Comparator;

/** Weighted quantiles, pure. */
final class Quantiles {

    private Quantiles() {
    }

    /**
     * The weighted q-quantile of values: the smallest value whose cumulative weight reaches q of the total
     * (q = 0 gives the minimum, q = 1 the maximum).
     */
    static double weighted(double[] values, double[] weights, double q) {
        if (values.length == 0 || values.length != weights.length) {
            throw new IllegalArgumentException("need as many weights as values, and at least one value");
        }
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("quantile must be in [0, 1], got " + q);
        }
        Integer[] order = new Integer[values.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> values[i]));
        double total = 0;
        for (double w : weights) {
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException("weights must be finite and >= 0");
            }
            total += w;
        }
        if (q == 0 || total == 0) {
            return values[order[0]];
        }
        double target = q * total;
        double cumulative = 0;
        for (Integer i : order) {
            cumulative += weights[i];
            if (cumulative >= target - 1e-12 * total) {
                return values[i];
            }
        }
        return values[order[order.length - 1]];
    }
}
