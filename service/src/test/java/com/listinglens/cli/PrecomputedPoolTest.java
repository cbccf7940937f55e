package com.listinglens.cli;

import com.listinglens.catalog.Listing;
import com.listinglens.config.ConfigLoader;
import com.listinglens.indexer.EmbeddingSet;
import com.listinglens.pool.ListingStore;
import com.listinglens.pool.Manifest;
import com.listinglens.pool.Neighbour;
import com.listinglens.pool.PhotoVectors;
import com.listinglens.pool.Pool;
import com.listinglens.pool.PoolException;
import com.listinglens.pool.PoolFiles;
import com.listinglens.projection.Projection;
import com.listinglens.support.TestPools;
import com.listinglens.vector.SearchParams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A pool built from precomputed embeddings (bin/lens build-pool --embeddings), large enough by the policy to get an
 * inverted file of PQ codes with re-ranking, carrying the demo pool's projection: the service opens it with its own
 * options and a photo's model embedding finds its listing through the same search the service runs.
 */
class PrecomputedPoolTest {

    static final Map<String, String> SMALL_POLICY = Map.of("lens.build.auto.exact-below", "1000", "lens.build.auto.list-size", "100",
            "lens.build.auto.min-lists", "16", "lens.build.auto.max-lists", "64");

    @TempDir
    Path dir;

    @AfterEach
    void clear() {
        SMALL_POLICY.keySet().forEach(System::clearProperty);
    }

    @Test
    void aPoolOfPrecomputedEmbeddingsIsServedLikeABuiltOne() throws Exception {
        Path demo = TestPools.demo();
        Manifest base = PoolFiles.readManifest(demo);
        Manifest.ProjectionRef ref = base.projection();
        Projection projection = Projection.read(demo.resolve(ref.file()));
        int n = (int) base.listingCount();
        Path set = dir.resolve("set");
        float[][] photos = new float[n][ref.inputDimension()];
        try (PhotoVectors vectors = PhotoVectors.open(demo.resolve(ref.photoVectors()), n, ref.inputDimension());
             ListingStore store = ListingStore.open(demo.resolve(PoolFiles.LISTING_STORE));
             EmbeddingSet.Writer w = new EmbeddingSet.Writer(set, base.model().space(), base.model().name(), ref.outputDimension(),
                     ref.sha256())) {
            for (int r = 0; r < n; r++) {
                vectors.row(r, photos[r]);
                w.add(store.listing(r), projection.apply(photos[r]), 0);
            }
            w.finish();
        }
        Path out = dir.resolve("pool");
        SMALL_POLICY.forEach(System::setProperty);
        assertThat(LensCli.execute("build-pool", "--embeddings", set.toString(), "--projection-of", demo.toString(),
                "--out", out.toString())).isZero();

        Manifest m = PoolFiles.readManifest(out);
        assertThat(m.indexFactory()).isEqualTo("IVF32,PQ" + ref.outputDimension() / 2 + "np");
        assertThat(m.indexChoice().refine()).isEqualTo(ConfigLoader.load().build().auto().refine()).isPositive();
        assertThat(m.projection().sha256()).isEqualTo(ref.sha256());
        assertThat(m.projection().photoVectors()).isNull();
        assertThat(m.model().space()).isEqualTo(base.model().space());
        assertThat(m.listingCount()).isEqualTo(n);

        // opened as the service opens its pool: checksums, its space and the model's dimension
        Pool pool = Pool.open(out, new Pool.OpenOptions(false, true, base.model().space(), ref.inputDimension()));
        try {
            int first = 0;
            int asked = 0;
            for (int r = 0; r < n; r += 13) {
                asked++;
                List<Neighbour> found = pool.search(new float[][]{photos[r]}, 10, SearchParams.DEFAULT).get(0);
                assertThat(found).hasSize(10);
                Listing expected = pool.listing(r);
                if (found.get(0).listing().equals(expected)) {
                    first++;
                }
            }
            assertThat(first).isEqualTo(asked);
        } finally {
            pool.discard();
        }
        assertThatThrownBy(() -> Pool.open(out, new Pool.OpenOptions(false, true, "another-space", ref.inputDimension())))
                .isInstanceOf(PoolException.class).hasMessageContaining("another-space");

        // a set made with another projection is refused
        assertThat(LensCli.execute("build-pool", "--embeddings", set.toString(), "--out", dir.resolve("unprojected").toString()))
                .isNotZero();
        assertThat(dir.resolve("unprojected")).doesNotExist();
    }
}
