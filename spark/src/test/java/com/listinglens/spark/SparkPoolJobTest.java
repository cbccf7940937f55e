package com.listinglens.spark;

import com.listinglens.catalog.CatalogReader;
import com.listinglens.catalog.Listing;
import com.listinglens.config.ConfigLoader;
import com.listinglens.config.LensConfig;
import com.listinglens.config.Settings;
import com.listinglens.embedding.DjlEmbedder;
import com.listinglens.embedding.Embedder;
import com.listinglens.indexer.PhotoEmbedding;
import com.listinglens.pool.Manifest;
import com.listinglens.pool.Neighbour;
import com.listinglens.pool.Pool;
import com.listinglens.pool.PoolFiles;
import com.listinglens.support.TestPools;
import com.listinglens.vector.FaissIndex;
import com.listinglens.vector.IdCensus;
import com.listinglens.vector.SearchParams;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Spark job in local mode (local[2], two task attempts allowed) on the grocery catalog, against the pool the
 * single-machine builder makes of the same catalogs (the demo pool): same listings, same manifest shape, the same top-10
 * neighbours for the val uploads; and a first attempt of an embedding task and of an encoding task that fail after
 * doing their work leave no listing twice and none missing.
 */
class SparkPoolJobTest {

    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2,2]").appName("lens-test")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "4")
                .getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void buildsThePoolTheSingleMachineBuilderBuildsWithRetriedTasks() throws Exception {
        Path single = TestPools.demo();
        Path out = Path.of("target/test-pools/spark-demo").toAbsolutePath();
        Path grocery = TestPools.grocery();
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream log = new PrintStream(new TeeStream(captured, System.err), true, StandardCharsets.UTF_8);
        SparkPoolJob job = new SparkPoolJob(spark, log);
        int code = new CommandLine(job).execute("--catalog", grocery.resolve("train.jsonl").toString(),
                "--catalog", grocery.resolve("iconic.jsonl").toString(), "--out", out.toString(), "--replace",
                "--partitions", "6", "--fail-once", "embed:1,encode:2");
        assertThat(code).isZero();
        SparkPoolJob.Result result = job.result();
        assertThat(result.shards()).isEqualTo(6);

        Manifest a = PoolFiles.readManifest(single);
        Manifest b = PoolFiles.readManifest(out);
        assertThat(b.listingCount()).isEqualTo(a.listingCount());
        assertThat(b.dimension()).isEqualTo(a.dimension());
        assertThat(b.indexFactory()).isEqualTo(a.indexFactory());
        assertThat(b.model().space()).isEqualTo(a.model().space());
        assertThat(b.model().sha256()).isEqualTo(a.model().sha256());
        assertThat(b.projection()).isNotNull();
        assertThat(b.projection().outputDimension()).isEqualTo(a.projection().outputDimension());
        assertThat(b.files().stream().map(Manifest.FileRef::name).collect(Collectors.toSet()))
                .isEqualTo(a.files().stream().map(Manifest.FileRef::name).collect(Collectors.toSet()));
        assertThat(b.calibration()).isNotNull();
        for (int i = 0; i < 2; i++) {
            Manifest.SourceCatalog x = a.sources().get(i);
            Manifest.SourceCatalog y = b.sources().get(i);
            assertThat(y.sha256()).isEqualTo(x.sha256());
            assertThat(List.of(y.lines(), y.accepted(), y.rejected(), y.unreadableImages()))
                    .isEqualTo(List.of(x.lines(), x.accepted(), x.rejected(), x.unreadableImages()));
        }
        // every listing exactly once: the index's ids are the rows 0..n-1, each once, despite the retried tasks
        try (FaissIndex index = FaissIndex.read(out.resolve(PoolFiles.INDEX), false)) {
            IdCensus census = index.censusIds(b.listingCount());
            assertThat(census.exact()).as("%s", census).isTrue();
        }
        // the embeddings and metadata were written as Parquet: one row per catalog line
        assertThat(spark.read().parquet(out + ".spark-work/embeddings").count()).isEqualTo(result.lines());

        LensConfig config = ConfigLoader.load();
        List<Listing> val = CatalogReader.read(grocery.resolve("val.jsonl")).listings();
        float[][] queries = new float[val.size()][];
        try (Embedder embedder = new DjlEmbedder(Settings.model(config.model(), config.model().precision()));
             PhotoEmbedding photos = new PhotoEmbedding(Settings.decoder(config.image()), Settings.scales(config), embedder,
                     config.model().batchSize(), config.build().decodeThreads())) {
            int[] i = {0};
            photos.embed(val, l -> grocery.resolve(l.image()), new PhotoEmbedding.Sink<>() {
                @Override
                public void embedded(Listing item, float[] embedding) {
                    queries[i[0]++] = embedding;
                }

                @Override
                public void unusable(Listing item, Throwable cause) {
                    throw new AssertionError("val photo " + item.image() + " unusable", cause);
                }
            }, null);
            int same = 0;
            Pool p = Settings.openPool(config, single, embedder);
            Pool q = Settings.openPool(config, out, embedder);
            try {
                List<List<Neighbour>> x = p.search(queries, 10, SearchParams.DEFAULT);
                List<List<Neighbour>> y = q.search(queries, 10, SearchParams.DEFAULT);
                for (int k = 0; k < queries.length; k++) {
                    if (ids(x.get(k)).equals(ids(y.get(k)))) {
                        same++;
                    }
                }
            } finally {
                p.discard();
                q.discard();
            }
            double agreement = (double) same / queries.length;
            System.err.printf(Locale.ROOT, "spark vs single-machine pool: same top-10 ids for %d of %d val uploads (%.2f %%)%n",
                    same, queries.length, 100 * agreement);
            assertThat(agreement).isGreaterThanOrEqualTo(0.99);
        }
    }

    private static Set<String> ids(List<Neighbour> found) {
        Set<String> ids = new HashSet<>();
        found.forEach(nb -> ids.add(nb.listing().id()));
        return ids;
    }

    /** Writes to two streams. */
    private static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream a;
        private final java.io.OutputStream b;

        TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int x) throws java.io.IOException {
            a.write(x);
            b.write(x);
        }

        @Override
        public void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }
    }
}
