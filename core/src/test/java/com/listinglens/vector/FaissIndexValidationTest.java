package com.listinglens.vector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every argument is checked in Java before it reaches native code. */
@ExtendWith(SingleOmpThread.class)
class FaissIndexValidationTest {

    private static final int D = 8;

    @TempDir
    Path dir;

    private static FaissIndex flat() {
        FaissIndex index = FaissIndex.create("IDMap,Flat", D, Metric.L2);
        index.addWithIds(TestVectors.random(10, D, 1), TestVectors.sequentialIds(10, 0));
        return index;
    }

    // ------------------------------------------------------------------ create

    @Test
    void createRejectsBadArguments() {
        assertThatThrownBy(() -> FaissIndex.create(null, D, Metric.L2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("null");
        assertThatThrownBy(() -> FaissIndex.create("", D, Metric.L2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> FaissIndex.create("   ", D, Metric.L2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> FaissIndex.create("IDMap,Flat", 0, Metric.L2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dimension");
        assertThatThrownBy(() -> FaissIndex.create("IDMap,Flat", -3, Metric.L2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dimension");
        assertThatThrownBy(() -> FaissIndex.create("IDMap,Flat", FaissIndex.MAX_DIMENSION + 1, Metric.L2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dimension");
        assertThatThrownBy(() -> FaissIndex.create("IDMap,Flat", D, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("metric");
        assertThatThrownBy(() -> FaissIndex.create("IDMap, Flat", D, Metric.L2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("may only contain");
        assertThatThrownBy(() -> FaissIndex.create("Flat\0", D, Metric.L2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("may only contain");
        assertThatThrownBy(() -> FaissIndex.create("IVF99999999999999999999,Flat", D, Metric.L2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("larger than");
        assertThatThrownBy(() -> FaissIndex.create("IVF2000000,Flat", D, Metric.L2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("larger than");
        assertThatThrownBy(() -> FaissIndex.create("F".repeat(300), D, Metric.L2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("longer");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bogus", "IVF", "IVF16", ",", "Flat,", ",Flat", "IDMap", "IDMap2", "Flat,IDMap", "PQ3",
        "PQ16x99", "PQ8x30", "PQ8x0", "LSH", "NSG32", "IVF16,Flat,RFlat", "IVF16,PQ4x4fs", "PQ4x4fs",
        "IVF16,Flat,Refine", "IMI2x4,Flat", "IMI2x16,Flat", "ITQ,LSH", "RQ2x4", "IDMap,IDMap,Flat", "HNSW8_PQ4",
        "HNSW8_2x32,PQ4", "IVF16,IVF16,Flat", "IVF0,Flat", "HNSW0", "HNSW1", "HNSW600", "PQ0", "PCA0,Flat",
        "PCA64,Flat", "OPQ3,Flat", "OPQ0,Flat", "SQ9", "IVF16,SQ3", "PCA4", "MinMax,Flat", "IVF16,FlatDedup"})
    void badOrUnsupportedFactoryStringsAreRejected(String factory) {
        assertThatThrownBy(() -> FaissIndex.create(factory, D, Metric.L2))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"PCA4,IVF16,PQ2np", "RR7,Flat", "RR16,IDMap,Flat", "L2norm,Flat",
        "HNSW2", "HNSW256", "IVF4_HNSW2,Flat", "SQfp16", "PQ8x16np", "IVF4,PQ2x1np", "IDMap2,HNSW8_SQ4",
        "IVF300,Flat", "IVF301,Flat", "PCAWR4,Flat", "IDMap,PCA8,PCA4,RR4,L2norm,SQ6"})
    void oddButParsableFactoryStringsNeverCrash(String factory) {
        // each either fails cleanly or yields an index that can be trained, filled and searched
        float[] x = TestVectors.random(300, D, 2);
        try (FaissIndex index = FaissIndex.create(factory, D, Metric.L2)) {
            try {
                if (!index.isTrained()) {
                    index.train(x, 300);
                }
                index.addWithIds(x, TestVectors.sequentialIds(300, 0));
                assertThat(index.search(x, 3, 2).queries()).isEqualTo(3);
            } catch (VectorIndexException e) {
                assertThat(e).hasMessageNotContaining("unknown native error");
            }
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    // ------------------------------------------------------------------ train

    @Test
    void trainRejectsBadArguments() {
        try (FaissIndex index = FaissIndex.create("IVF4,Flat", D, Metric.L2)) {
            float[] x = TestVectors.random(100, D, 3);
            assertThatThrownBy(() -> index.train(null, 100)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> index.train(x, 0)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> index.train(x, -1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> index.train(x, 99)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("n * dimension");
            assertThatThrownBy(() -> index.train(x, 101)).isInstanceOf(IllegalArgumentException.class);
            float[] nan = x.clone();
            nan[17] = Float.NaN;
            assertThatThrownBy(() -> index.train(nan, 100)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("NaN").hasMessageContaining("vector 2");
            float[] inf = x.clone();
            inf[0] = Float.NEGATIVE_INFINITY;
            assertThatThrownBy(() -> index.train(inf, 100)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Infinity");
            // squares that overflow float: FAISS's k-means met an infinite distance and aborted the JVM
            // (NativeIndexFuzz, regression input in core/src/test/fuzz/NativeIndexFuzz/)
            float[] huge = x.clone();
            huge[5] = Float.MAX_VALUE;
            assertThatThrownBy(() -> index.train(huge, 100)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("within");
            huge[5] = -2e15f;
            assertThatThrownBy(() -> index.train(huge, 100)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> index.search(huge, 100, 3)).isInstanceOf(IllegalArgumentException.class);
            // FAISS refuses: fewer points than lists
            assertThatThrownBy(() -> index.train(TestVectors.random(2, D, 4), 2))
                    .isInstanceOf(VectorIndexException.class);
            assertThat(index.isTrained()).isFalse();
            float[] edge = x.clone();
            edge[5] = FaissIndex.MAX_COMPONENT; // the largest allowed trains without trouble
            edge[6] = -FaissIndex.MAX_COMPONENT;
            index.train(edge, 100);
            index.addWithIds(x, TestVectors.sequentialIds(100, 0));
            assertThatThrownBy(() -> index.train(x, 100)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already contains");
        }
    }

    // ------------------------------------------------------------------ add

    @Test
    void addRejectsBadArguments() {
        try (FaissIndex index = FaissIndex.create("IDMap,Flat", D, Metric.L2)) {
            float[] x = TestVectors.random(4, D, 5);
            long[] ids = {1, 2, 3, 4};
            assertThatThrownBy(() -> index.addWithIds(null, ids)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> index.addWithIds(x, null)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> index.addWithIds(x, new long[] {1, 2, 3}))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("n * dimension");
            assertThatThrownBy(() -> index.addWithIds(new float[4 * D + 1], ids))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> index.addWithIds(x, new long[] {1, -2, 3, 4}))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ids[1]");
            float[] nan = x.clone();
            nan[D * 3 + 1] = Float.NaN;
            assertThatThrownBy(() -> index.addWithIds(nan, ids)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("vector 3");
            float[] inf = x.clone();
            inf[5] = Float.POSITIVE_INFINITY;
            assertThatThrownBy(() -> index.addWithIds(inf, ids)).isInstanceOf(IllegalArgumentException.class);
            assertThat(index.count()).isZero();
            index.addWithIds(x, ids);
            assertThat(index.count()).isEqualTo(4);
        }
    }

    @Test
    void addToIndexWithoutIdSupportNamesTheFix() {
        for (String factory : List.of("Flat", "HNSW8", "PQ4np", "SQ8", "PCA4,Flat")) {
            try (FaissIndex index = FaissIndex.create(factory, D, Metric.L2)) {
                float[] x = TestVectors.random(300, D, 6);
                if (!index.isTrained()) {
                    index.train(x, 300);
                }
                assertThatThrownBy(() -> index.addWithIds(x, TestVectors.sequentialIds(300, 0)))
                        .isInstanceOf(VectorIndexException.class)
                        .hasMessageContaining("IDMap,");
                assertThat(index.count()).isZero();
            }
        }
    }

    @Test
    void untrainedIndexRefusesAddAndSearch() {
        try (FaissIndex index = FaissIndex.create("IVF4,Flat", D, Metric.L2)) {
            float[] x = TestVectors.random(4, D, 7);
            assertThatThrownBy(() -> index.addWithIds(x, new long[] {1, 2, 3, 4}))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("not trained");
            assertThatThrownBy(() -> index.search(x, 4, 1))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("not trained");
        }
    }

    // ------------------------------------------------------------------ search

    @Test
    void searchRejectsBadArguments() {
        try (FaissIndex index = flat()) {
            float[] q = TestVectors.random(2, D, 8);
            assertThatThrownBy(() -> index.search(null, 2, 1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> index.search(q, -1, 1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> index.search(q, 3, 1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("n * dimension");
            assertThatThrownBy(() -> index.search(q, 1, 1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> index.search(q, 2, 0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("k must be");
            assertThatThrownBy(() -> index.search(q, 2, -5)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> index.search(q, 2, FaissIndex.MAX_K + 1))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> index.search(new float[2000 * D], 2000, FaissIndex.MAX_K))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("split the batch");
            assertThatThrownBy(() -> index.search(q, 2, 1, null)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("SearchParams.DEFAULT");
            float[] nan = q.clone();
            nan[D] = Float.NaN;
            assertThatThrownBy(() -> index.search(nan, 2, 1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("vector 1");
            assertThat(index.search(q, 2, FaissIndex.MAX_K).k()).isEqualTo(FaissIndex.MAX_K);
        }
    }

    @Test
    void searchParamsAreRangeChecked() {
        assertThatThrownBy(() -> new SearchParams(-1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SearchParams(0, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SearchParams.ofNprobe(SearchParams.MAX_NPROBE + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SearchParams.ofEfSearch(SearchParams.MAX_EF_SEARCH + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(SearchParams.DEFAULT).isEqualTo(new SearchParams(0, 0));
        assertThat(SearchParams.ofNprobe(3).withEfSearch(4)).isEqualTo(new SearchParams(3, 4));
    }

    @Test
    void searchResultChecksItsShape() {
        assertThatThrownBy(() -> new SearchResult(2, 2, new long[3], new float[4]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SearchResult(1, 0, new long[0], new float[0]))
                .isInstanceOf(IllegalArgumentException.class);
        SearchResult r = new SearchResult(1, 2, new long[] {5, -1}, new float[] {1f, Float.NaN});
        assertThat(r.count(0)).isEqualTo(1);
        assertThatThrownBy(() -> r.id(1, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> r.score(0, 2)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    // ------------------------------------------------------------------ close

    @Test
    void closedIndexThrowsEverywhereAndCloseIsIdempotent() {
        FaissIndex index = flat();
        index.close();
        index.close();
        assertThat(index.isClosed()).isTrue();
        assertThat(index.toString()).contains("closed");
        float[] q = TestVectors.random(1, D, 9);
        List<Runnable> calls = List.of(
                index::count, index::isTrained, index::dimension, index::metric, index::factory, index::isReadOnly,
                () -> index.search(q, 1, 1),
                () -> index.search(q, 1, 1, SearchParams.DEFAULT),
                () -> index.search(null, -1, 0, null), // closed wins over bad arguments
                () -> index.addWithIds(q, new long[] {1}),
                () -> index.train(q, 1),
                () -> index.write(dir.resolve("x.faiss")));
        for (Runnable call : calls) {
            assertThatThrownBy(call::run).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        }
        assertThat(dir.resolve("x.faiss")).doesNotExist();
    }

    // ------------------------------------------------------------------ files

    @Test
    void writeRejectsBadTargets() throws IOException {
        try (FaissIndex index = flat()) {
            assertThatThrownBy(() -> index.write(null)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> index.write(dir.resolve("missing/x.faiss")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not exist");
            Path sub = Files.createDirectory(dir.resolve("sub"));
            assertThatThrownBy(() -> index.write(sub)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("directory");
            Path file = Files.writeString(dir.resolve("plain"), "x");
            assertThatThrownBy(() -> index.write(file.resolve("x.faiss")))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void readRejectsBadFiles() throws IOException {
        assertThatThrownBy(() -> FaissIndex.read(null, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FaissIndex.read(dir.resolve("missing.faiss"), false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> FaissIndex.read(dir, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("directory");
        Path empty = Files.createFile(dir.resolve("empty.faiss"));
        assertThatThrownBy(() -> FaissIndex.read(empty, false))
                .isInstanceOf(VectorIndexException.class).hasMessageContaining("empty");
        Path tiny = Files.write(dir.resolve("tiny.faiss"), new byte[] {'I', 'x', 'M', 'p', 1, 2});
        assertThatThrownBy(() -> FaissIndex.read(tiny, true))
                .isInstanceOf(VectorIndexException.class).hasMessageContaining("too small");
        Path text = Files.writeString(dir.resolve("text.faiss"), "this is not an index, just some text .......");
        assertThatThrownBy(() -> FaissIndex.read(text, false))
                .isInstanceOf(VectorIndexException.class).hasMessageContaining("not a FAISS index");
        Path binary = Files.write(dir.resolve("zeros.faiss"), new byte[1000]);
        assertThatThrownBy(() -> FaissIndex.read(binary, false))
                .isInstanceOf(VectorIndexException.class).hasMessageContaining("\\x00");
    }

    @Test
    void memoryMappedIndexIsReadOnly() {
        Path file = dir.resolve("ro.faiss");
        try (FaissIndex index = flat()) {
            index.write(file);
        }
        try (FaissIndex ro = FaissIndex.read(file, true)) {
            assertThat(ro.isReadOnly()).isTrue();
            float[] x = TestVectors.random(1, D, 10);
            assertThatThrownBy(() -> ro.addWithIds(x, new long[] {1}))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("read-only");
            assertThatThrownBy(() -> ro.train(x, 1)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> ro.write(dir.resolve("copy.faiss"))).isInstanceOf(IllegalStateException.class);
            assertThatCode(() -> ro.search(x, 1, 3)).doesNotThrowAnyException();
        }
    }

    @Test
    void threadCountIsRangeChecked() {
        assertThatThrownBy(() -> FaissIndex.setThreads(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FaissIndex.setThreads(FaissIndex.MAX_THREADS + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
