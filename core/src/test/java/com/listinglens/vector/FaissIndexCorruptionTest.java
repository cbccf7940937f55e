package com.listinglens.vector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Truncated and corrupted index files must raise Java exceptions (or, when the corruption happens
 * to leave a valid index, give a usable one), and never crash the JVM: if one of these tests
 * "fails" by killing the test JVM, the native checks have a hole.
 */
@ExtendWith(SingleOmpThread.class)
class FaissIndexCorruptionTest {

    @TempDir
    Path dir;

    /** Small indexes of every supported family, so that every prefix can be tried. */
    static Stream<Arguments> smallIndexes() {
        return Stream.of(
                Arguments.of("IDMap,Flat", 4, 12),
                Arguments.of("IDMap,HNSW4", 4, 40),
                Arguments.of("IDMap2,HNSW4_SQ8", 4, 30),
                Arguments.of("IVF4,Flat", 4, 40),
                Arguments.of("IVF4_HNSW2,SQ8", 4, 40),
                Arguments.of("IDMap,PCA4,IVF4,PQ2x4np", 8, 64),
                Arguments.of("IDMap,L2norm,RR4,PQ2x4np", 4, 32),
                Arguments.of("IDMap,SQ4", 6, 10));
    }

    private byte[] build(String factory, int d, int n) throws IOException {
        float[] x = TestVectors.random(n, d, factory.hashCode());
        Path file = dir.resolve("source.faiss");
        try (FaissIndex index = FaissIndex.create(factory, d, Metric.L2)) {
            if (!index.isTrained()) {
                index.train(x, n);
            }
            index.addWithIds(x, TestVectors.sequentialIds(n, 7));
            index.write(file);
        }
        return Files.readAllBytes(file);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("smallIndexes")
    void everyTruncationIsRejected(String factory, int d, int n) throws IOException {
        byte[] bytes = build(factory, d, n);
        assertThat(bytes.length).isLessThan(20_000);
        Path file = dir.resolve("truncated.faiss");
        for (int len : truncationLengths(bytes.length, factory.hashCode())) {
            Files.write(file, Arrays.copyOf(bytes, len));
            boolean mmap = len % 2 == 1;
            final int l = len;
            assertThatThrownBy(() -> FaissIndex.read(file, mmap).close())
                    .as("%s truncated to %d of %d bytes", factory, l, bytes.length)
                    .isInstanceOf(VectorIndexException.class);
        }
        // trailing garbage is rejected as well
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 3);
        Files.write(file, longer);
        assertThatThrownBy(() -> FaissIndex.read(file, false))
                .isInstanceOf(VectorIndexException.class)
                .hasMessageContaining("trailing");
        // and the intact file still reads
        Files.write(file, bytes);
        try (FaissIndex ok = FaissIndex.read(file, false)) {
            assertThat(ok.count()).isEqualTo(n);
        }
    }

    /**
     * Every prefix length for files up to 1500 bytes; for larger ones every length in the first 256
     * and last 64 bytes plus 400 seeded lengths in between.
     */
    private static int[] truncationLengths(int size, long seed) {
        if (size <= 1500) {
            return java.util.stream.IntStream.range(0, size).toArray();
        }
        Random random = new Random(seed);
        return java.util.stream.IntStream.concat(
                        java.util.stream.IntStream.concat(
                                java.util.stream.IntStream.range(0, 256),
                                java.util.stream.IntStream.range(size - 64, size)),
                        random.ints(400, 256, size - 64))
                .distinct()
                .sorted()
                .toArray();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("smallIndexes")
    void randomCorruptionNeverCrashes(String factory, int d, int n) throws IOException {
        byte[] bytes = build(factory, d, n);
        Random random = new Random(42 + factory.hashCode());
        Path file = dir.resolve("corrupt.faiss");
        Path copy = dir.resolve("rewritten.faiss");
        float[] queries = TestVectors.random(3, d, 9);
        int rejected = 0;
        int usable = 0;
        for (int round = 0; round < 300; round++) {
            byte[] bad = bytes.clone();
            int flips = 1 + random.nextInt(3);
            for (int f = 0; f < flips; f++) {
                // half of the damage lands in the first 128 bytes (headers, counts, sizes)
                int pos = random.nextBoolean() ? random.nextInt(Math.min(128, bad.length)) : random.nextInt(bad.length);
                switch (random.nextInt(4)) {
                    case 0 -> bad[pos] ^= (byte) (1 << random.nextInt(8));
                    case 1 -> bad[pos] = (byte) random.nextInt(256);
                    case 2 -> bad[pos] = (byte) 0xff;
                    default -> { // a whole 8-byte field: huge / negative lengths
                        long v = random.nextBoolean() ? random.nextLong() : 1L << random.nextInt(63);
                        int at = Math.min(pos, bad.length - 8);
                        ByteBuffer.wrap(bad, at, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(v);
                    }
                }
            }
            Files.write(file, bad);
            FaissIndex index;
            try {
                index = FaissIndex.read(file, random.nextBoolean());
            } catch (VectorIndexException e) {
                rejected++;
                assertThat(e.getMessage()).isNotBlank();
                continue;
            }
            // the damage left a structurally valid index: it must be fully usable
            usable++;
            try (index) {
                assertThat(index.count()).isBetween(0L, (long) n);
                assertThat(index.dimension()).isPositive();
                if (index.isTrained()) {
                    SearchResult r = index.search(
                            index.dimension() == d ? queries : new float[3 * index.dimension()], 3, 4,
                            new SearchParams(4, 32));
                    assertThat(Arrays.stream(r.ids()).allMatch(id -> id >= -1)).isTrue();
                }
                if (!index.isReadOnly()) {
                    index.write(copy);
                    try (FaissIndex again = FaissIndex.read(copy, false)) {
                        assertThat(again.count()).isEqualTo(index.count());
                    }
                }
            } catch (VectorIndexException e) {
                // acceptable (e.g. FAISS refusing an odd but valid parameter), as long as it is Java
                assertThat(e.getMessage()).isNotBlank();
            }
        }
        assertThat(rejected + usable).isEqualTo(300);
        assertThat(rejected).as("rejected corruptions for %s", factory).isGreaterThan(100);
    }

    // ------------------------------------------------------------------ targeted corruptions

    private static long getLong(byte[] b, int at) {
        return ByteBuffer.wrap(b, at, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static int getInt(byte[] b, int at) {
        return ByteBuffer.wrap(b, at, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    private static void putLong(byte[] b, int at, long v) {
        ByteBuffer.wrap(b, at, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(v);
    }

    private static void putInt(byte[] b, int at, int v) {
        ByteBuffer.wrap(b, at, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(v);
    }

    private static int find(byte[] b, String fourcc) {
        byte[] p = fourcc.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + 4 <= b.length; i++) {
            for (int j = 0; j < 4; j++) {
                if (b[i + j] != p[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError(fourcc + " not found");
    }

    private void expectRejected(byte[] bad, String messagePart) throws IOException {
        Path file = dir.resolve("targeted.faiss");
        Files.write(file, bad);
        for (boolean mmap : new boolean[] {false, true}) {
            assertThatThrownBy(() -> FaissIndex.read(file, mmap))
                    .isInstanceOf(VectorIndexException.class)
                    .hasMessageContaining(messagePart);
        }
    }

    // index header: fourcc(4) d(4) ntotal(8) reserved(16) trained(1) metric(4) = 37 bytes
    private static final int HEADER = 37;

    @Test
    void headerFieldsAreChecked() throws IOException {
        byte[] ok = build("IDMap,Flat", 4, 12);
        byte[] bad = ok.clone();
        putInt(bad, 4, -1);
        expectRejected(bad, "dimension");
        bad = ok.clone();
        putInt(bad, 4, 1 << 30);
        expectRejected(bad, "dimension");
        bad = ok.clone();
        putLong(bad, 8, -5);
        expectRejected(bad, "vector count");
        bad = ok.clone();
        bad[32] = 7;
        expectRejected(bad, "not a boolean");
        bad = ok.clone();
        putInt(bad, 33, 5);
        expectRejected(bad, "metric");
        bad = ok.clone();
        putInt(bad, HEADER + 4, 5); // sub-index dimension no longer matches its data
        expectRejected(bad, "expected 12 x 5");
    }

    @Test
    void hugeLengthFieldsNeverReachAnAllocation() throws IOException {
        byte[] ok = build("IDMap,Flat", 4, 12);
        int vectors = HEADER + HEADER; // count of the flat storage vector
        assertThat(getLong(ok, vectors)).isEqualTo(12 * 4);
        for (long claim : new long[] {1L << 39, 1L << 62, -1L, 12 * 4 + 1}) {
            byte[] bad = ok.clone();
            putLong(bad, vectors, claim);
            expectRejected(bad, "flat");
        }
        byte[] bad = ok.clone();
        int idMap = ok.length - 12 * 8 - 8;
        assertThat(getLong(ok, idMap)).isEqualTo(12);
        putLong(bad, idMap, 1L << 40);
        expectRejected(bad, "id map");
    }

    @Test
    void ivfListTablesAreChecked() throws IOException {
        byte[] ok = build("IVF4,Flat", 4, 40);
        byte[] bad = ok.clone();
        putLong(bad, HEADER, 1L << 40); // nlist
        expectRejected(bad, "nlist");
        bad = ok.clone();
        putLong(bad, HEADER + 8, 0); // nprobe
        expectRejected(bad, "nprobe");

        int ilar = find(ok, "ilar");
        int listType = ilar + 4 + 8 + 8;
        String type = new String(ok, listType, 4, StandardCharsets.US_ASCII);
        assertThat(type).isEqualTo("full");
        int firstSize = listType + 4 + 8;
        bad = ok.clone();
        putLong(bad, firstSize, 1L << 40);
        expectRejected(bad, "inverted list");
        bad = ok.clone();
        putLong(bad, firstSize, getLong(ok, firstSize) + 1); // sizes no longer add up
        expectRejected(bad, "inverted lists hold");
        bad = ok.clone();
        putLong(bad, ilar + 4 + 8, 1L << 50); // code size
        expectRejected(bad, "code size");
        bad = ok.clone();
        System.arraycopy("sprs".getBytes(StandardCharsets.US_ASCII), 0, bad, listType, 4);
        putLong(bad, listType + 4, 3); // odd sparse table
        expectRejected(bad, "sparse");
        bad = ok.clone();
        System.arraycopy("il00".getBytes(StandardCharsets.US_ASCII), 0, bad, ilar, 4);
        expectRejected(bad, "inverted lists of type");
    }

    @Test
    void quantizerParametersAreChecked() throws IOException {
        byte[] pq = build("IDMap,PQ2x4np", 4, 32);
        int pqFields = HEADER + HEADER; // d, M, nbits (size_t each)
        assertThat(getLong(pq, pqFields)).isEqualTo(4);
        assertThat(getLong(pq, pqFields + 8)).isEqualTo(2);
        byte[] bad = pq.clone();
        putLong(bad, pqFields + 8, 0); // M = 0 would divide by zero inside FAISS
        expectRejected(bad, "sub-quantizer");
        bad = pq.clone();
        putLong(bad, pqFields + 8, 3); // does not divide d
        expectRejected(bad, "sub-quantizer");
        bad = pq.clone();
        putLong(bad, pqFields + 16, 40); // 2^40 centroids
        expectRejected(bad, "PQ bits");

        byte[] sq = build("IDMap,SQ8", 4, 10);
        bad = sq.clone();
        putInt(bad, HEADER + HEADER, 99); // qtype
        expectRejected(bad, "scalar quantizer type");
    }

    @Test
    void hnswGraphIsChecked() throws IOException {
        int n = 40;
        byte[] ok = build("IDMap,HNSW4", 4, n);
        int at = HEADER + HEADER;
        long probas = getLong(ok, at);
        at += 8 + 8 * (int) probas;
        long levels = getLong(ok, at);
        assertThat(levels).isEqualTo(probas + 1); // cum_nneighbor_per_level
        int cumTable = at + 8;
        at += 8 + 4 * (int) levels;
        int levelTable = at + 8;
        assertThat(getLong(ok, at)).isEqualTo(n);
        at += 8 + 4 * n;
        assertThat(getLong(ok, at)).isEqualTo(n + 1); // offsets
        int offsetTable = at + 8;
        at += 8 + 8 * (n + 1);
        long links = getLong(ok, at);
        int linkTable = at + 8;
        int params = linkTable + 4 * (int) links; // entry_point, max_level, efConstruction, efSearch, upper_beam

        byte[] bad = ok.clone();
        putInt(bad, linkTable, n + 5);
        expectRejected(bad, "out of range");
        bad = ok.clone();
        putInt(bad, linkTable, -7);
        expectRejected(bad, "out of range");
        bad = ok.clone();
        putInt(bad, levelTable, 60); // node 0 claims 60 levels
        expectRejected(bad, "level");
        bad = ok.clone();
        putInt(bad, params, n); // entry point
        expectRejected(bad, "entry point");
        bad = ok.clone();
        putInt(bad, params + 12, 1 << 30); // efSearch
        expectRejected(bad, "efSearch");

        // a link on level 1 to a node that only exists on level 0
        int upper = -1;
        int lower = -1;
        for (int node = 0; node < n; node++) {
            int lv = getInt(ok, levelTable + 4 * node);
            if (lv >= 2 && upper < 0) {
                upper = node;
            } else if (lv == 1 && lower < 0) {
                lower = node;
            }
        }
        assertThat(upper).as("a node on level 1").isNotNegative();
        int level1Start = (int) getLong(ok, offsetTable + 8 * upper) + getInt(ok, cumTable + 4);
        bad = ok.clone();
        putInt(bad, linkTable + 4 * level1Start, lower);
        expectRejected(bad, "only has");

        // a level table that no longer matches the link table
        byte[] promoted = null;
        for (int node = 0; node < n && promoted == null; node++) {
            int lv = getInt(ok, levelTable + 4 * node);
            if (lv == 1) {
                promoted = ok.clone();
                putInt(promoted, levelTable + 4 * node, 2); // level table no longer matches offsets
            }
        }
        assertThat(promoted).isNotNull();
        expectRejected(promoted, "link table");
    }

    @Test
    void unsupportedTypesAreNamed() throws IOException {
        byte[] ok = build("IDMap,Flat", 4, 12);
        byte[] bad = ok.clone();
        System.arraycopy("IxHe".getBytes(StandardCharsets.US_ASCII), 0, bad, HEADER, 4); // LSH inside IDMap
        expectRejected(bad, "IxHe");
        bad = ok.clone();
        System.arraycopy("IwFl".getBytes(StandardCharsets.US_ASCII), 0, bad, 0, 4); // wrong top-level type
        Path file = dir.resolve("wrongtype.faiss");
        Files.write(file, bad);
        try {
            FaissIndex.read(file, false).close();
            fail("expected a rejection");
        } catch (VectorIndexException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }
}
