package com.listinglens.vector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Filtered search ({@link IdFilter}) and exhaustive mode, for every index family. */
class FaissIndexFilterTest {

    private static final int D = 32;
    private static final int N = 3000;
    private static final int NQ = 20;
    private static final int K = 10;
    /** Ids of the stored vectors: 10 * i + 7 (not positions); filters cover 0 .. FILTER_SIZE - 1. */
    private static final long FILTER_SIZE = 10L * N + 10;

    @TempDir
    Path dir;

    /**
     * factory, metric, exact: whether the index computes exact distances on the original vectors
     * (then Java brute force is the reference; otherwise the index's own unfiltered exhaustive
     * ranking is).
     */
    static Stream<Arguments> kinds() {
        return Stream.of(
                Arguments.of("IDMap,Flat", Metric.L2, true),
                Arguments.of("IDMap,Flat", Metric.INNER_PRODUCT, true),
                Arguments.of("IDMap2,Flat", Metric.L2, true),
                Arguments.of("IDMap,SQ8", Metric.L2, false),
                Arguments.of("IDMap,SQ8", Metric.INNER_PRODUCT, false),
                Arguments.of("IDMap,PQ8x4np", Metric.L2, false),
                Arguments.of("IDMap,PQ8x4np", Metric.INNER_PRODUCT, false),
                Arguments.of("IVF16,Flat", Metric.L2, true),
                Arguments.of("IVF16,Flat", Metric.INNER_PRODUCT, true),
                Arguments.of("IVF16,SQ8", Metric.L2, false),
                Arguments.of("IVF16,SQ8", Metric.INNER_PRODUCT, false),
                Arguments.of("IVF16,PQ8x4np", Metric.L2, false),
                Arguments.of("IVF16,PQ8x4np", Metric.INNER_PRODUCT, false),
                Arguments.of("IDMap,IVF16,Flat", Metric.L2, true),
                Arguments.of("IVF16_HNSW8,Flat", Metric.L2, true),
                Arguments.of("IDMap,HNSW16", Metric.L2, true),
                Arguments.of("IDMap,HNSW16", Metric.INNER_PRODUCT, true),
                Arguments.of("IDMap,HNSW16_SQ8", Metric.L2, false),
                Arguments.of("IDMap,PCA16,Flat", Metric.L2, false),
                Arguments.of("IDMap,PCA16,Flat", Metric.INNER_PRODUCT, false),
                Arguments.of("PCA16,IVF8,Flat", Metric.L2, false),
                Arguments.of("IDMap,PCA16,HNSW16", Metric.L2, false));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("kinds")
    void filteredSearchReturnsOnlyMembersAndExhaustiveIsTheExactTopK(String factory, Metric metric, boolean exact) {
        float[] x = TestVectors.random(N, D, 1);
        float[] q = TestVectors.random(NQ, D, 2);
        long[] ids = ids();
        try (FaissIndex index = build(factory, metric, x, ids)) {
            // reference scores of every stored id, per query
            List<Map<Long, Float>> all = exact ? bruteForceScores(x, ids, q, metric) : indexScores(index, q);

            // (b) exhaustive: the best members, in order, with the index's scores (30 % filter,
            // plus ids that are not in the index at all)
            IdFilter f30 = randomFilter(ids, 0.3, 10);
            SearchResult ex = index.search(q, NQ, K, SearchParams.EXHAUSTIVE, f30);
            assertTopK(ex, f30, all, metric, K);

            // (a) approximate modes: members only, best first
            for (SearchParams p : List.of(SearchParams.DEFAULT, SearchParams.ofNprobe(4), SearchParams.ofEfSearch(64),
                    new SearchParams(2, 8))) {
                SearchResult r = index.search(q, NQ, K, p, f30);
                assertOnlyMembersBestFirst(r, f30, metric);
                for (int j = 0; j < NQ; j++) { // the ids have the scores of the reference
                    for (int i = 0; i < r.count(j); i++) {
                        assertThat(r.score(j, i)).isCloseTo(all.get(j).get(r.id(j, i)), tol(r.score(j, i)));
                    }
                }
            }

            // (c) a filter keeping ~1 %: exhaustive still returns k, the right ones
            IdFilter f1 = randomFilter(ids, 0.01, 11);
            assertThat(storedMembers(f1, ids)).isGreaterThanOrEqualTo(K);
            SearchResult ex1 = index.search(q, NQ, K, SearchParams.EXHAUSTIVE, f1);
            assertTopK(ex1, f1, all, metric, K);
            assertOnlyMembersBestFirst(index.search(q, NQ, K, SearchParams.DEFAULT, f1), f1, metric);

            // fewer members than k: exactly that many results, the rest -1 / NaN
            IdFilter.Builder few = new IdFilter.Builder(FILTER_SIZE);
            for (int i : new int[] {0, 17, 1234, 2999, 1500}) {
                few.set(ids[i]);
            }
            few.set(3).set(10L * N + 7); // not in the index
            IdFilter f5 = few.build();
            SearchResult ex5 = index.search(q, NQ, K, SearchParams.EXHAUSTIVE, f5);
            assertTopK(ex5, f5, all, metric, 5);
            for (int j = 0; j < NQ; j++) {
                assertThat(ex5.count(j)).isEqualTo(5);
                for (int i = 5; i < K; i++) {
                    assertThat(ex5.id(j, i)).isEqualTo(-1);
                    assertThat(ex5.score(j, i)).isNaN();
                }
            }
            SearchResult approx5 = index.search(q, NQ, K, SearchParams.DEFAULT, f5);
            assertOnlyMembersBestFirst(approx5, f5, metric);

            // (d) empty filters: nothing
            for (IdFilter empty : List.of(IdFilter.none(FILTER_SIZE), IdFilter.none(0), IdFilter.of(new long[0], 0),
                    new IdFilter.Builder(5).set(3).build())) { // an id no vector has
                for (SearchParams p : List.of(SearchParams.DEFAULT, SearchParams.EXHAUSTIVE)) {
                    SearchResult r = index.search(q, NQ, K, p, empty);
                    assertThat(r.ids()).containsOnly(-1L);
                    for (float s : r.scores()) {
                        assertThat(s).isNaN();
                    }
                }
            }

            // (e) no filter: exactly as before
            for (SearchParams p : List.of(SearchParams.DEFAULT, SearchParams.ofNprobe(4), SearchParams.ofEfSearch(64))) {
                assertThat(index.search(q, NQ, K, p, null)).isEqualTo(index.search(q, NQ, K, p));
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("kinds")
    void filterOfEveryStoredIdChangesNothing(String factory, Metric metric, boolean exact) {
        float[] x = TestVectors.random(N, D, 3);
        float[] q = TestVectors.random(NQ, D, 4);
        long[] ids = ids();
        try (FaissIndex index = build(factory, metric, x, ids)) {
            IdFilter.Builder b = new IdFilter.Builder(FILTER_SIZE);
            for (long id : ids) {
                b.set(id);
            }
            IdFilter everything = b.build();
            assertThat(everything.count()).isEqualTo(N);
            List<Map<Long, Float>> allScores = indexScores(index, q);
            for (SearchParams p : List.of(SearchParams.DEFAULT, SearchParams.ofNprobe(4), SearchParams.ofEfSearch(64),
                    SearchParams.EXHAUSTIVE)) {
                SearchResult plain = index.search(q, NQ, K, p);
                SearchResult filtered = index.search(q, NQ, K, p, everything);
                // same ranking (up to ties; Flat/SQ/PQ compute the filtered scores with the index's
                // distance computer instead of its search routine, so allow rounding)
                assertSameRanking(filtered, plain, allScores, metric);
                if (factory.contains("IVF") || factory.contains("HNSW")) {
                    // the same code path: a filter that keeps everything changes nothing at all
                    if (!p.exhaustive()) {
                        assertThat(filtered).isEqualTo(plain);
                    }
                }
            }
            // exhaustive without a filter: IVF visits every list (FAISS's own nprobe = nlist
            // search is exhaustive too); HNSW scans its storage exactly
            SearchResult ex = index.search(q, NQ, K, SearchParams.EXHAUSTIVE);
            if (factory.contains("IVF")) {
                assertSameRanking(ex, index.search(q, NQ, K, SearchParams.ofNprobe(SearchParams.MAX_NPROBE)), allScores,
                        metric);
            }
            if (exact) {
                assertTopK(ex, everything, bruteForceScores(x, ids, q, metric), metric, K);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Metric.class)
    void hnswWalksThroughNonMembers(Metric metric) {
        float[] x = TestVectors.random(N, D, 5);
        float[] q = TestVectors.random(NQ, D, 6);
        long[] ids = ids();
        try (FaissIndex index = build("IDMap,HNSW16", metric, x, ids)) {
            IdFilter half = randomFilter(ids, 0.5, 12);
            SearchResult exact = index.search(q, NQ, K, SearchParams.EXHAUSTIVE, half);
            SearchResult approx = index.search(q, NQ, K, SearchParams.ofEfSearch(200), half);
            assertOnlyMembersBestFirst(approx, half, metric);
            int hit = 0;
            for (int j = 0; j < NQ; j++) {
                assertThat(approx.count(j)).isEqualTo(K);
                Set<Long> truth = new HashSet<>();
                for (int i = 0; i < K; i++) {
                    truth.add(exact.id(j, i));
                }
                for (int i = 0; i < K; i++) {
                    if (truth.contains(approx.id(j, i))) {
                        hit++;
                    }
                }
            }
            // the graph search finds the nearest members, not just the members near the nearest nodes
            assertThat((double) hit / (NQ * K)).isGreaterThan(0.9);
        }
    }

    @Test
    void ivfExhaustiveFindsMembersInListsThatAreNotProbed() {
        float[] x = TestVectors.random(N, D, 7);
        float[] q = TestVectors.random(NQ, D, 8);
        long[] ids = ids();
        try (FaissIndex index = build("IVF64,Flat", Metric.L2, x, ids)) {
            IdFilter f1 = randomFilter(ids, 0.01, 13);
            SearchResult probe1 = index.search(q, NQ, K, SearchParams.ofNprobe(1), f1);
            SearchResult ex = index.search(q, NQ, K, SearchParams.ofNprobe(1).withExhaustive(true), f1);
            int found1 = 0;
            for (int j = 0; j < NQ; j++) {
                found1 += probe1.count(j);
                assertThat(ex.count(j)).isEqualTo(K);
            }
            assertThat(found1).isLessThan(NQ * K / 2); // ~1 of 64 lists holds few of ~30 members
            assertTopK(ex, f1, bruteForceScores(x, ids, q, Metric.L2), Metric.L2, K);
        }
    }

    @ParameterizedTest
    @MethodSource("mappedKinds")
    void worksOnMemoryMappedIvf(String factory, Metric metric) {
        float[] x = TestVectors.random(N, D, 9);
        float[] q = TestVectors.random(NQ, D, 10);
        long[] ids = ids();
        Path file = dir.resolve("ivf.faiss");
        IdFilter f30 = randomFilter(ids, 0.3, 14);
        IdFilter f1 = randomFilter(ids, 0.01, 15);
        List<SearchResult> expected = new ArrayList<>();
        List<SearchParams> params = List.of(SearchParams.DEFAULT, SearchParams.ofNprobe(4), SearchParams.EXHAUSTIVE);
        try (FaissIndex index = build(factory, metric, x, ids)) {
            for (SearchParams p : params) {
                expected.add(index.search(q, NQ, K, p, f30));
                expected.add(index.search(q, NQ, K, p, f1));
            }
            index.write(file);
        }
        try (FaissIndex mapped = FaissIndex.read(file, true)) {
            assertThat(mapped.isReadOnly()).isTrue();
            int e = 0;
            for (SearchParams p : params) {
                SearchResult r30 = mapped.search(q, NQ, K, p, f30);
                SearchResult r1 = mapped.search(q, NQ, K, p, f1);
                assertOnlyMembersBestFirst(r30, f30, metric);
                assertOnlyMembersBestFirst(r1, f1, metric);
                assertThat(r30).isEqualTo(expected.get(e++));
                assertThat(r1).isEqualTo(expected.get(e++));
            }
            SearchResult ex = mapped.search(q, NQ, K, SearchParams.EXHAUSTIVE, f1);
            for (int j = 0; j < NQ; j++) {
                assertThat(ex.count(j)).isEqualTo(K);
            }
            if (factory.endsWith(",Flat")) {
                assertTopK(ex, f1, bruteForceScores(x, ids, q, metric), metric, K);
            }
        }
    }

    static Stream<Arguments> mappedKinds() {
        return Stream.of(
                Arguments.of("IVF16,Flat", Metric.L2),
                Arguments.of("IVF16,SQ8", Metric.INNER_PRODUCT),
                Arguments.of("IDMap,IVF16,Flat", Metric.INNER_PRODUCT));
    }

    @Test
    void concurrentFilteredSearchesAgree() throws Exception {
        float[] x = TestVectors.random(N, D, 11);
        float[] q = TestVectors.random(NQ, D, 12);
        long[] ids = ids();
        try (FaissIndex ivf = build("IVF16,Flat", Metric.L2, x, ids);
                FaissIndex hnsw = build("IDMap,HNSW16", Metric.L2, x, ids)) {
            List<IdFilter> filters = List.of(randomFilter(ids, 0.3, 16), randomFilter(ids, 0.01, 17));
            List<SearchParams> params = List.of(SearchParams.DEFAULT, SearchParams.EXHAUSTIVE);
            Map<String, SearchResult> expected = new HashMap<>();
            for (int f = 0; f < filters.size(); f++) {
                for (int p = 0; p < params.size(); p++) {
                    expected.put("ivf" + f + p, ivf.search(q, NQ, K, params.get(p), filters.get(f)));
                    expected.put("hnsw" + f + p, hnsw.search(q, NQ, K, params.get(p), filters.get(f)));
                }
            }
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    final int offset = t;
                    futures.add(pool.submit(() -> {
                        for (int i = 0; i < 20; i++) {
                            int f = (i + offset) % 2;
                            int p = (i / 2 + offset) % 2;
                            assertThat(ivf.search(q, NQ, K, params.get(p), filters.get(f)))
                                    .isEqualTo(expected.get("ivf" + f + p));
                            assertThat(hnsw.search(q, NQ, K, params.get(p), filters.get(f)))
                                    .isEqualTo(expected.get("hnsw" + f + p));
                        }
                        return null;
                    }));
                }
                for (Future<?> fu : futures) {
                    fu.get();
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    // ------------------------------------------------------------------ validation

    @Test
    void badFiltersAreRejectedInJava() {
        assertThatThrownBy(() -> IdFilter.of(null, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("null");
        assertThatThrownBy(() -> IdFilter.of(new long[1], 65)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 words");
        assertThatThrownBy(() -> IdFilter.of(new long[3], 65)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IdFilter.of(new long[1], 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IdFilter.of(new long[0], -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("size");
        assertThatThrownBy(() -> IdFilter.of(new long[0], FaissIndex.MAX_COUNT + 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("size");
        assertThatThrownBy(() -> IdFilter.of(new long[] {1L << 10}, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("beyond");
        assertThatThrownBy(() -> new IdFilter.Builder(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IdFilter.Builder(FaissIndex.MAX_COUNT + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IdFilter.none(-1)).isInstanceOf(IllegalArgumentException.class);
        // the largest size is fine (2^25 words)
        assertThat(IdFilter.none(FaissIndex.MAX_COUNT).size()).isEqualTo(FaissIndex.MAX_COUNT);

        try (FaissIndex index = FaissIndex.create("IDMap,Flat", D, Metric.L2)) {
            float[] q = TestVectors.random(2, D, 1);
            IdFilter f = IdFilter.none(10);
            assertThatThrownBy(() -> index.search(q, 2, 1, null, f)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("params");
            assertThatThrownBy(() -> index.search(q, 3, 1, SearchParams.DEFAULT, f))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> index.search(q, 2, 0, SearchParams.EXHAUSTIVE, f))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void nativeCodeRechecksTheBitmap() {
        NativeLibrary.load();
        try (FaissIndex index = FaissIndex.create("IDMap,Flat", D, Metric.L2)) {
            index.addWithIds(TestVectors.random(10, D, 2), TestVectors.sequentialIds(10, 0));
            long h = FaissNative.create("IDMap,Flat", D, Metric.L2.faissCode());
            try {
                float[] q = TestVectors.random(1, D, 3);
                long[] outIds = new long[1];
                float[] outScores = new float[1];
                assertThatThrownBy(() -> FaissNative.search(h, q, 1, 1, 0, 0, false, new long[1], 65, outIds, outScores))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("filter words");
                assertThatThrownBy(() -> FaissNative.search(h, q, 1, 1, 0, 0, true, new long[0], -1, outIds, outScores))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("filter size");
                assertThatThrownBy(() -> FaissNative.search(h, q, 1, 1, 0, 0, false, new long[1],
                        FaissIndex.MAX_COUNT + 1, outIds, outScores)).isInstanceOf(IllegalArgumentException.class);
                assertThatThrownBy(() -> FaissNative.search(h, q, 1, 1, 0, 0, false, new long[] {-1L}, 63, outIds,
                        outScores)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("beyond");
                // a good one works
                FaissNative.search(h, q, 1, 1, 0, 0, false, new long[] {-1L}, 64, outIds, outScores);
                assertThat(outIds[0]).isEqualTo(-1); // the index behind h is empty
            } finally {
                FaissNative.free(h);
            }
        }
    }

    // ------------------------------------------------------------------ IdFilter

    @Test
    void idFilterBuilderAndQueries() {
        IdFilter.Builder b = new IdFilter.Builder(130);
        b.set(0).set(63).set(64).set(129).set(70).clear(70).clear(5);
        assertThat(b.contains(63)).isTrue();
        assertThat(b.contains(70)).isFalse();
        IdFilter f = b.build();
        assertThat(f.size()).isEqualTo(130);
        assertThat(f.count()).isEqualTo(4);
        assertThat(f.contains(0)).isTrue();
        assertThat(f.contains(63)).isTrue();
        assertThat(f.contains(64)).isTrue();
        assertThat(f.contains(129)).isTrue();
        assertThat(f.contains(1)).isFalse();
        assertThat(f.contains(70)).isFalse();
        // out of range: never members (130 + 64 * k would alias bit 2 / shifts wrap in Java)
        assertThat(f.contains(-1)).isFalse();
        assertThat(f.contains(130)).isFalse();
        assertThat(f.contains(64 * 3 + 63)).isFalse();
        assertThat(f.contains(Long.MAX_VALUE)).isFalse();
        assertThat(f.contains(Long.MIN_VALUE)).isFalse();
        assertThatThrownBy(() -> b.set(130)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.set(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.clear(130)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.setRange(5, 131)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.setRange(6, 5)).isInstanceOf(IllegalArgumentException.class);

        // the filter is a snapshot: later builder changes do not leak into it
        b.set(1);
        assertThat(f.contains(1)).isFalse();
        assertThat(b.build().count()).isEqualTo(5);

        // of() copies its input, words() hands out copies
        long[] words = {0b1011L, 1L};
        IdFilter g = IdFilter.of(words, 65);
        words[0] = 0;
        assertThat(g.count()).isEqualTo(4);
        assertThat(g.contains(0)).isTrue();
        assertThat(g.contains(64)).isTrue();
        g.words()[0] = 0;
        assertThat(g.contains(0)).isTrue();
        assertThat(g).isEqualTo(new IdFilter.Builder(65).set(0).set(1).set(3).set(64).build());
        assertThat(g.hashCode()).isEqualTo(new IdFilter.Builder(65).set(0).set(1).set(3).set(64).build().hashCode());
        assertThat(g).isNotEqualTo(IdFilter.of(new long[] {0b1011L, 1L}, 66));

        // ranges, all, none
        IdFilter r = new IdFilter.Builder(300).setRange(10, 200).setRange(250, 250).build();
        assertThat(r.count()).isEqualTo(190);
        assertThat(r.contains(9)).isFalse();
        assertThat(r.contains(10)).isTrue();
        assertThat(r.contains(199)).isTrue();
        assertThat(r.contains(200)).isFalse();
        assertThat(IdFilter.all(130).count()).isEqualTo(130);
        assertThat(IdFilter.all(128).words()).containsExactly(-1L, -1L);
        assertThat(IdFilter.all(0).count()).isZero();
        assertThat(IdFilter.none(130).count()).isZero();
        assertThat(IdFilter.of(new long[] {-1L}, 64).count()).isEqualTo(64);
    }

    // ------------------------------------------------------------------ helpers

    private static long[] ids() {
        long[] ids = new long[N];
        for (int i = 0; i < N; i++) {
            ids[i] = 10L * i + 7;
        }
        return ids;
    }

    private static FaissIndex build(String factory, Metric metric, float[] x, long[] ids) {
        FaissIndex index = FaissIndex.create(factory, D, metric);
        try {
            if (!index.isTrained()) {
                // PQ / k-means training: one thread is much faster on small busy machines
                FaissIndex.setThreads(1);
                try {
                    index.train(x, x.length / D);
                } finally {
                    FaissIndex.setThreads(0);
                }
            }
            index.addWithIds(x, ids);
            return index;
        } catch (RuntimeException | Error e) {
            index.close();
            throw e;
        }
    }

    /** Each stored id with probability {@code fraction}, plus some ids that are not stored. */
    private static IdFilter randomFilter(long[] ids, double fraction, long seed) {
        Random r = new Random(seed);
        IdFilter.Builder b = new IdFilter.Builder(FILTER_SIZE);
        for (long id : ids) {
            if (r.nextDouble() < fraction) {
                b.set(id);
            }
        }
        for (int i = 0; i < 100; i++) {
            b.set(10L * r.nextInt(N) + 3); // never stored
        }
        return b.build();
    }

    private static int storedMembers(IdFilter f, long[] ids) {
        int c = 0;
        for (long id : ids) {
            if (f.contains(id)) {
                c++;
            }
        }
        return c;
    }

    /** id -> exact score, per query, computed in Java. */
    private static List<Map<Long, Float>> bruteForceScores(float[] x, long[] ids, float[] q, Metric metric) {
        List<Map<Long, Float>> out = new ArrayList<>();
        for (int j = 0; j < q.length / D; j++) {
            Map<Long, Float> m = new HashMap<>();
            for (int i = 0; i < ids.length; i++) {
                m.put(ids[i], TestVectors.score(x, i, q, j, D, metric));
            }
            out.add(m);
        }
        return out;
    }

    /** id -> score as the index itself ranks every vector (unfiltered, exhaustive, k = count). */
    private static List<Map<Long, Float>> indexScores(FaissIndex index, float[] q) {
        int n = (int) index.count();
        SearchResult r = index.search(q, q.length / D, n, SearchParams.EXHAUSTIVE);
        List<Map<Long, Float>> out = new ArrayList<>();
        for (int j = 0; j < r.queries(); j++) {
            assertThat(r.count(j)).as("exhaustive search ranks every vector").isEqualTo(n);
            Map<Long, Float> m = new HashMap<>();
            for (int i = 0; i < n; i++) {
                m.put(r.id(j, i), r.score(j, i));
            }
            assertThat(m).hasSize(n);
            out.add(m);
        }
        return out;
    }

    private static org.assertj.core.data.Offset<Float> tol(float s) {
        return org.assertj.core.data.Offset.offset(1e-3f * Math.max(1, Math.abs(s)));
    }

    private static boolean better(float a, float b, Metric metric) {
        return metric == Metric.L2 ? a < b : a > b;
    }

    /**
     * {@code r} is a correct top-{@code min(k, members)} of the filter's members under the reference
     * scores: the right count, distinct members, scores best first and equal to the reference's
     * i-th best, and each id really has its score (ids may differ from the reference only among
     * equal scores).
     */
    private static void assertTopK(SearchResult r, IdFilter filter, List<Map<Long, Float>> reference, Metric metric,
            int expectedCount) {
        for (int j = 0; j < r.queries(); j++) {
            List<Map.Entry<Long, Float>> members = new ArrayList<>();
            for (Map.Entry<Long, Float> e : reference.get(j).entrySet()) {
                if (filter.contains(e.getKey())) {
                    members.add(e);
                }
            }
            Comparator<Map.Entry<Long, Float>> order = Comparator.comparingDouble(Map.Entry::getValue);
            members.sort(metric == Metric.L2 ? order : order.reversed());
            assertThat(r.count(j)).as("query %d", j).isEqualTo(Math.min(expectedCount, members.size()));
            Set<Long> seen = new HashSet<>();
            for (int i = 0; i < r.count(j); i++) {
                long id = r.id(j, i);
                float s = r.score(j, i);
                assertThat(filter.contains(id)).as("query %d rank %d id %d is a member", j, i, id).isTrue();
                assertThat(seen.add(id)).as("duplicate id %d", id).isTrue();
                float expected = members.get(i).getValue();
                assertThat(s).as("query %d rank %d score", j, i).isCloseTo(expected, tol(expected));
                assertThat(reference.get(j).get(id)).as("query %d rank %d: score of id %d", j, i, id)
                        .isCloseTo(s, tol(s));
            }
            for (int i = r.count(j); i < r.k(); i++) {
                assertThat(r.id(j, i)).isEqualTo(-1);
                assertThat(r.score(j, i)).isNaN();
            }
        }
    }

    /** Every id is a member (or -1 at the end), distinct, with scores best first. */
    private static void assertOnlyMembersBestFirst(SearchResult r, IdFilter filter, Metric metric) {
        for (int j = 0; j < r.queries(); j++) {
            int c = r.count(j);
            Set<Long> seen = new HashSet<>();
            for (int i = 0; i < r.k(); i++) {
                long id = r.id(j, i);
                if (i >= c) {
                    assertThat(id).isEqualTo(-1);
                    assertThat(r.score(j, i)).isNaN();
                    continue;
                }
                assertThat(filter.contains(id)).as("query %d rank %d id %d is a member", j, i, id).isTrue();
                assertThat(seen.add(id)).isTrue();
                if (i > 0) {
                    assertThat(better(r.score(j, i), r.score(j, i - 1), metric))
                            .as("query %d rank %d is not better than rank %d", j, i, i - 1).isFalse();
                }
            }
        }
    }

    /** Same results up to ties / rounding: per rank equal ids, or equal scores. */
    private static void assertSameRanking(SearchResult a, SearchResult b, List<Map<Long, Float>> scores,
            Metric metric) {
        assertThat(a.queries()).isEqualTo(b.queries());
        for (int j = 0; j < a.queries(); j++) {
            assertThat(a.count(j)).isEqualTo(b.count(j));
            for (int i = 0; i < a.count(j); i++) {
                assertThat(a.score(j, i)).as("query %d rank %d", j, i).isCloseTo(b.score(j, i), tol(b.score(j, i)));
                if (a.id(j, i) != b.id(j, i)) {
                    assertThat(scores.get(j).get(a.id(j, i))).as("tie at query %d rank %d", j, i)
                            .isCloseTo(b.score(j, i), tol(b.score(j, i)));
                }
            }
        }
    }
}
