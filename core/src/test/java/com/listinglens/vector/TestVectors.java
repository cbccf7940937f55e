package com.listinglens.vector;

import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;

/** Random data, brute-force k-NN and recall for the vector tests. */
final class TestVectors {

    private TestVectors() {}

    /** n x d floats, uniform in [-1, 1). */
    static float[] random(int n, int d, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n * d];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat() * 2 - 1;
        }
        return x;
    }

    /** Distinct non-negative ids, deliberately not 0..n-1. */
    static long[] ids(int n, long seed) {
        Random r = new Random(seed);
        Set<Long> seen = new HashSet<>();
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            long id;
            do {
                id = r.nextLong(1L << 50);
            } while (!seen.add(id));
            ids[i] = id;
        }
        return ids;
    }

    static long[] sequentialIds(int n, long base) {
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = base + i;
        }
        return ids;
    }

    static float score(float[] x, int i, float[] q, int j, int d, Metric metric) {
        double s = 0;
        for (int c = 0; c < d; c++) {
            float a = x[i * d + c];
            float b = q[j * d + c];
            s += metric == Metric.L2 ? (double) (a - b) * (a - b) : (double) a * b;
        }
        return (float) s;
    }

    /** Exact top-k positions (indexes into x) for each query; best first. */
    static int[][] bruteForce(float[] x, int n, float[] q, int nq, int d, int k, Metric metric) {
        int[][] out = new int[nq][];
        for (int j = 0; j < nq; j++) {
            final int jj = j;
            float[] s = new float[n];
            for (int i = 0; i < n; i++) {
                s[i] = score(x, i, q, jj, d, metric);
            }
            Comparator<Integer> byScore = metric == Metric.L2
                    ? Comparator.comparingDouble(i -> s[i])
                    : Comparator.comparingDouble(i -> -s[i]);
            out[j] = IntStream.range(0, n).boxed().sorted(byScore).limit(k).mapToInt(Integer::intValue).toArray();
        }
        return out;
    }

    /** Fraction of the exact top-k ids found in the result's top-k. */
    static double recall(SearchResult r, int[][] truth, long[] ids) {
        int hit = 0;
        int total = 0;
        for (int q = 0; q < r.queries(); q++) {
            Set<Long> found = new HashSet<>();
            for (int i = 0; i < r.k(); i++) {
                found.add(r.id(q, i));
            }
            for (int pos : truth[q]) {
                total++;
                if (found.contains(ids[pos])) {
                    hit++;
                }
            }
        }
        return (double) hit / total;
    }

    static float[] row(float[] x, int i, int d) {
        return Arrays.copyOfRange(x, i * d, (i + 1) * d);
    }
}
