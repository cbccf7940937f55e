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

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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

    /** Where --publish publishes in these tests: a real S3 protocol server, configured as the service would be. */
    static com.listinglens.support.S3ProxyServer s3;
    static final String BUCKET = "lens-spark";

    @BeforeAll
    static void start() throws Exception {
        s3 = com.listinglens.support.S3ProxyServer.launch();
        s3.store(BUCKET).close();
        Map<String, String> storage = Map.of("lens.storage.type", "s3", "lens.storage.prefix", "lens",
                "lens.storage.s3.bucket", BUCKET, "lens.storage.s3.endpoint", s3.endpoint().toString(),
                "lens.storage.s3.path-style", "true", "lens.storage.s3.access-key", s3.accessKey(),
                "lens.storage.s3.secret-key", s3.secretKey(),
                "lens.storage.cache-dir", Path.of("target/test-stores/spark-cache-" + System.nanoTime()).toAbsolutePath().toString());
        storage.forEach(System::setProperty);
        spark = SparkSession.builder().master("local[2,2]").appName("lens-test")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "4")
                .getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
        s3.close();
    }

    @Test
    void buildsThePoolTheSingleMachineBuilderBuildsWithRetriedTasks() throws Exception {
        Path single = TestPools.demo();
        Path out = Path.of("target/test-pools/spark-demo").toAbsolutePath();
        Path grocery = TestPools.grocery();
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream log = new PrintStream(new TeeStream(captured, System.err), true, StandardCharsets.UTF_8);
        SparkPoolJob job = new SparkPoolJob(spark, log);
        // the drill must really fire: failed task attempts are counted with their reasons as Spark reports them
        java.util.List<String> failedAttempts = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        org.apache.spark.scheduler.SparkListener listener = new org.apache.spark.scheduler.SparkListener() {
            @Override
            public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd end) {
                if (!end.taskInfo().successful()) {
                    failedAttempts.add("partition " + end.taskInfo().partitionId() + " attempt " + end.taskInfo().attemptNumber()
                            + ": " + end.reason());
                }
            }
        };
        spark.sparkContext().addSparkListener(listener);
        int code;
        try {
            code = SparkPoolJob.commandLine(job).execute("--catalog", grocery.resolve("train.jsonl").toString(),
                    "--catalog", grocery.resolve("iconic.jsonl").toString(), "--out", out.toString(), "--replace",
                    "--partitions", "6", "--fail-once", "embed:1,encode:2");
            spark.sparkContext().listenerBus().waitUntilEmpty();
        } finally {
            spark.sparkContext().removeSparkListener(listener);
        }
        assertThat(code).isZero();
        assertThat(failedAttempts).as("the embedding and encoding drills each failed a first attempt")
                .anySatisfy(f -> assertThat(f).contains("partition 1 attempt 0").contains("fault drill: the first attempt of embedding"))
                .anySatisfy(f -> assertThat(f).contains("partition 2 attempt 0").contains("fault drill"));
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

    /**
     * A small catalog as JSONL and as Parquet, with a line that fails validation and an id given twice: the job keeps,
     * rejects and counts exactly what the single-machine builder does, reads Parquet like JSONL, and publishes the
     * pool to the configured S3 store (S3Proxy) with the tenant's pointer on it, as build-pool --publish does.
     */
    @Test
    void readsJsonlAndParquetCatalogsRejectsAsTheSingleBuilderAndPublishes() throws Exception {
        Path grocery = TestPools.grocery();
        Path dir = Files.createDirectories(Path.of("target/test-spark", "small-" + System.nanoTime()).toAbsolutePath());
        List<String> lines = new ArrayList<>(Files.readAllLines(grocery.resolve("iconic.jsonl")).subList(0, 12));
        lines.add(5, "{\"id\": \"broken\", \"title\": \"no image\"}");
        lines.add(lines.get(2)); // the id of line 3 again, last
        Path jsonl = Files.write(dir.resolve("small.jsonl"), lines);

        LensConfig config = ConfigLoader.load();
        Path single = dir.resolve("single");
        try (Embedder embedder = new DjlEmbedder(Settings.model(config.model(), config.build().precision()))) {
            new com.listinglens.indexer.PoolBuilder(Settings.decoder(config.image()), Settings.scales(config), embedder,
                    config.model().batchSize(), config.build().decodeThreads(), System.err)
                    .policy(com.listinglens.config.Settings.indexPolicy(config.build().auto()))
                    .build(new com.listinglens.indexer.PoolBuildRequest(List.of(jsonl), grocery, single,
                            config.build().indexFactory(), Settings.metric(config.build().metric()), config.model().name(),
                            config.model().space() + Settings.scales(config).spaceSuffix(), false, null,
                            Settings.projectionSpec(config, null), null));
        }
        Manifest.SourceCatalog expected = PoolFiles.readManifest(single).sources().get(0);
        assertThat(List.of(expected.lines(), expected.accepted(), expected.rejected())).isEqualTo(List.of(14L, 12L, 2L));

        Path out = dir.resolve("spark");
        SparkPoolJob job = new SparkPoolJob(spark, System.err);
        assertThat(SparkPoolJob.commandLine(job).execute("--catalog", jsonl.toString(), "--image-root", grocery.toString(),
                "--out", out.toString(), "--no-calibration", "--publish", "--tenant", "spark-test")).isZero();
        Manifest built = PoolFiles.readManifest(out);
        Manifest.SourceCatalog got = built.sources().get(0);
        assertThat(List.of(got.lines(), got.accepted(), got.rejected(), got.unreadableImages()))
                .isEqualTo(List.of(expected.lines(), expected.accepted(), expected.rejected(), expected.unreadableImages()));
        assertThat(got.sha256()).isEqualTo(expected.sha256());
        assertThat(built.listingCount()).isEqualTo(12);
        try (com.listinglens.storage.Artifacts artifacts = Settings.artifacts(ExecutorModel.config())) {
            com.listinglens.storage.Pointer pointer = artifacts.poolPointer("spark-test").orElseThrow();
            assertThat(pointer.version()).isEqualTo(built.poolVersion());
            assertThat(artifacts.poolManifest("spark-test", pointer)).isEqualTo(built);
        }

        // the same listings as Parquet (one row per valid line, its fields as columns): the same pool rows
        Path parquet = dir.resolve("small.parquet");
        spark.read().json(Files.write(dir.resolve("valid.jsonl"), lines.stream().filter(l -> !l.contains("broken")).toList())
                .toString()).coalesce(1).write().parquet(parquet.toString());
        Path fromParquet = dir.resolve("spark-parquet");
        SparkPoolJob second = new SparkPoolJob(spark, System.err);
        assertThat(SparkPoolJob.commandLine(second).execute("--catalog", parquet.toString(), "--image-root", grocery.toString(),
                "--out", fromParquet.toString(), "--no-calibration")).isZero();
        Manifest p = PoolFiles.readManifest(fromParquet);
        assertThat(p.listingCount()).isEqualTo(12);
        assertThat(p.sources().get(0).rejected()).isEqualTo(1); // the duplicate id
        try (var a = com.listinglens.pool.ListingStore.open(out.resolve(PoolFiles.LISTING_STORE));
             var b = com.listinglens.pool.ListingStore.open(fromParquet.resolve(PoolFiles.LISTING_STORE))) {
            for (int row = 0; row < 12; row++) {
                assertThat(b.listing(row)).isEqualTo(a.listing(row));
            }
        }

        // an existing pool is not replaced without --replace; a catalog that is not there is a clear error
        assertThat(SparkPoolJob.commandLine(new SparkPoolJob(spark, System.err)).execute("--catalog", jsonl.toString(),
                "--image-root", grocery.toString(), "--out", out.toString(), "--no-calibration")).isNotZero();
        assertThat(SparkPoolJob.commandLine(new SparkPoolJob(spark, System.err)).execute("--catalog", dir.resolve("none.jsonl").toString(),
                "--out", dir.resolve("none").toString())).isNotZero();
        assertThat(Files.exists(dir.resolve("none"))).isFalse();
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
