package com.listinglens.embedding;


import java.util.Arrays;
import java.util.Locale;

/**
 * Whether two variants of a model (fp32 and int8, or a model and its re-export) embed into one space (no I/O): over
 * the same photos, the cosine between the two embeddings of each photo, and how far each photo's nearest neighbours
 * among the other photos stay the same when both sides are embedded by the candidate instead of the reference.
 * Embeddings are L2-normalised rows.
 */
public final class VariantCheck {

    /**
     * @param photos            photos compared
     * @param meanCosine        mean cosine between a photo's two embeddings
     * @param minCosine         the lowest
     * @param p1Cosine          its 1st percentile
     * @param k                 neighbours compared per photo
     * @param neighbourOverlap  mean share of a photo's k nearest (reference) that are among its k nearest (candidate)
     * @param topOneAgreement   share of photos whose nearest other photo is the same under both
     */
    public record Result(int photos, double meanCosine, double minCosine, double p1Cosine, int k, double neighbourOverlap,
                         double topOneAgreement) {

        /** Why the candidate is refused against these minimums, or null when it passes. */
        public String refusal(double minMeanCosine, double minNeighbourOverlap) {
            StringBuilder why = new StringBuilder();
            if (meanCosine < minMeanCosine) {
                why.append(String.format(Locale.ROOT, "mean cosine %.4f is under %.4f", meanCosine, minMeanCosine));
            }
            if (neighbourOverlap < minNeighbourOverlap) {
                if (!why.isEmpty()) {
                    why.append("; ");
                }
                why.append(String.format(Locale.ROOT, "top-%d neighbour overlap %.3f is under %.3f", k, neighbourOverlap,
                        minNeighbourOverlap));
            }
            return why.isEmpty() ? null : why.toString();
        }
    }

    private VariantCheck() {
    }

    public static Result compare(float[][] reference, float[][] candidate, int k) {
        int n = reference.length;
        if (candidate.length != n) {
            throw new IllegalArgumentException(n + " reference embeddings but " + candidate.length + " candidate ones");
        }
        if (n < 2) {
            throw new IllegalArgumentException("comparing variants needs at least 2 photos");
        }
        if (k < 1 || k > n - 1) {
            throw new IllegalArgumentException("k must lie in [1, photos - 1 = " + (n - 1) + "], got " + k);
        }
        int d = reference[0].length;
        for (int i = 0; i < n; i++) {
            if (reference[i].length != d || candidate[i].length != d) {
                throw new IllegalArgumentException("photo " + i + ": embeddings of dimension " + reference[i].length + " and "
                        + candidate[i].length + ", expected " + d + " for both");
            }
        }
        double[] cos = new double[n];
        for (int i = 0; i < n; i++) {
            cos[i] = Vectors.dot(reference[i], candidate[i]);
        }
        double[] sorted = cos.clone();
        Arrays.sort(sorted);
        double mean = Arrays.stream(cos).average().orElse(Double.NaN);
        double overlap = 0;
        int topOne = 0;
        for (int i = 0; i < n; i++) {
            int[] a = nearest(reference, i, k);
            int[] b = nearest(candidate, i, k);
            int shared = 0;
            for (int x : a) {
                for (int y : b) {
                    if (x == y) {
                        shared++;
                        break;
                    }
                }
            }
            overlap += (double) shared / k;
            topOne += a[0] == b[0] ? 1 : 0;
        }
        return new Result(n, mean, sorted[0], sorted[(int) Math.floor(0.01 * (n - 1))], k, overlap / n, (double) topOne / n);
    }

    /** The k rows most similar to row {@code i} (itself excluded), best first; ties by lower index. */
    static int[] nearest(float[][] rows, int i, int k) {
        int[] best = new int[k];
        double[] score = new double[k];
        Arrays.fill(best, -1);
        Arrays.fill(score, Double.NEGATIVE_INFINITY);
        for (int j = 0; j < rows.length; j++) {
            if (j == i) {
                continue;
            }
            double s = Vectors.dot(rows[i], rows[j]);
            if (s <= score[k - 1]) {
                continue;
            }
            int p = k - 1;
            while (p > 0 && s > score[p - 1]) {
                score[p] = score[p - 1];
                best[p] = best[p - 1];
                p--;
            }
            score[p] = s;
            best[p] = j;
        }
        return best;
    }
}
