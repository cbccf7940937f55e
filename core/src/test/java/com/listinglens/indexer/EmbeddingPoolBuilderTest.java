package com.listinglens.indexer;

import com.listinglens.catalog.Listing;
import com.listinglens.pool.Manifest;
import com.listinglens.pool.Neighbour;
import com.listinglens.pool.Pool;
import com.listinglens.pool.PoolException;
import com.listinglens.pool.PoolFiles;
import com.listinglens.vector.Metric;
import com.listinglens.vector.SearchParams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EmbeddingPoolBuilderTest {

    static final int D = 16;
    /** Exact search below 1000 listings, else about 100 per list. */
    static final IndexPolicy POLICY = new IndexPolicy(1000, 100, 16, 64, 2, 8, 40, 10_000, 4);

    @TempDir
    Path dir;

    /** n clustered unit vectors (50 clusters) with listings "l-i". */
    static float[] vectors(int n) {
        SplittableRandom rng = new SplittableRandom(7);
        float[][] centres = new float[50][D];
        for (float[] c : centres) {
            for (int i = 0; i < D; i++) {
                c[i] = (float) rng.nextGaussian();
            }
        }
        float[] out = new float[n * D];
        for (int r = 0; r < n; r++) {
            float[] c = centres[r % 50];
            double norm = 0;
            for (int i = 0; i < D; i++) {
                out[r * D + i] = (float) (c[i] + 0.3 * rng.nextGaussian());
                norm += out[r * D + i] * out[r * D + i];
            }
            for (int i = 0; i < D; i++) {
                out[r * D + i] /= (float) Math.sqrt(norm);
            }
        }
        return out;
    }

    Path set(String name, int n, String projectionSha) {
        Path setDir = dir.resolve(name);
        float[] v = vectors(n);
        try (EmbeddingSet.Writer w = new EmbeddingSet.Writer(setDir, "space-a", "test-model", D, projectionSha)) {
            for (int r = 0; r < n; r++) {
                w.add(new Listing("l-" + r, "img/" + r + ".jpg", "Title " + r, List.of("Cat", "C" + (r % 50)),
                        r % 3 == 0 ? null : "Brand " + (r % 7), 100.0, 1.0 + r, Map.of()), v, r * D);
            }
            w.finish();
        }
        return setDir;
    }

    EmbeddingPoolBuilder.Report build(Path setDir, Path out, String factory, ByteArrayOutputStream log) {
        try (EmbeddingSet set = EmbeddingSet.open(setDir)) {
            return new EmbeddingPoolBuilder(new PrintStream(log, true, StandardCharsets.UTF_8)).build(
                    new EmbeddingPoolBuilder.Request(set, out, factory, POLICY, Metric.INNER_PRODUCT, null, false, 257));
        }
    }

    @Test
    void aLargeSetGetsAnInvertedFileTrainedOnASampleAndEveryListingFindsItself() throws Exception {
        int n = 3000;
        Path out = dir.resolve("pool");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        EmbeddingPoolBuilder.Report report = build(set("big", n, null), out, IndexPolicy.AUTO, log);
        Manifest m = report.manifest();
        assertThat(m.indexFactory()).isEqualTo("IVF32,PQ8np");
        assertThat(m.indexChoice().reason()).contains("3000 listings >= 1000").contains("32 lists");
        assertThat(m.indexChoice().nprobe()).isEqualTo(8);
        assertThat(m.listingCount()).isEqualTo(n);
        assertThat(m.formatVersion()).isEqualTo(Manifest.FORMAT_VERSION);
        assertThat(m.indexChoice().refine()).isEqualTo(4);
        assertThat(m.files()).extracting(Manifest.FileRef::name)
                .containsExactly(PoolFiles.INDEX, PoolFiles.LISTING_STORE, PoolFiles.INDEX_VECTORS, PoolFiles.INDEX_VECTORS_SQ8);
        String text = log.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("training on 1280 rows").contains("adding [").contains("3000/3000").contains("8-bit rows [");
        float[] v = vectors(n);
        Pool pool = Pool.open(out, new Pool.OpenOptions(false, true, "space-a", D));
        try {
            int first = 0;
            for (int r = 0; r < n; r += 7) {
                List<Neighbour> found = pool.searchProjected(new float[][]{java.util.Arrays.copyOfRange(v, r * D, (r + 1) * D)}, 5,
                        SearchParams.DEFAULT).get(0);
                assertThat(found).hasSize(5);
                if (found.get(0).listing().id().equals("l-" + r)) {
                    first++;
                }
            }
            // PQ codes are approximate; re-ranked by the fp16 rows a listing's own vector is its nearest
            assertThat(first / (double) ((n + 6) / 7)).isGreaterThan(0.98);
            assertThat(pool.listing(42).brand()).isNull();
            assertThat(pool.listing(43).brand()).isEqualTo("Brand 1");
            assertThat(pool.holds("l-2999")).isTrue();
        } finally {
            pool.discard();
        }
    }

    @Test
    void eightBitRowsRankTheCandidatesAndTheFp32RowsDecideTheBestFew() throws Exception {
        int n = 3000;
        Path out = dir.resolve("pool");
        build(set("big", n, null), out, IndexPolicy.AUTO, new ByteArrayOutputStream());
        float[] v = vectors(n);
        // many candidates (refine 40 x k), of which the fp32 rows see 2 x k: the 8-bit stage must pick them well
        Pool twoStage = Pool.open(out, new Pool.OpenOptions(false, true, "space-a", D, 40, 2));
        Pool fp32Only = Pool.open(out, new Pool.OpenOptions(false, true, "space-a", D, 40, 0));
        try {
            assertThat(twoStage.exactFactor()).isEqualTo(2);
            assertThat(fp32Only.exactFactor()).isZero();
            int same = 0;
            int queries = 0;
            for (int r = 3; r < n; r += 11) {
                float[][] q = {java.util.Arrays.copyOfRange(v, r * D, (r + 1) * D)};
                List<Neighbour> a = twoStage.searchProjected(q, 5, SearchParams.DEFAULT).get(0);
                List<Neighbour> b = fp32Only.searchProjected(q, 5, SearchParams.DEFAULT).get(0);
                assertThat(a).hasSize(5);
                // whatever the 8-bit stage kept, the similarities reported are the fp32 ones, best first
                for (int i = 0; i < a.size(); i++) {
                    Neighbour nb = a.get(i);
                    int row = Integer.parseInt(nb.listing().id().substring(2));
                    double dot = 0;
                    for (int j = 0; j < D; j++) {
                        dot += v[row * D + j] * q[0][j];
                    }
                    assertThat((double) nb.similarity()).isCloseTo(dot, org.assertj.core.data.Offset.offset(1e-5));
                    if (i > 0) {
                        assertThat(nb.similarity()).isLessThanOrEqualTo(a.get(i - 1).similarity());
                    }
                }
                assertThat(a.get(0).listing().id()).isEqualTo("l-" + r);
                if (a.stream().map(nb -> nb.listing().id()).toList().equals(b.stream().map(nb -> nb.listing().id()).toList())) {
                    same++;
                }
                queries++;
            }
            // 8-bit error (half a step, about 1e-3 here) only reorders candidates tied within it
            assertThat(same / (double) queries).isGreaterThan(0.97);
        } finally {
            twoStage.discard();
            fp32Only.discard();
        }
    }

    @Test
    void aSmallSetGetsExactSearch() throws Exception {
        Path out = dir.resolve("small-pool");
        Manifest m = build(set("small", 500, null), out, IndexPolicy.AUTO, new ByteArrayOutputStream()).manifest();
        assertThat(m.indexFactory()).isEqualTo("IDMap,Flat");
        float[] v = vectors(500);
        Pool pool = Pool.open(out, new Pool.OpenOptions(false, true, "space-a", D));
        try {
            for (int r = 0; r < 500; r++) {
                assertThat(pool.searchProjected(new float[][]{java.util.Arrays.copyOfRange(v, r * D, (r + 1) * D)}, 1,
                        SearchParams.DEFAULT).get(0).get(0).listing().id()).isEqualTo("l-" + r);
            }
        } finally {
            pool.discard();
        }
        // a given factory string is used as it is, with no recorded choice
        Manifest given = build(set("given", 500, null), dir.resolve("given-pool"), "IVF4,Flat", new ByteArrayOutputStream()).manifest();
        assertThat(given.indexFactory()).isEqualTo("IVF4,Flat");
        assertThat(given.indexChoice()).isNull();
    }

    @Test
    void listingsOutOfStepWithTheVectorsFailTheBuildAndLeaveNothing() throws Exception {
        Path setDir = set("short", 1200, null);
        List<String> lines = Files.readAllLines(setDir.resolve(EmbeddingSet.LISTINGS));
        Files.write(setDir.resolve(EmbeddingSet.LISTINGS), lines.subList(0, 1199));
        Path out = dir.resolve("short-pool");
        assertThatThrownBy(() -> build(setDir, out, IndexPolicy.AUTO, new ByteArrayOutputStream()))
                .isInstanceOf(PoolException.class).hasMessageContaining("ends at line 1199");
        assertNothingLeft(out);

        Files.write(setDir.resolve(EmbeddingSet.LISTINGS), concat(lines, lines.get(0).replace("\"l-0\"", "\"l-new\"")));
        assertThatThrownBy(() -> build(setDir, out, IndexPolicy.AUTO, new ByteArrayOutputStream()))
                .isInstanceOf(PoolException.class).hasMessageContaining("more lines");
        assertNothingLeft(out);

        List<String> dup = new java.util.ArrayList<>(lines);
        dup.set(1000, lines.get(5));
        Files.write(setDir.resolve(EmbeddingSet.LISTINGS), dup);
        assertThatThrownBy(() -> build(setDir, out, IndexPolicy.AUTO, new ByteArrayOutputStream()))
                .isInstanceOf(PoolException.class).hasMessageContaining("duplicate listing id 'l-5'");
        assertNothingLeft(out);

        List<String> bad = new java.util.ArrayList<>(lines);
        bad.set(10, "{\"id\": \"x\"}");
        Files.write(setDir.resolve(EmbeddingSet.LISTINGS), bad);
        assertThatThrownBy(() -> build(setDir, out, IndexPolicy.AUTO, new ByteArrayOutputStream()))
                .isInstanceOf(PoolException.class).hasMessageContaining(":11:").hasMessageContaining("image");
        assertNothingLeft(out);
    }

    @Test
    void incompleteOrMismatchedSetsAreRefused() throws Exception {
        Path setDir = set("cut", 100, null);
        Files.delete(setDir.resolve(EmbeddingSet.INFO));
        assertThatThrownBy(() -> EmbeddingSet.open(setDir)).isInstanceOf(PoolException.class).hasMessageContaining("unfinished");

        Path truncated = set("trunc", 100, null);
        byte[] bytes = Files.readAllBytes(truncated.resolve(EmbeddingSet.VECTORS));
        Files.write(truncated.resolve(EmbeddingSet.VECTORS), java.util.Arrays.copyOf(bytes, bytes.length - 4));
        assertThatThrownBy(() -> EmbeddingSet.open(truncated)).isInstanceOf(PoolException.class).hasMessageContaining("6396 bytes");

        Path projected = set("projected", 100, "abc");
        assertThatThrownBy(() -> build(projected, dir.resolve("p"), IndexPolicy.AUTO, new ByteArrayOutputStream()))
                .isInstanceOf(PoolException.class).hasMessageContaining("--projection-of");

        Path exists = dir.resolve("exists");
        build(set("one", 100, null), exists, IndexPolicy.AUTO, new ByteArrayOutputStream());
        assertThatThrownBy(() -> build(set("two", 100, null), exists, IndexPolicy.AUTO, new ByteArrayOutputStream()))
                .isInstanceOf(PoolException.class).hasMessageContaining("--replace");
    }

    private void assertNothingLeft(Path out) throws Exception {
        assertThat(out).doesNotExist();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(name -> name.contains(".building-"));
        }
    }

    private static List<String> concat(List<String> a, String b) {
        List<String> out = new java.util.ArrayList<>(a);
        out.add(b);
        return out;
    }
}
