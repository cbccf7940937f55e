package com.listinglens.vector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** write / read round trips, with and without memory mapping. */
@ExtendWith(SingleOmpThread.class)
class FaissIndexPersistenceTest {

    private static final int D = 32;
    private static final int N = 1500;

    @TempDir
    Path dir;

    static Stream<Arguments> kinds() {
        return Stream.of(
                Arguments.of("IDMap,Flat", Metric.L2, "IDMap,Flat"),
                Arguments.of("IDMap,Flat", Metric.INNER_PRODUCT, "IDMap,Flat"),
                Arguments.of("IDMap2,Flat", Metric.L2, "IDMap2,Flat"),
                Arguments.of("IVF16,Flat", Metric.L2, "IVF16,Flat"),
                Arguments.of("IVF16,Flat", Metric.INNER_PRODUCT, "IVF16,Flat"),
                Arguments.of("IDMap,IVF16,Flat", Metric.L2, "IDMap,IVF16,Flat"),
                Arguments.of("IDMap,HNSW16", Metric.L2, "IDMap,HNSW16"),
                Arguments.of("IDMap,HNSW16", Metric.INNER_PRODUCT, "IDMap,HNSW16"),
                Arguments.of("IDMap,HNSW8_SQ8", Metric.L2, "IDMap,HNSW8_SQ8"),
                Arguments.of("PCA16,IVF16,SQ8", Metric.L2, "PCA16,IVF16,SQ8"),
                Arguments.of("IVF16,PQ8x4np", Metric.L2, "IVF16,PQ8x4"),
                Arguments.of("IVF16,PQ8x4np", Metric.INNER_PRODUCT, "IVF16,PQ8x4"),
                Arguments.of("IDMap,PQ8x4np", Metric.L2, "IDMap,PQ8x4"),
                Arguments.of("IDMap,SQfp16", Metric.INNER_PRODUCT, "IDMap,SQfp16"),
                Arguments.of("IDMap,L2norm,RR32,IVF8_HNSW4,Flat", Metric.INNER_PRODUCT, "IDMap,L2norm,RR32,IVF8_HNSW4,Flat"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("kinds")
    void roundTripGivesIdenticalResults(String factory, Metric metric, String description) {
        float[] x = TestVectors.random(N, D, 1);
        float[] q = TestVectors.random(25, D, 2);
        long[] ids = TestVectors.ids(N, 3);
        Path file = dir.resolve("index.faiss");
        List<SearchParams> params = List.of(SearchParams.DEFAULT, SearchParams.ofNprobe(5), SearchParams.ofEfSearch(64));
        SearchResult[] expected = new SearchResult[params.size()];
        try (FaissIndex index = FaissIndex.create(factory, D, metric)) {
            if (!index.isTrained()) {
                index.train(x, N);
            }
            index.addWithIds(x, ids);
            for (int i = 0; i < params.size(); i++) {
                expected[i] = index.search(q, 25, 10, params.get(i));
            }
            index.write(file);
        }
        assertThat(file).isRegularFile();
        for (boolean mmap : new boolean[] {false, true}) {
            try (FaissIndex back = FaissIndex.read(file, mmap)) {
                assertThat(back.count()).isEqualTo(N);
                assertThat(back.dimension()).isEqualTo(D);
                assertThat(back.metric()).isEqualTo(metric);
                assertThat(back.isTrained()).isTrue();
                assertThat(back.isReadOnly()).isEqualTo(mmap);
                assertThat(back.factory()).isEqualTo(description);
                for (int i = 0; i < params.size(); i++) {
                    assertThat(back.search(q, 25, 10, params.get(i)))
                            .as("%s mmap=%s params=%s", factory, mmap, params.get(i))
                            .isEqualTo(expected[i]);
                }
            }
        }
    }

    @Test
    void readIndexCanBeExtendedAndRewritten() {
        float[] x = TestVectors.random(600, D, 4);
        Path file = dir.resolve("grow.faiss");
        try (FaissIndex index = FaissIndex.create("IDMap,HNSW16", D, Metric.L2)) {
            index.addWithIds(Arrays.copyOf(x, 300 * D), TestVectors.sequentialIds(300, 0));
            index.write(file);
        }
        try (FaissIndex index = FaissIndex.read(file, false)) {
            index.addWithIds(Arrays.copyOfRange(x, 300 * D, 600 * D), TestVectors.sequentialIds(300, 300));
            index.write(file); // replaces the file it was read from
        }
        try (FaissIndex index = FaissIndex.read(file, false)) {
            assertThat(index.count()).isEqualTo(600);
            SearchResult r = index.search(x, 600, 1, SearchParams.ofEfSearch(100));
            int self = 0;
            for (int i = 0; i < 600; i++) {
                self += r.id(i, 0) == i ? 1 : 0;
            }
            assertThat(self).isGreaterThan(590);
        }
    }

    @Test
    void emptyAndUntrainedIndexesRoundTrip() {
        Path untrained = dir.resolve("untrained.faiss");
        Path empty = dir.resolve("empty.faiss");
        try (FaissIndex a = FaissIndex.create("IDMap,PCA16,IVF8,Flat", D, Metric.L2);
                FaissIndex b = FaissIndex.create("IDMap,HNSW8", D, Metric.INNER_PRODUCT)) {
            a.write(untrained);
            b.write(empty);
        }
        float[] x = TestVectors.random(400, D, 5);
        try (FaissIndex a = FaissIndex.read(untrained, false); FaissIndex b = FaissIndex.read(empty, true)) {
            assertThat(a.isTrained()).isFalse();
            assertThat(a.factory()).isEqualTo("IDMap,PCA16,IVF8,Flat");
            a.train(x, 400);
            a.addWithIds(x, TestVectors.sequentialIds(400, 0));
            assertThat(a.search(TestVectors.row(x, 0, D), 1, 1, SearchParams.ofNprobe(8)).id(0, 0)).isZero();
            assertThat(b.count()).isZero();
            assertThat(b.search(Arrays.copyOf(x, 2 * D), 2, 3).ids()).containsOnly(-1L);
        }
    }

    @Test
    void writeReplacesAtomicallyAndLeavesNoTemporaryFiles() throws IOException {
        Path file = dir.resolve("snap.faiss");
        Files.writeString(file, "old content");
        float[] x = TestVectors.random(100, D, 6);
        try (FaissIndex index = FaissIndex.create("IDMap,Flat", D, Metric.L2)) {
            index.addWithIds(x, TestVectors.sequentialIds(100, 0));
            index.write(file);
            index.write(file);
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
        try (FaissIndex back = FaissIndex.read(file, false)) {
            assertThat(back.count()).isEqualTo(100);
        }
    }

    @Test
    void memoryMappingMapsIvfListsOnly() throws IOException {
        float[] x = TestVectors.random(1000, D, 7);
        Path ivf = dir.resolve("ivf-mapped.faiss");
        Path flat = dir.resolve("flat-mapped.faiss");
        try (FaissIndex a = FaissIndex.create("IDMap,IVF8,Flat", D, Metric.L2);
                FaissIndex b = FaissIndex.create("IDMap,Flat", D, Metric.L2)) {
            a.train(x, 1000);
            a.addWithIds(x, TestVectors.sequentialIds(1000, 0));
            b.addWithIds(x, TestVectors.sequentialIds(1000, 0));
            a.write(ivf);
            b.write(flat);
        }
        try (FaissIndex a = FaissIndex.read(ivf, true); FaissIndex b = FaissIndex.read(flat, true)) {
            String maps = Files.readString(Path.of("/proc/self/maps"));
            assertThat(maps).contains(ivf.toString());
            assertThat(maps).doesNotContain(flat.toString());
            assertThat(a.search(Arrays.copyOf(x, 5 * D), 5, 1, SearchParams.ofNprobe(8)).id(4, 0)).isEqualTo(4);
            assertThat(b.search(Arrays.copyOf(x, 5 * D), 5, 1).id(4, 0)).isEqualTo(4);
        }
        assertThat(Files.readString(Path.of("/proc/self/maps"))).doesNotContain(ivf.toString());
        try (FaissIndex a = FaissIndex.read(ivf, false)) {
            assertThat(Files.readString(Path.of("/proc/self/maps"))).doesNotContain(ivf.toString());
            assertThat(a.isReadOnly()).isFalse();
        }
    }

    @Test
    void mappedFileMayBeReplacedByWrite() {
        float[] x = TestVectors.random(500, D, 8);
        Path file = dir.resolve("live.faiss");
        try (FaissIndex index = FaissIndex.create("IVF8,Flat", D, Metric.L2)) {
            index.train(x, 500);
            index.addWithIds(x, TestVectors.sequentialIds(500, 0));
            index.write(file);
            try (FaissIndex mapped = FaissIndex.read(file, true)) {
                SearchResult before = mapped.search(Arrays.copyOf(x, 10 * D), 10, 5, SearchParams.ofNprobe(8));
                index.addWithIds(x, TestVectors.sequentialIds(500, 1000));
                index.write(file); // rename over the mapped file: the mapping keeps the old inode
                assertThat(mapped.search(Arrays.copyOf(x, 10 * D), 10, 5, SearchParams.ofNprobe(8))).isEqualTo(before);
                assertThat(mapped.count()).isEqualTo(500);
            }
        }
        try (FaissIndex back = FaissIndex.read(file, true)) {
            assertThat(back.count()).isEqualTo(1000);
            assertThatThrownBy(() -> back.write(dir.resolve("other.faiss"))).isInstanceOf(IllegalStateException.class);
        }
    }
}
