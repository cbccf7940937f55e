package com.listinglens.vector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Search correctness against brute force, ids, and per-call nprobe / efSearch. */
class FaissIndexSearchTest {

    private static final int D = 32;

    @ParameterizedTest
    @EnumSource(Metric.class)
    void flatSearchIsExact(Metric metric) {
        int n = 2000;
        int nq = 40;
        int k = 10;
        float[] x = TestVectors.random(n, D, 1);
        float[] q = TestVectors.random(nq, D, 2);
        long[] ids = TestVectors.ids(n, 3);
        try (FaissIndex index = FaissIndex.create("IDMap,Flat", D, metric)) {
            assertThat(index.isTrained()).isTrue();
            index.addWithIds(x, ids);
            assertThat(index.count()).isEqualTo(n);
            assertThat(index.dimension()).isEqualTo(D);
            assertThat(index.metric()).isEqualTo(metric);
            assertThat(index.factory()).isEqualTo("IDMap,Flat");

            SearchResult r = index.search(q, nq, k);
            int[][] truth = TestVectors.bruteForce(x, n, q, nq, D, k, metric);
            assertThat(r.queries()).isEqualTo(nq);
            assertThat(r.k()).isEqualTo(k);
            for (int j = 0; j < nq; j++) {
                assertThat(r.count(j)).isEqualTo(k);
                for (int i = 0; i < k; i++) {
                    assertThat(r.id(j, i)).as("query %d rank %d", j, i).isEqualTo(ids[truth[j][i]]);
                    float expected = TestVectors.score(x, truth[j][i], q, j, D, metric);
                    assertThat(r.score(j, i)).isCloseTo(expected, within(1e-3f * Math.max(1, Math.abs(expected))));
                }
            }
        }
    }

    @Test
    void idsRoundTripAndSelfMatch() {
        int n = 500;
        float[] x = TestVectors.random(n, D, 4);
        long[] ids = TestVectors.ids(n, 5);
        ids[0] = 0;
        ids[1] = Long.MAX_VALUE;
        try (FaissIndex index = FaissIndex.create("IDMap,Flat", D, Metric.L2)) {
            index.addWithIds(x, ids);
            SearchResult r = index.search(x, n, 1);
            for (int i = 0; i < n; i++) {
                assertThat(r.id(i, 0)).isEqualTo(ids[i]);
                assertThat(r.score(i, 0)).isCloseTo(0f, within(1e-4f));
            }
        }
    }

    @Test
    void addsInSeveralBatches() {
        float[] a = TestVectors.random(100, D, 6);
        float[] b = TestVectors.random(50, D, 7);
        try (FaissIndex index = FaissIndex.create("IDMap2,Flat", D, Metric.L2)) {
            index.addWithIds(a, TestVectors.sequentialIds(100, 0));
            index.addWithIds(b, TestVectors.sequentialIds(50, 1000));
            index.addWithIds(new float[0], new long[0]);
            assertThat(index.count()).isEqualTo(150);
            SearchResult r = index.search(TestVectors.row(b, 7, D), 1, 1);
            assertThat(r.id(0, 0)).isEqualTo(1007);
        }
    }

    @Test
    void missingResultsAreMinusOneAndNaN() {
        float[] x = TestVectors.random(3, D, 8);
        try (FaissIndex index = FaissIndex.create("IDMap,Flat", D, Metric.INNER_PRODUCT)) {
            SearchResult empty = index.search(x, 3, 4);
            assertThat(empty.ids()).containsOnly(-1L);
            assertThat(empty.count(0)).isZero();
            index.addWithIds(x, new long[] {10, 11, 12});
            SearchResult r = index.search(x, 3, 5);
            for (int q = 0; q < 3; q++) {
                assertThat(r.count(q)).isEqualTo(3);
                assertThat(r.id(q, 3)).isEqualTo(-1);
                assertThat(r.id(q, 4)).isEqualTo(-1);
                assertThat(r.score(q, 4)).isNaN();
                assertThat(r.score(q, 0)).isNotNaN();
            }
            SearchResult none = index.search(new float[0], 0, 5);
            assertThat(none.queries()).isZero();
            assertThat(none.ids()).isEmpty();
        }
    }

    @Test
    void ivfStoresIdsWithoutIdMap() {
        int n = 1000;
        float[] x = TestVectors.random(n, D, 9);
        long[] ids = TestVectors.ids(n, 10);
        try (FaissIndex index = FaissIndex.create("IVF8,Flat", D, Metric.L2)) {
            assertThat(index.isTrained()).isFalse();
            index.train(x, n);
            assertThat(index.isTrained()).isTrue();
            index.addWithIds(x, ids);
            SearchResult r = index.search(Arrays.copyOf(x, 20 * D), 20, 1, SearchParams.ofNprobe(8));
            for (int i = 0; i < 20; i++) {
                assertThat(r.id(i, 0)).isEqualTo(ids[i]);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"IVF64,Flat", "IDMap,IVF64,Flat", "PCA24,IVF64,Flat", "IDMap,PCA24,IVF64,Flat",
        "IVF64,SQ8", "IVF64_HNSW16,Flat"})
    void perCallNprobeTakesEffect(String factory) {
        int n = 4000;
        int nq = 50;
        int k = 10;
        float[] x = TestVectors.random(n, D, 11);
        float[] q = TestVectors.random(nq, D, 12);
        long[] ids = TestVectors.sequentialIds(n, 0);
        try (FaissIndex index = FaissIndex.create(factory, D, Metric.L2)) {
            index.train(x, n);
            index.addWithIds(x, ids);
            int[][] truth = TestVectors.bruteForce(x, n, q, nq, D, k, Metric.L2);

            SearchResult one = index.search(q, nq, k, SearchParams.ofNprobe(1));
            SearchResult all = index.search(q, nq, k, SearchParams.ofNprobe(64));
            SearchResult defaults = index.search(q, nq, k);
            double recallOne = TestVectors.recall(one, truth, ids);
            double recallAll = TestVectors.recall(all, truth, ids);

            assertThat(recallOne).as("recall with nprobe=1").isLessThan(0.7);
            assertThat(recallAll).as("recall with nprobe=nlist").isGreaterThan(recallOne + 0.2);
            if (factory.endsWith("IVF64,Flat") && !factory.contains("PCA")) {
                assertThat(recallAll).isEqualTo(1.0); // visiting every list is exhaustive
            }
            // the index default (nprobe 1) is untouched by per-call values
            assertThat(defaults).isEqualTo(one);
            // nprobe above nlist visits all lists
            assertThat(index.search(q, nq, k, SearchParams.ofNprobe(1000))).isEqualTo(all);
            // efSearch does not apply to IVF and is ignored
            assertThat(index.search(q, nq, k, new SearchParams(1, 500))).isEqualTo(one);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"IDMap,HNSW8", "IDMap,PCA24,HNSW8", "IDMap,HNSW8_SQ8"})
    void perCallEfSearchTakesEffect(String factory) {
        int n = 4000;
        int nq = 50;
        int k = 10;
        float[] x = TestVectors.random(n, D, 13);
        float[] q = TestVectors.random(nq, D, 14);
        long[] ids = TestVectors.ids(n, 15);
        try (FaissIndex index = FaissIndex.create(factory, D, Metric.L2)) {
            if (!index.isTrained()) {
                index.train(x, n);
            }
            index.addWithIds(x, ids);
            int[][] truth = TestVectors.bruteForce(x, n, q, nq, D, k, Metric.L2);

            SearchResult low = index.search(q, nq, k, SearchParams.ofEfSearch(1)); // queue max(1, k)
            SearchResult high = index.search(q, nq, k, SearchParams.ofEfSearch(400));
            double recallLow = TestVectors.recall(low, truth, ids);
            double recallHigh = TestVectors.recall(high, truth, ids);
            assertThat(recallHigh).as("recall with efSearch=400 vs %s", recallLow).isGreaterThan(recallLow + 0.1);
            if (factory.equals("IDMap,HNSW8")) {
                assertThat(recallHigh).isGreaterThan(0.95);
            }
            // index default (efSearch 16) is unchanged; nprobe is ignored
            assertThat(index.search(q, nq, k, new SearchParams(7, 0))).isEqualTo(index.search(q, nq, k));
            assertThat(index.search(q, nq, k, SearchParams.ofEfSearch(16))).isEqualTo(index.search(q, nq, k));
        }
    }

    @ParameterizedTest
    @EnumSource(Metric.class)
    void hnswMatchesBruteForceWithLargeEf(Metric metric) {
        int n = 1500;
        int nq = 30;
        int k = 5;
        float[] x = TestVectors.random(n, D, 16);
        float[] q = TestVectors.random(nq, D, 17);
        long[] ids = TestVectors.ids(n, 18);
        try (FaissIndex index = FaissIndex.create("IDMap,HNSW16", D, metric)) {
            index.addWithIds(x, ids);
            SearchResult r = index.search(q, nq, k, SearchParams.ofEfSearch(2000));
            int[][] truth = TestVectors.bruteForce(x, n, q, nq, D, k, metric);
            assertThat(TestVectors.recall(r, truth, ids)).isGreaterThan(0.98);
            // scores are real similarities/distances, not the negated internal ones
            float expected = TestVectors.score(x, truth[0][0], q, 0, D, metric);
            assertThat(r.score(0, 0)).isCloseTo(expected, within(1e-3f * Math.max(1, Math.abs(expected))));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"IDMap,PQ16x4np", "IVF16,PQ8x6np", "IDMap,SQ8", "IDMap,SQfp16", "IDMap,L2norm,Flat",
        "RR32,IVF16,Flat", "IDMap,SQ4", "IDMap,PCAR16,SQ8", "IVF16_HNSW4,SQ6"})
    void otherSupportedTypesSearchSensibly(String factory) {
        int n = 3000;
        int nq = 20;
        float[] x = TestVectors.random(n, D, 19);
        long[] ids = TestVectors.sequentialIds(n, 100);
        try (FaissIndex index = FaissIndex.create(factory, D, Metric.L2)) {
            if (!index.isTrained()) {
                // PQ training runs many tiny parallel k-means steps; on a small busy machine
                // libgomp's spin-waiting makes that very slow with more than one thread
                FaissIndex.setThreads(1);
                try {
                    index.train(x, n);
                } finally {
                    FaissIndex.setThreads(0);
                }
            }
            index.addWithIds(x, ids);
            // querying with stored vectors: the vector itself should mostly come first
            SearchResult r = index.search(Arrays.copyOf(x, nq * D), nq, 5, SearchParams.ofNprobe(16));
            int self = 0;
            for (int i = 0; i < nq; i++) {
                if (r.id(i, 0) == ids[i]) {
                    self++;
                }
                assertThat(r.count(i)).isEqualTo(5);
            }
            assertThat(self).as("self matches for %s", factory).isGreaterThanOrEqualTo(nq / 2);
        }
    }

    @Test
    void concurrentSearchesWithDifferentParamsDoNotInterfere() throws Exception {
        int n = 3000;
        int nq = 20;
        float[] x = TestVectors.random(n, D, 20);
        float[] q = TestVectors.random(nq, D, 21);
        try (FaissIndex ivf = FaissIndex.create("IDMap,IVF32,Flat", D, Metric.L2);
                FaissIndex hnsw = FaissIndex.create("IDMap,HNSW8", D, Metric.L2)) {
            ivf.train(x, n);
            ivf.addWithIds(x, TestVectors.sequentialIds(n, 0));
            hnsw.addWithIds(x, TestVectors.sequentialIds(n, 0));
            List<SearchParams> params = List.of(SearchParams.ofNprobe(1), SearchParams.ofNprobe(32),
                    SearchParams.ofEfSearch(1), SearchParams.ofEfSearch(300));
            List<SearchResult> ivfExpected = new ArrayList<>();
            List<SearchResult> hnswExpected = new ArrayList<>();
            for (SearchParams p : params) {
                ivfExpected.add(ivf.search(q, nq, 10, p));
                hnswExpected.add(hnsw.search(q, nq, 10, p));
            }
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    final int offset = t;
                    futures.add(pool.submit(() -> {
                        for (int i = 0; i < 40; i++) {
                            int p = (i + offset) % params.size();
                            assertThat(ivf.search(q, nq, 10, params.get(p))).isEqualTo(ivfExpected.get(p));
                            assertThat(hnsw.search(q, nq, 10, params.get(p))).isEqualTo(hnswExpected.get(p));
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) {
                    f.get();
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void threadsCanBeConfigured() {
        int before = FaissIndex.threads();
        try {
            FaissIndex.setThreads(1);
            assertThat(FaissIndex.threads()).isEqualTo(1);
            float[] x = TestVectors.random(200, D, 22);
            try (FaissIndex index = FaissIndex.create("IDMap,Flat", D, Metric.L2)) {
                index.addWithIds(x, TestVectors.sequentialIds(200, 0));
                assertThat(index.search(x, 200, 1).id(199, 0)).isEqualTo(199);
            }
        } finally {
            FaissIndex.setThreads(0);
        }
        assertThat(FaissIndex.threads()).isEqualTo(before);
        assertThat(FaissIndex.nativeVersion()).isEqualTo("faiss 1.7.3");
    }
}
