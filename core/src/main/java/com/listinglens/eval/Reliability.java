package com.listinglens.eval;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A reliability diagram's numbers for one field: the answers binned by confidence into equal-width bins over [0, 1],
 * and per bin how many answers fell in it, their mean confidence and how many of them were right. A calibrated field
 * has each bin's accuracy near its mean confidence (the diagonal).
 *
 * <p>Bins are closed below and open above, {@code [i/n, (i+1)/n)}, except the last, which holds 1.0; a confidence
 * outside [0, 1] falls in the nearest end bin. These are the bins of {@link Calibrator#expectedCalibrationError}, so
 * {@link #ece()} equals the ECE of {@link Scorecard#table()} for the same answers and bin count.
 *
 * <p>Only answers that carry a confidence are binned. An abstention has none: it is counted in {@link #abstained()}
 * (the scorecard counts it wrong in accuracy, but it has no place on a confidence axis); an answer without a
 * confidence is counted in {@link #unscored()}.
 *
 * <p>Use: {@code Reliability.of(scorecard.outcomes("category leaf"), 10)}.
 */
public record Reliability(List<Bin> bins, int binned, int abstained, int unscored, double ece) {

    /**
     * One bin: the confidence range {@code [low, high)}, how many answers fell in it, their mean confidence and their
     * accuracy (both NaN when the bin is empty).
     */
    public record Bin(double low, double high, int count, int right, double meanConfidence, double accuracy) {

        /** |accuracy - mean confidence|; NaN for an empty bin. */
        public double gap() {
            return Math.abs(accuracy - meanConfidence);
        }

        public boolean isEmpty() {
            return count == 0;
        }
    }

    public Reliability {
        bins = List.copyOf(bins);
    }

    /** The diagram of one field's outcomes (any order), in {@code bins} equal bins. */
    public static Reliability of(Collection<FieldOutcome> outcomes, int bins) {
        int abstained = 0;
        int unscored = 0;
        List<FieldOutcome> scored = new ArrayList<>();
        for (FieldOutcome o : outcomes) {
            if (!o.answered()) {
                abstained++;
            } else if (!o.scored()) {
                unscored++;
            } else {
                scored.add(o);
            }
        }
        double[] confidence = new double[scored.size()];
        boolean[] right = new boolean[scored.size()];
        for (int i = 0; i < confidence.length; i++) {
            confidence[i] = scored.get(i).confidence();
            right[i] = scored.get(i).correct();
        }
        Reliability r = of(confidence, right, bins);
        return new Reliability(r.bins, r.binned, abstained, unscored, r.ece);
    }

    /** The diagram of answers given as parallel arrays of confidence and rightness. */
    public static Reliability of(double[] confidence, boolean[] right, int bins) {
        if (bins < 1) {
            throw new IllegalArgumentException("a reliability diagram needs at least one bin, not " + bins);
        }
        if (confidence.length != right.length) {
            throw new IllegalArgumentException(confidence.length + " confidences for " + right.length + " verdicts");
        }
        double[] sum = new double[bins];
        int[] count = new int[bins];
        int[] rightCount = new int[bins];
        for (int i = 0; i < confidence.length; i++) {
            int b = binOf(confidence[i], bins);
            sum[b] += confidence[i];
            count[b]++;
            rightCount[b] += right[i] ? 1 : 0;
        }
        List<Bin> out = new ArrayList<>(bins);
        double ece = 0;
        for (int b = 0; b < bins; b++) {
            double mean = count[b] == 0 ? Double.NaN : sum[b] / count[b];
            double accuracy = count[b] == 0 ? Double.NaN : (double) rightCount[b] / count[b];
            out.add(new Bin((double) b / bins, (double) (b + 1) / bins, count[b], rightCount[b], mean, accuracy));
            if (count[b] > 0) {
                ece += Math.abs(rightCount[b] - sum[b]) / confidence.length;
            }
        }
        return new Reliability(out, confidence.length, 0, 0, confidence.length == 0 ? Double.NaN : ece);
    }

    /** The bin of a confidence: {@code floor(c * bins)}, with 1.0 (and above) in the last bin and below 0 in the first. */
    public static int binOf(double confidence, int bins) {
        return Math.min(bins - 1, Math.max(0, (int) Math.floor(confidence * bins)));
    }

    /** Answers with a truth for this field: binned, abstained and unscored together. */
    public int evaluated() {
        return binned + abstained + unscored;
    }
}
