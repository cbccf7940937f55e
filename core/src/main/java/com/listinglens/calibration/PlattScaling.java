package com.listinglens.calibration;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * Platt scaling of a confidence (no I/O): {@code p' = 1 / (1 + exp(-(a * logit(p) + b)))}, a monotone map, so the
 * ranking of answers (and accuracy at any coverage) is unchanged while the numbers come to mean what they say.
 * Fitted on (confidence, right or wrong) pairs of held-out uploads by Newton's method on the log loss, with Platt's
 * smoothed targets ((N+ + 1) / (N+ + 2) for right answers, 1 / (N- + 2) for wrong ones) so that a small or
 * one-sided calibration set cannot drive the map to 0 or 1.
 *
 * @param a slope on logit(p) (1 with b = 0 is the identity; below 1 softens over-confident shares)
 * @param b offset
 */
public record PlattScaling(double a, double b) {

    /** Confidences are clipped to [EPS, 1 - EPS] before the logit (a unanimous vote is 1.0). */
    public static final double EPS = 1e-3;

    public PlattScaling {
        if (!Double.isFinite(a) || !Double.isFinite(b)) {
            throw new IllegalArgumentException("Platt scaling needs finite a and b, got " + a + ", " + b);
        }
    }

    public static PlattScaling identity() {
        return new PlattScaling(1, 0);
    }

    /** a = 1, b = 0: confidences pass unchanged (no clipping either). */
    @JsonIgnore
    public boolean isIdentity() {
        return a == 1 && b == 0;
    }

    public double apply(double p) {
        if (Double.isNaN(p) || isIdentity()) {
            return p;
        }
        return sigmoid(a * logit(p) + b);
    }

    static double logit(double p) {
        double c = Math.min(1 - EPS, Math.max(EPS, p));
        return Math.log(c / (1 - c));
    }

    private static double sigmoid(double z) {
        return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }

    /** Fits a and b to the pairs (at least 2, not all of one kind are needed thanks to the smoothed targets). */
    public static PlattScaling fit(double[] confidence, boolean[] right) {
        if (confidence.length != right.length || confidence.length < 2) {
            throw new IllegalArgumentException("Platt scaling needs at least 2 (confidence, outcome) pairs of equal count");
        }
        int n = confidence.length;
        double positives = 0;
        for (boolean r : right) {
            positives += r ? 1 : 0;
        }
        double hi = (positives + 1) / (positives + 2);
        double lo = 1 / (n - positives + 2);
        double[] x = new double[n];
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(confidence[i])) {
                throw new IllegalArgumentException("confidence " + i + " is " + confidence[i]);
            }
            x[i] = logit(confidence[i]);
            t[i] = right[i] ? hi : lo;
        }
        double a = 1;
        double b = 0;
        double loss = loss(x, t, a, b);
        for (int iter = 0; iter < 100; iter++) {
            double ga = 0;
            double gb = 0;
            double haa = 1e-9;
            double hab = 0;
            double hbb = 1e-9;
            for (int i = 0; i < n; i++) {
                double p = sigmoid(a * x[i] + b);
                double g = p - t[i];
                double w = p * (1 - p);
                ga += g * x[i];
                gb += g;
                haa += w * x[i] * x[i];
                hab += w * x[i];
                hbb += w;
            }
            double det = haa * hbb - hab * hab;
            if (Math.abs(det) < 1e-12) {
                break;
            }
            double da = (hbb * ga - hab * gb) / det;
            double db = (haa * gb - hab * ga) / det;
            // backtracking: Newton steps can overshoot far from the optimum
            double step = 1;
            double next = loss(x, t, a - step * da, b - step * db);
            while (next > loss && step > 1e-6) {
                step /= 2;
                next = loss(x, t, a - step * da, b - step * db);
            }
            if (next > loss) {
                break;
            }
            a -= step * da;
            b -= step * db;
            boolean converged = loss - next < 1e-12;
            loss = next;
            if (converged) {
                break;
            }
        }
        return new PlattScaling(a, b);
    }

    private static double loss(double[] x, double[] t, double a, double b) {
        double l = 0;
        for (int i = 0; i < x.length; i++) {
            double z = a * x[i] + b;
            // log(1 + exp(z)) - t z, stable for either sign of z
            l += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - t[i] * z;
        }
        return l / x.length;
    }
}
