package com.listinglens.vector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Shards of one trained index, encoded apart and merged (what a distributed build does), against the same
 * vectors added to one index; and the checks that keep shards of different training, structure or state apart.
 */
@ExtendWith(SingleOmpThread.class)
class FaissIndexMergeTest {

    private static final int D = 32;
    private static final int N = 2000;
    private static final int SHARDS = 4;

    @TempDir
    Path dir;

    private static final String[] MERGEABLE = {"IDMap,Flat", "IDMap2,Flat", "IVF16,Flat", "IVF16,PQ8x4np", "IDMap,PQ8x4np",
            "IDMap,SQfp16", "PCA16,IVF16,SQ8", "IDMap,PCA16,Flat", "L2norm,RR32,IVF8_HNSW4,Flat"};

    /**
     * The merge itself is exact: one index fed the shards' batches in the same order holds the same codes, so it
     * searches bit for bit like the merged shards, on every CPU. (The single index gets the shards' batches, not all
     * rows in one call: see {@link #oneCallAndShardsAgreeUpToRounding}.)
     */
    @ParameterizedTest
    @MethodSource("mergeable")
    void shardsMergedInOrderSearchExactlyLikeOneIndexFedTheSameBatches(String factory) {
        SearchResult[] oneAndMerged = oneAndMerged(factory, SHARDS);
        assertThat(oneAndMerged[1]).isEqualTo(oneAndMerged[0]);
    }

    /**
     * Shards against one index fed every row in one call. Where the index stores floats that a pre-transform (PCA,
     * a rotation) computed, the codes are BLAS products whose rounding depends on the shape of the call: OpenBLAS's
     * Haswell/Zen sgemm kernels round some rows of a 2000-row product differently from the same rows in a 500-row
     * one (seen with OPENBLAS_CORETYPE=Haswell; its SkylakeX kernels happen to agree). Floating point promises no
     * more, so the two searches must agree up to rounding: the same neighbours wherever the order is not a near-tie,
     * and distances within a relative 1e-5.
     */
    @ParameterizedTest
    @MethodSource("mergeable")
    void oneCallAndShardsAgreeUpToRounding(String factory) {
        SearchResult[] oneAndMerged = oneAndMerged(factory, 1);
        SearchResult expected = oneAndMerged[0];
        SearchResult got = oneAndMerged[1];
        for (int i = 0; i < 30; i++) {
            float[] want = expected.scores(i);
            float[] have = got.scores(i);
            for (int r = 0; r < 10; r++) {
                assertThat(have[r]).as("%s query %d rank %d", factory, i, r)
                        .isCloseTo(want[r], offset(1e-5f * Math.max(1f, Math.abs(want[r]))));
                boolean tiedWithNeighbour = (r > 0 && near(want[r], want[r - 1])) || (r < 9 && near(want[r], want[r + 1]));
                if (!tiedWithNeighbour) {
                    assertThat(got.id(i, r)).as("%s query %d rank %d", factory, i, r).isEqualTo(expected.id(i, r));
                }
            }
        }
    }

    /**
     * The same vectors searched in one index fed them in {@code batchesOfOne} calls and in the merged shards of a copy
     * of its template, with the fingerprint checked along the way: {one, merged}.
     */
    private SearchResult[] oneAndMerged(String factory, int batchesOfOne) {
        float[] x = TestVectors.random(N, D, 11);
        float[] q = TestVectors.random(30, D, 12);
        long[] ids = TestVectors.sequentialIds(N, 0);
        Path template = trainedTemplate(factory, x);
        SearchResult one;
        long fingerprint;
        try (FaissIndex index = FaissIndex.read(template, false)) {
            fingerprint = index.trainedFingerprint();
            int per = N / batchesOfOne;
            for (int s = 0; s < batchesOfOne; s++) {
                index.addWithIds(Arrays.copyOfRange(x, s * per * D, (s + 1) * per * D), Arrays.copyOfRange(ids, s * per, (s + 1) * per));
            }
            assertThat(index.trainedFingerprint()).as("vectors do not change the fingerprint").isEqualTo(fingerprint);
            one = index.search(q, 30, 10, SearchParams.ofNprobe(4));
        }
        try (FaissIndex merged = mergedShards(template, x, ids, fingerprint)) {
            assertThat(merged.trainedFingerprint()).isEqualTo(fingerprint);
            return new SearchResult[]{one, merged.search(q, 30, 10, SearchParams.ofNprobe(4))};
        }
    }

    static String[] mergeable() {
        return MERGEABLE.clone();
    }

    private static boolean near(float a, float b) {
        return Math.abs(a - b) <= 1e-4f * Math.max(1f, Math.abs(a));
    }

    /** The shards encoded apart from {@code template} and merged into a copy of it, with every step's counts checked. */
    private FaissIndex mergedShards(Path template, float[] x, long[] ids, long fingerprint) {
        List<Path> shards = encodeShards(template, x, ids);
        FaissIndex merged = FaissIndex.read(template, false);
        try {
            for (Path shard : shards) {
                try (FaissIndex part = FaissIndex.read(shard, false)) {
                    assertThat(part.trainedFingerprint()).isEqualTo(fingerprint);
                    long before = merged.count();
                    long rows = part.count();
                    merged.mergeFrom(part);
                    assertThat(merged.count()).isEqualTo(before + rows);
                    assertThat(part.count()).as("the source is left empty").isZero();
                }
            }
            assertThat(merged.count()).isEqualTo(N);
            assertThat(merged.censusIds(N).exact()).as("%s", merged.censusIds(N)).isTrue();
            return merged;
        } catch (RuntimeException | AssertionError e) {
            merged.close();
            throw e;
        }
    }

    @Test
    void indexesTrainedApartAreRefused() {
        float[] x = TestVectors.random(N, D, 21);
        float[] other = TestVectors.random(N, D, 22);
        try (FaissIndex a = FaissIndex.read(trainedTemplate("IVF16,PQ8x4np", x), false);
                FaissIndex b = FaissIndex.create("IVF16,PQ8x4np", D, Metric.L2)) {
            b.train(other, N);
            b.addWithIds(Arrays.copyOf(other, 10 * D), TestVectors.sequentialIds(10, 0));
            assertThat(a.trainedFingerprint()).isNotEqualTo(b.trainedFingerprint());
            assertThatThrownBy(() -> a.mergeFrom(b))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("trained apart");
            assertThat(a.count()).isZero();
            assertThat(b.count()).as("nothing moved").isEqualTo(10);
        }
    }

    @Test
    void otherStructuresDimensionsAndMetricsAreRefused() {
        float[] x = TestVectors.random(N, D, 31);
        try (FaissIndex ivfFlat = FaissIndex.read(trainedTemplate("IVF16,Flat", x), false);
                FaissIndex ivfPq = FaissIndex.read(trainedTemplate("IVF16,PQ8x4np", x), false);
                FaissIndex ip = FaissIndex.create("IDMap,Flat", D, Metric.INNER_PRODUCT);
                FaissIndex l2 = FaissIndex.create("IDMap,Flat", D, Metric.L2);
                FaissIndex narrow = FaissIndex.create("IDMap,Flat", D / 2, Metric.L2)) {
            assertThatThrownBy(() -> ivfFlat.mergeFrom(ivfPq))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("structures differ");
            assertThatThrownBy(() -> l2.mergeFrom(ip)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> l2.mergeFrom(narrow)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> l2.mergeFrom(l2)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> l2.mergeFrom(null)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void hnswGraphsCannotBeMerged() {
        float[] x = TestVectors.random(200, D, 41);
        try (FaissIndex a = FaissIndex.create("IDMap,HNSW16", D, Metric.L2);
                FaissIndex b = FaissIndex.create("IDMap,HNSW16", D, Metric.L2)) {
            a.addWithIds(x, TestVectors.sequentialIds(200, 0));
            b.addWithIds(x, TestVectors.sequentialIds(200, 200));
            assertThatThrownBy(() -> a.mergeFrom(b)).isInstanceOf(VectorIndexException.class);
            assertThat(a.count()).isEqualTo(200);
            assertThat(b.count()).isEqualTo(200);
        }
    }

    @Test
    void anIdMapOverAnIvfIndexIsRefused() {
        // FAISS 1.7.3 would merge it with the IVF's stored positions unshifted: the id map would point at other vectors
        float[] x = TestVectors.random(N, D, 45);
        Path template = trainedTemplate("IDMap,IVF16,Flat", x);
        try (FaissIndex a = FaissIndex.read(template, false); FaissIndex b = FaissIndex.read(template, false)) {
            a.addWithIds(Arrays.copyOf(x, 100 * D), TestVectors.sequentialIds(100, 0));
            b.addWithIds(Arrays.copyOf(x, 100 * D), TestVectors.sequentialIds(100, 100));
            assertThatThrownBy(() -> a.mergeFrom(b))
                    .isInstanceOf(VectorIndexException.class)
                    .hasMessageContaining("without the IDMap prefix");
            assertThat(a.count()).isEqualTo(100);
            assertThat(b.count()).isEqualTo(100);
        }
    }

    @Test
    void closedUntrainedAndMemoryMappedIndexesAreRefused() {
        float[] x = TestVectors.random(N, D, 51);
        Path template = trainedTemplate("IVF16,Flat", x);
        FaissIndex closed = FaissIndex.read(template, false);
        closed.close();
        try (FaissIndex target = FaissIndex.read(template, false);
                FaissIndex mapped = FaissIndex.read(template, true);
                FaissIndex untrained = FaissIndex.create("IVF16,Flat", D, Metric.L2)) {
            assertThatThrownBy(() -> target.mergeFrom(closed)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> closed.mergeFrom(target)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> target.mergeFrom(mapped)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> mapped.mergeFrom(target)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> target.mergeFrom(untrained)).isInstanceOf(IllegalStateException.class);
            assertThat(mapped.trainedFingerprint()).isEqualTo(target.trainedFingerprint());
        }
    }

    @Test
    void theCensusCountsDuplicatedMissingAndOutOfRangeIds() {
        float[] x = TestVectors.random(100, D, 61);
        for (String factory : List.of("IDMap,Flat", "IVF4,Flat")) {
            try (FaissIndex index = FaissIndex.create(factory, D, Metric.L2)) {
                if (!index.isTrained()) {
                    index.train(TestVectors.random(N, D, 62), N);
                }
                long[] ids = TestVectors.sequentialIds(100, 0);
                ids[5] = 7; // 7 twice, 5 missing
                ids[6] = 150; // out of [0, 120); 6 missing
                index.addWithIds(x, ids);
                IdCensus c = index.censusIds(120);
                assertThat(c).as(factory).isEqualTo(new IdCensus(120, 100, 1, 1, 22));
                assertThat(c.exact()).isFalse();
                assertThat(index.censusIds(0).outOfRange()).isEqualTo(100);
                assertThatThrownBy(() -> index.censusIds(-1)).isInstanceOf(IllegalArgumentException.class);
            }
        }
        try (FaissIndex flat = FaissIndex.create("Flat", D, Metric.L2)) {
            assertThat(flat.censusIds(0).exact()).isTrue();
            assertThat(flat.censusIds(3)).isEqualTo(new IdCensus(3, 0, 0, 0, 3));
        }
    }

    private Path trainedTemplate(String factory, float[] x) {
        Path file = dir.resolve("template-" + factory.replaceAll("[^A-Za-z0-9]", "_") + "-" + System.nanoTime() + ".faiss");
        try (FaissIndex index = FaissIndex.create(factory, D, Metric.L2)) {
            if (!index.isTrained()) {
                index.train(x, N);
            }
            index.write(file);
        }
        return file;
    }

    private List<Path> encodeShards(Path template, float[] x, long[] ids) {
        Path[] out = new Path[SHARDS];
        int per = N / SHARDS;
        for (int s = 0; s < SHARDS; s++) {
            out[s] = dir.resolve("shard-" + s + "-" + System.nanoTime() + ".faiss");
            try (FaissIndex shard = FaissIndex.read(template, false)) {
                shard.addWithIds(Arrays.copyOfRange(x, s * per * D, (s + 1) * per * D),
                        Arrays.copyOfRange(ids, s * per, (s + 1) * per));
                shard.write(out[s]);
            }
        }
        return List.of(out);
    }
}
