package com.listinglens.pool;

import com.listinglens.vector.Metric;
import com.listinglens.vector.SearchResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The re-ranker: without rows the index's order and its scores as cosines; with fp32 rows their order over every
 * candidate; with 8-bit rows as well, the fp32 order over the best exact x k by the 8-bit rows. Ids outside the pool are
 * no candidates.
 */
class RerankerTest {

    static final int D = Sq8RowsTest.D;
    static final int N = 200;

    @TempDir
    Path dir;

    @Test
    void withoutRowsTheIndexOrderStandsWithItsScoresAsCosines() {
        try (Reranker reranker = new Reranker(Metric.L2, 3, null, null, 32, 4)) {
            assertThat(reranker.refine()).isEqualTo(1);
            assertThat(reranker.exact()).isZero();
            assertThat(reranker.candidates(5, 100)).isEqualTo(5);
            SearchResult result = new SearchResult(1, 4, new long[]{2, 7, 0, -1}, new float[]{0.2f, 0.3f, 0.5f, Float.NaN});
            long[] ids = new long[4];
            float[] sims = new float[4];
            assertThat(reranker.best(result, 0, new float[D], ids, sims)).isEqualTo(2);
            assertThat(Arrays.copyOf(ids, 2)).containsExactly(2, 0);
            assertThat(sims[0]).isCloseTo(0.9f, within(1e-6f));
            assertThat(sims[1]).isCloseTo(0.75f, within(1e-6f));
        }
        assertThat(Metric.INNER_PRODUCT.cosine(0.3f)).isEqualTo(0.3f);
    }

    @Test
    void theFp32RowsOrderEveryCandidateAndTheEightBitStageKeepsExactTimesK() throws Exception {
        float[] v = Sq8RowsTest.rows(N, 7);
        float[] q = Sq8RowsTest.rows(2, 8);
        Path f32 = Sq8RowsTest.fp32(dir, "rows.f32", v);
        Path sq8 = dir.resolve("rows.sq8");
        Sq8Rows.encode(f32, N, D, sq8, x -> { });
        int k = 5;
        // every row a candidate of both queries, in reverse order, with ids outside the pool among them
        long[] candidates = new long[2 * (N + 2)];
        for (int query = 0; query < 2; query++) {
            int base = query * (N + 2);
            candidates[base] = -1;
            candidates[base + 1] = N + 5;
            for (int r = 0; r < N; r++) {
                candidates[base + 2 + r] = N - 1 - r;
            }
        }
        SearchResult result = new SearchResult(2, N + 2, candidates, new float[candidates.length]);

        try (Reranker fp32Only = new Reranker(Metric.INNER_PRODUCT, N, PhotoVectors.open(f32, N, D, 4), null, 40, 2)) {
            assertThat(fp32Only.refine()).isEqualTo(40);
            assertThat(fp32Only.exact()).as("no 8-bit rows, no 8-bit stage").isZero();
            assertThat(fp32Only.candidates(k, N)).isEqualTo(N);
            assertThat(fp32Only.candidates(k, 30)).isEqualTo(30);
            assertBestByDot(fp32Only, result, v, q, k);
        }
        try (Reranker twoStage = new Reranker(Metric.INNER_PRODUCT, N, PhotoVectors.open(f32, N, D, 4),
                Sq8Rows.open(sq8, N, D), 40, 2)) {
            assertThat(twoStage.exact()).isEqualTo(2);
            assertBestByDot(twoStage, result, v, q, k);
        }
    }

    /** Each query's best k are the rows of the largest dot products with it, best first, with those dot products. */
    private static void assertBestByDot(Reranker reranker, SearchResult result, float[] v, float[] queries, int k) {
        for (int query = 0; query < 2; query++) {
            float[] q = Arrays.copyOfRange(queries, query * D, (query + 1) * D);
            double[] dots = IntStream.range(0, N).mapToDouble(r -> dot(v, r, q)).toArray();
            long[] expected = IntStream.range(0, N).boxed().sorted(Comparator.comparingDouble(r -> -dots[r]))
                    .limit(k).mapToLong(Integer::longValue).toArray();
            long[] ids = new long[k];
            float[] sims = new float[k];
            assertThat(reranker.best(result, query, queries, ids, sims)).isEqualTo(k);
            assertThat(ids).containsExactly(expected);
            for (int i = 0; i < k; i++) {
                assertThat(sims[i]).isCloseTo((float) dots[(int) ids[i]], within(1e-6f));
            }
        }
    }

    private static double dot(float[] v, int row, float[] q) {
        double sum = 0;
        for (int i = 0; i < D; i++) {
            sum += v[row * D + i] * q[i];
        }
        return sum;
    }
}
