package com.listinglens.pool;

import com.listinglens.catalog.Listing;
import com.listinglens.catalog.ListingJson;
import com.listinglens.projection.Projection;
import com.listinglens.vector.FaissIndex;
import com.listinglens.vector.Metric;
import com.listinglens.vector.SearchParams;
import com.listinglens.support.PoolWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * A pool with a learned projection: its index holds projected vectors, queries and live additions come in the
 * model's dimension and are projected by the pool, and the projection file is checked against the manifest.
 */
class ProjectedPoolTest {

    static final int D = 24;
    static final int CLASSES = 6;
    static final int PER_CLASS = 30;

    @TempDir
    Path tmp;

    /** Classes apart along a few directions, with strong nuisance variation along others. */
    static float[] data(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n * D];
        for (int i = 0; i < n; i++) {
            int c = i % CLASSES;
            for (int j = 0; j < D; j++) {
                v[i * D + j] = (float) (r.nextGaussian() * (j >= D - 3 ? 4 : 0.6) + (j == c ? 2.5 : 0));
            }
        }
        return v;
    }

    Path writePool(Path dir, Projection p, float[] raw, List<Listing> listings, String outSha) throws Exception {
        return writePool(dir, p, raw, listings, outSha, false);
    }

    Path writePool(Path dir, Projection p, float[] raw, List<Listing> listings, String outSha, boolean photoVectors) throws Exception {
        Files.createDirectories(dir);
        int n = listings.size();
        float[] projected = new float[n * p.outputDimension()];
        p.apply(raw, n, projected);
        long[] ids = new long[n];
        Arrays.setAll(ids, i -> i);
        try (FaissIndex index = FaissIndex.create("IDMap,Flat", p.outputDimension(), Metric.INNER_PRODUCT)) {
            index.addWithIds(projected, ids);
            index.write(dir.resolve(PoolFiles.INDEX));
        }
        try (BufferedWriter out = Files.newBufferedWriter(dir.resolve(PoolFiles.LISTINGS), StandardCharsets.UTF_8)) {
            for (Listing l : listings) {
                out.write(ListingJson.toLine(l));
                out.write('\n');
            }
        }
        p.write(dir.resolve("projection.bin"));
        List<Manifest.FileRef> files = new ArrayList<>(List.of(PoolFiles.describeFile(dir.resolve(PoolFiles.INDEX)),
                PoolFiles.describeFile(dir.resolve(PoolFiles.LISTINGS)), PoolFiles.describeFile(dir.resolve("projection.bin"))));
        if (photoVectors) {
            PhotoVectors.write(dir.resolve("photo-vectors.f16"), raw, n, D);
            files.add(PoolFiles.describeFile(dir.resolve("photo-vectors.f16")));
        }
        Manifest m = new Manifest(Manifest.FORMAT_VERSION, "projected-1", new Manifest.ModelRef("test", PoolWriter.SPACE, "fp32", "x"),
                p.outputDimension(), n, Instant.now(), "IDMap,Flat", "inner_product", List.of(), files,
                null, new Manifest.ProjectionRef("projection.bin", p.method(), D, p.outputDimension(),
                outSha != null ? outSha : p.sha256(), photoVectors ? "photo-vectors.f16" : null));
        PoolFiles.writeManifest(dir, m);
        return dir;
    }

    @Test
    void queriesAndAdditionsInTheModelsDimensionAreProjectedByThePool() throws Exception {
        int n = CLASSES * PER_CLASS;
        float[] raw = data(n, 1);
        int[] labels = new int[n];
        List<Listing> listings = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            labels[i] = i % CLASSES;
            listings.add(new Listing("P" + i, i + ".jpg", "t", List.of("C" + labels[i]), null, null, null, null));
        }
        Projection p = Projection.lda(raw, n, D, labels, CLASSES - 1, 0.1);
        Pool pool = Pool.open(writePool(tmp.resolve("pool"), p, raw, listings, null),
                new Pool.OpenOptions(false, true, PoolWriter.SPACE, D));
        try {
            assertThat(pool.manifest().queryDimension()).isEqualTo(D);
            assertThat(pool.manifest().dimension()).isEqualTo(CLASSES - 1);
            // held-out queries of each class find listings of their class
            float[] queries = data(CLASSES * 10, 2);
            int right = 0;
            for (int q = 0; q < CLASSES * 10; q++) {
                float[] query = Arrays.copyOfRange(queries, q * D, (q + 1) * D);
                Neighbour top = pool.search(new float[][]{query}, 1, SearchParams.DEFAULT).get(0).get(0);
                right += top.listing().category().get(0).equals("C" + (q % CLASSES)) ? 1 : 0;
            }
            assertThat(right).as("held-out queries whose nearest listing is of their class").isGreaterThan(CLASSES * 10 * 8 / 10);

            // a live addition with a raw embedding is projected too, and found by its own raw vector
            float[] fresh = Arrays.copyOfRange(data(CLASSES, 3), 2 * D, 3 * D);
            pool.overlay().apply(List.of(new Overlay.Add(new ChangeId(5, 0),
                    new Listing("NEW", "n.jpg", null, List.of("C2"), null, null, null, null), fresh)), null);
            assertThat(pool.search(new float[][]{fresh}, 1, SearchParams.DEFAULT).get(0).get(0).listing().id()).isEqualTo("NEW");
            assertThatThrownBy(() -> pool.search(new float[][]{new float[CLASSES - 1]}, 1, SearchParams.DEFAULT))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("queried with " + D);
        } finally {
            pool.discard();
        }
    }

    @Test
    void aProjectionThatDoesNotMatchItsManifestIsRefused() throws Exception {
        int n = CLASSES * PER_CLASS;
        float[] raw = data(n, 4);
        int[] labels = new int[n];
        List<Listing> listings = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            labels[i] = i % CLASSES;
            listings.add(new Listing("P" + i, i + ".jpg", "t", List.of("C" + labels[i]), null, null, null, null));
        }
        Projection p = Projection.lda(raw, n, D, labels, 3, 0.1);
        Pool.OpenOptions noChecksums = new Pool.OpenOptions(false, false, PoolWriter.SPACE, D);
        Path wrongSha = writePool(tmp.resolve("sha"), p, raw, listings, "0".repeat(64));
        assertThatThrownBy(() -> Pool.open(wrongSha, noChecksums))
                .isInstanceOfSatisfying(PoolException.class, e -> assertThat(e.reason()).isEqualTo(PoolException.CHECKSUM));
        Path good = writePool(tmp.resolve("good"), p, raw, listings, null);
        assertThatThrownBy(() -> Pool.open(good, new Pool.OpenOptions(false, true, PoolWriter.SPACE, D + 1)))
                .isInstanceOfSatisfying(PoolException.class, e -> assertThat(e.reason()).isEqualTo(PoolException.OTHER_SPACE));
        Pool.open(good, noChecksums).discard();
    }

    static float[] normalised(float[] rows, int d) {
        float[] out = rows.clone();
        for (int r = 0; r < out.length / d; r++) {
            double norm = 0;
            for (int j = 0; j < d; j++) {
                norm += out[r * d + j] * out[r * d + j];
            }
            for (int j = 0; j < d; j++) {
                out[r * d + j] /= (float) Math.sqrt(norm);
            }
        }
        return out;
    }

    static double cosine(float[] a, int ra, float[] b) {
        double dot = 0;
        for (int j = 0; j < D; j++) {
            dot += a[ra * D + j] * b[j];
        }
        return dot;
    }

    @Test
    void photoSimilarityIsTheUnprojectedCosineForPoolRowsAndLiveAdditions() throws Exception {
        int n = CLASSES * PER_CLASS;
        float[] raw = normalised(data(n, 5), D);
        int[] labels = new int[n];
        List<Listing> listings = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            labels[i] = i % CLASSES;
            listings.add(new Listing("P" + i, i + ".jpg", "t", List.of("C" + labels[i]), null, null, null, null));
        }
        Projection p = Projection.lda(raw, n, D, labels, CLASSES - 1, 0.1);
        Pool pool = Pool.open(writePool(tmp.resolve("photos"), p, raw, listings, null, true),
                new Pool.OpenOptions(false, true, PoolWriter.SPACE, D));
        try {
            float[] query = Arrays.copyOfRange(normalised(data(CLASSES, 6), D), 0, D);
            List<Neighbour> found = pool.search(new float[][]{query}, 10, SearchParams.DEFAULT).get(0);
            assertThat(found).hasSize(10);
            for (Neighbour nb : found) {
                int row = Integer.parseInt(nb.listing().id().substring(1));
                // fp16 rows: the cosine to about 1e-3
                assertThat((double) nb.photoSimilarity()).isCloseTo(cosine(raw, row, query), within(2e-3));
            }
            // the projection makes photos of one class alike: projected similarities are far above the photos' own
            assertThat(found.get(0).similarity()).isGreaterThan(found.get(0).photoSimilarity() + 0.1f);
            // a photo found by itself is a near-duplicate; others of its class are not
            float[] own = Arrays.copyOfRange(raw, 7 * D, 8 * D);
            Neighbour self = pool.search(new float[][]{own}, 1, SearchParams.DEFAULT).get(0).get(0);
            assertThat(self.listing().id()).isEqualTo("P7");
            assertThat(self.nearDuplicate(0.99)).isTrue();
            assertThat(found.stream().filter(nb -> nb.nearDuplicate(0.99))).isEmpty();

            pool.overlay().apply(List.of(new Overlay.Add(new ChangeId(9, 0),
                    new Listing("NEW", "n.jpg", null, List.of("C0"), null, null, null, null), query)), null);
            Neighbour added = pool.search(new float[][]{query}, 1, SearchParams.DEFAULT).get(0).get(0);
            assertThat(added.listing().id()).isEqualTo("NEW");
            assertThat((double) added.photoSimilarity()).isCloseTo(1.0, within(1e-5));
        } finally {
            pool.discard();
        }
        // without the listings' own embeddings the photo similarity is unknown (never a near-duplicate)
        Pool bare = Pool.open(writePool(tmp.resolve("bare"), p, raw, listings, null, false),
                new Pool.OpenOptions(false, true, PoolWriter.SPACE, D));
        try {
            Neighbour top = bare.search(new float[][]{Arrays.copyOfRange(raw, 0, D)}, 1, SearchParams.DEFAULT).get(0).get(0);
            assertThat(top.photoSimilarity()).isNaN();
            assertThat(top.nearDuplicate(0.5)).isFalse();
        } finally {
            bare.discard();
        }
    }

    @Test
    void photoVectorsOfTheWrongSizeAreRefused() throws Exception {
        Path file = tmp.resolve("pv.f16");
        PhotoVectors.write(file, new float[]{1, 0, 0, 1}, 2, 2);
        try (PhotoVectors pv = PhotoVectors.open(file, 2, 2)) {
            assertThat(pv.dot(1, new float[]{0.5f, 0.25f})).isEqualTo(0.25f);
            assertThatThrownBy(() -> pv.dot(2, new float[]{1, 1})).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> pv.dot(0, new float[]{1})).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> PhotoVectors.open(file, 3, 2))
                .isInstanceOfSatisfying(PoolException.class, e -> assertThat(e.reason()).isEqualTo(PoolException.SIZE));
        assertThatThrownBy(() -> PhotoVectors.write(file, new float[3], 2, 2)).isInstanceOf(IllegalArgumentException.class);
    }
}
