package com.listinglens.spark;

import com.listinglens.catalog.CatalogReader;
import com.listinglens.catalog.Listing;
import com.listinglens.config.LensConfig;
import com.listinglens.config.Settings;
import com.listinglens.embedding.ModelInfo;
import com.listinglens.eval.CalibrationStep;
import com.listinglens.indexer.CarriedProjection;
import com.listinglens.indexer.EmbeddedListings;
import com.listinglens.indexer.EmbeddingPoolBuilder;
import com.listinglens.indexer.IndexPolicy;
import com.listinglens.indexer.PoolBuildReport;
import com.listinglens.indexer.PoolBuildRequest;
import com.listinglens.indexer.PoolBuilder;
import com.listinglens.indexer.Progress;
import com.listinglens.pool.Manifest;
import com.listinglens.pool.PoolException;
import com.listinglens.pool.PoolFiles;
import com.listinglens.storage.Artifacts;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import static org.apache.spark.sql.functions.col;

/**
 * {@code spark-submit --class com.listinglens.spark.SparkPoolJob}: a pool built on Apache Spark. The catalogs (JSONL
 * or Parquet, any path Spark reads: local, {@code s3a://}, HDFS) are read as rows; the executors parse them with the
 * core's catalog rules and embed their photos with one model per executor JVM, in batches; the embeddings and
 * metadata are written as Parquet ({@code <work>/embeddings}); duplicates of an id are dropped after its first line in
 * catalog order (as the single-machine builder does) and the pool's rows numbered in that order
 * ({@code <work>/rows}); the driver finishes the pool with the single-machine builder's own finishing
 * ({@link PoolBuilder#finish}: projection, index choice, listings, re-ranking rows, manifest, confidence maps),
 * whose index is trained here on a sample and encoded in shards on the executors ({@link ShardedIndex}); the pool is
 * moved into place at {@code --out} and, with {@code --publish}, published exactly as {@code bin/lens build-pool
 * --publish} does (same layout, pointer moved last).
 */
@Command(name = "spark-pool-job", mixinStandardHelpOptions = true,
        description = "Build a pool on Apache Spark: embed on the executors, encode index shards there, merge, publish.")
public final class SparkPoolJob implements Callable<Integer> {

    @Option(names = {"-c", "--catalog"},
            description = "catalog (repeatable): JSONL, or Parquet (*.parquet file or folder); any path Spark reads")
    List<String> catalogs;

    @Option(names = "--embeddings", description = "build from precomputed embeddings instead of photos: Parquet with "
            + "columns listing (JSON) and embedding (float array), e.g. an earlier run's <work>/embeddings; no calibration")
    String embeddings;

    @Option(names = "--space", description = "with --embeddings: the embedding space they are in")
    String space;

    @Option(names = "--projection-of", description = "with --embeddings: the pool whose projection they were made with "
            + "(carried into the new pool; its space is theirs)")
    Path projectionOf;

    @Option(names = "--image-root", description = "folder the catalogs' image paths are relative to (local or mounted on "
            + "every executor); default: each catalog's folder")
    Path imageRoot;

    @Option(names = {"-o", "--out"}, required = true, description = "pool directory to write (on the driver)")
    Path out;

    @Option(names = "--work", description = "where the job keeps its Parquet and shards (a path every node reaches for "
            + "Parquet: local in local mode, s3a:// or HDFS on a cluster); default: <out>.spark-work")
    String work;

    @Option(names = "--partitions", description = "partitions to embed and encode in; default: lens.build.spark-partitions-per-core x the cluster's cores")
    Integer partitions;

    @Option(names = "--precision", description = "model precision to embed with; default: lens.build.precision")
    String precision;

    @Option(names = "--index-factory", description = "FAISS index_factory string; default: lens.build.index-factory")
    String indexFactory;

    @Option(names = "--projection", description = "none or lda; default: lens.build.projection")
    String projection;

    @Option(names = "--no-calibration", description = "skip the confidence maps (lens.build.calibration-catalog)")
    boolean noCalibration;

    @Option(names = "--publish", description = "publish the pool to the store (lens.storage.*) and move the tenant's pointer")
    boolean publish;

    @Option(names = {"-t", "--tenant"}, description = "tenant to publish for; default: lens.default-tenant")
    String tenant;

    @Option(names = "--replace", description = "replace an existing pool at --out")
    boolean replace;

    @Option(names = "--fail-once", hidden = true, description = "fault drill: embed:P or encode:P (comma-separated) fails "
            + "the first attempt of that partition's task (needs spark.task.maxFailures >= 2)")
    String failOnce;

    /** What a run did, for the tests and the bench. */
    record Result(PoolBuildReport report, long lines, long rejected, long unusable, long duplicates, int shards,
                  double embedSeconds, double seconds) {}

    private final SparkSession session;
    private final PrintStream log;
    private Result result;

    /** On the session spark-submit made (or the test's). */
    SparkPoolJob(SparkSession session, PrintStream log) {
        this.session = session;
        this.log = log;
    }

    public static void main(String[] args) {
        SparkSession session = SparkSession.builder().appName("listing-lens-pool").getOrCreate();
        int code;
        try {
            code = commandLine(new SparkPoolJob(session, System.err)).execute(args);
        } finally {
            session.stop();
        }
        System.exit(code);
    }

    /** The job's command line: a failed build prints one line saying why (the cause's class and message) and exits 1. */
    static CommandLine commandLine(SparkPoolJob job) {
        return new CommandLine(job).setExecutionExceptionHandler((e, cl, parsed) -> {
            job.log.println("spark-pool-job: " + (e.getMessage() != null ? e.getMessage() : e.getClass().getName()));
            return 1;
        });
    }

    Result result() {
        return result;
    }

    @Override
    public Integer call() throws Exception {
        // every Spark stage of 2 s or more is reported as it ends (the shuffles and Parquet writes of a big build take minutes)
        SparkListener stages = new SparkListener() {
            @Override
            public void onStageCompleted(SparkListenerStageCompleted done) {
                var info = done.stageInfo();
                long ms = info.completionTime().isDefined() && info.submissionTime().isDefined()
                        ? (Long) info.completionTime().get() - (Long) info.submissionTime().get() : 0;
                if (ms >= 2000 || info.failureReason().isDefined()) { // the short ones (a shard fetched, a count) unsaid
                    log.printf(Locale.ROOT, "spark stage %d done: %d tasks in %.1f s (%s)%s%n", info.stageId(), info.numTasks(),
                            ms / 1e3, info.name(), info.failureReason().isDefined() ? ", failed: " + info.failureReason().get() : "");
                }
            }
        };
        session.sparkContext().addSparkListener(stages);
        try {
            return build();
        } finally {
            session.sparkContext().removeSparkListener(stages);
        }
    }

    /**
     * What the job embedded (or read precomputed): the sources' names, every line's row (status, listing, embedding),
     * the model, the pool's space and a projection carried over.
     */
    private record Input(String[] names, Dataset<Row> all, ModelInfo modelInfo, ExecutorModel.Identity driverModel,
                         CarriedProjection carried, String poolSpace, double embedSeconds) {
    }

    /** The pool's rows in row order on the driver: the listings and their embeddings, row after row. */
    private record DriverCopy(List<Listing> listings, float[] vectors, int dimension) {
    }

    /** Per-catalog counts summed over the catalogs, and the manifest's sources. */
    private record Sources(List<Manifest.SourceCatalog> catalogs, long lines, long rejected, long unusable, long duplicates) {
    }

    /**
     * The build, step by step: the input (photos embedded on the executors, or precomputed embeddings), the counts and
     * skipped lines, one model checked, the rows numbered in catalog order, the driver's copy, then the single-machine
     * builder's finishing with the index encoded in shards on the executors, and the publication.
     */
    private int build() throws Exception {
        long start = System.nanoTime();
        LensConfig config = ExecutorModel.config();
        String p = precision != null ? precision : config.build().precision();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(session.sparkContext());
        String workDir = work != null ? work : out.toAbsolutePath() + ".spark-work";
        if (partitions != null && partitions < 1) {
            throw new IllegalArgumentException("--partitions must be >= 1, got " + partitions);
        }
        int parts = partitions != null ? partitions : Math.max(1, config.build().sparkPartitionsPerCore() * jsc.defaultParallelism());
        PoolBuilder.refuseExisting(out, replace);
        // the shards come back to the driver: they are written beside its Parquet when that is local, else to a temporary folder
        Path localWork = workDir.contains("://") && !workDir.startsWith("file:") ? Files.createTempDirectory("lens-spark-work-")
                : Files.createDirectories(Path.of(workDir.startsWith("file:") ? URI.create(workDir).getPath() : workDir));

        Input input = embeddings != null ? precomputed(config, workDir) : embedPhotos(config, p, workDir, parts);
        Map<Integer, long[]> counts = countAndReportSkipped(input);
        checkOneModel(input);
        Dataset<Row> pool = numberRows(input.all(), workDir);
        DriverCopy copy = driverCopy(pool, input.modelInfo().dimension());
        Sources sources = sources(input.names(), counts);

        // finishing: the single-machine builder's, with the index made on the executors
        // encoded in at least --partitions shards (a small table reads back as fewer partitions than there are cores)
        JavaRDD<Row> shardRows = pool.select("row", "embedding").javaRDD();
        if (shardRows.getNumPartitions() < parts) {
            shardRows = shardRows.repartition(parts);
        }
        ShardedIndex index = new ShardedIndex(jsc, shardRows,
                config.build().auto().maxTrainRows(), config.build().addBatch(), localWork, workDir, failOnce, log);
        PoolBuildRequest.PoolCalibrator calibrator = null;
        try (Artifacts artifacts = Settings.artifacts(config)) {
            if (!noCalibration && embeddings == null) {
                calibrator = CalibrationStep.configured(config,
                        Settings.resolveModel(config, artifacts, config.model().precision()), log).orElse(null);
            }
            PoolBuildRequest request = PoolBuildRequest.of(Arrays.stream(input.names()).map(Path::of).toList(), out,
                            indexFactory != null ? indexFactory : config.build().indexFactory(), Settings.metric(config.build().metric()),
                            config.model().name(), input.poolSpace())
                    .imageRoot(imageRoot)
                    .replacing(replace)
                    .learning(embeddings != null ? null : Settings.projectionSpec(config, projection))
                    .calibratedBy(calibrator);
            PoolBuildReport report = PoolBuilder.finish(request, new EmbeddedListings(copy.listings(), copy.vectors(),
                    copy.dimension(), sources.catalogs(), sources.rejected(), sources.unusable(), 0, 0), input.modelInfo(),
                    Settings.indexPolicy(config.build().auto()), index, log, start, input.carried());
            if (publish) {
                Settings.publisher(config, artifacts, log).publishPool(out, tenant != null ? tenant
                        : Settings.defaultTenant(config), true);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            result = new Result(report, sources.lines(), sources.rejected(), sources.unusable(), sources.duplicates(), index.shards(),
                    input.embedSeconds(), seconds);
            log.printf(Locale.ROOT, "pool %s written to %s: %d listings from %d lines (%d rejected, %d unusable), %d shards; %s"
                            + "total %.1f s%n",
                    report.manifest().poolVersion(), out, report.manifest().listingCount(), sources.lines(), sources.rejected(),
                    sources.unusable(), index.shards(), embeddings != null ? "precomputed embeddings, "
                            : String.format(Locale.ROOT, "embedding %.1f s (%.1f photos/s), ", input.embedSeconds(),
                            (sources.lines() - sources.rejected()) / input.embedSeconds()), seconds);
        }
        return 0;
    }

    /** Precomputed embeddings: validated and de-duplicated like catalog lines, not embedded again. */
    private Input precomputed(LensConfig config, String workDir) throws Exception {
        if (catalogs != null && !catalogs.isEmpty()) {
            throw new IllegalArgumentException("--embeddings replaces --catalog: give one or the other");
        }
        Dataset<Row> parsed = session.createDataFrame(CatalogRows.readEmbeddings(session, embeddings).javaRDD()
                .mapPartitions(CatalogRows::parse), CatalogRows.EMBEDDED);
        Dataset<Row>[] split = CatalogRows.keepFirstOfEachId(parsed);
        String embeddingsPath = workDir + "/precomputed";
        split[0].unionByName(split[1]).write().mode(SaveMode.Overwrite).parquet(embeddingsPath);
        Dataset<Row> all = session.read().parquet(embeddingsPath);
        List<Row> first = all.filter(col("status").equalTo(CatalogRows.OK)).select("embedding").limit(1).collectAsList();
        if (first.isEmpty()) {
            throw new PoolException("embeddings " + embeddings + " hold no usable row");
        }
        int d = first.get(0).getList(0).size();
        CarriedProjection carried = null;
        String poolSpace;
        if (projectionOf != null) {
            Manifest base = PoolFiles.readManifest(projectionOf);
            if (base.projection() == null) {
                throw new PoolException("pool " + projectionOf + " has no projection to carry over");
            }
            poolSpace = base.model().space();
            // the table records no projection: the caller vouches that it was made with this pool's
            carried = new CarriedProjection(projectionOf, EmbeddingPoolBuilder.carriedProjection(
                    projectionOf, "embeddings " + embeddings, base.projection().sha256(), d, poolSpace));
        } else if (space != null) {
            poolSpace = space;
        } else {
            throw new IllegalArgumentException("--embeddings needs the space they are in: --space, or --projection-of POOL");
        }
        ModelInfo modelInfo = new ModelInfo(config.model().name(), CatalogRows.PRECOMPUTED, "none", "none", d, null);
        return new Input(new String[]{embeddings}, all, modelInfo, null, carried, poolSpace, 0);
    }

    /** The catalogs' photos embedded on the executors (one model per executor JVM), written as Parquet. */
    private Input embedPhotos(LensConfig config, String p, String workDir, int parts) {
        if (catalogs == null || catalogs.isEmpty()) {
            throw new IllegalArgumentException("name the catalogs (--catalog) or precomputed embeddings (--embeddings)");
        }
        // the driver's own model: the space and weights every executor's rows must match
        ExecutorModel.Identity driverModel = ExecutorModel.identity(p);
        ModelInfo modelInfo = ExecutorModel.embedder(p).info();

        // catalogs -> lines, parsed on the executors; an id's lines after its first are duplicates
        Dataset<Row> lines = null;
        List<String> roots = new ArrayList<>();
        for (int i = 0; i < catalogs.size(); i++) {
            Dataset<Row> one = CatalogRows.read(session, i, catalogs.get(i));
            lines = lines == null ? one : lines.union(one);
            roots.add(imageRoot != null ? imageRoot.toAbsolutePath().toString() : localParent(catalogs.get(i)));
        }
        Dataset<Row>[] split = CatalogRows.keepFirstOfEachId(
                session.createDataFrame(lines.javaRDD().mapPartitions(CatalogRows::parse), CatalogRows.EMBEDDED));

        CatalogRows.Job job = new CatalogRows.Job(roots, p, config.model().batchSize(), config.build().decodeThreads(), failOnce);
        long toEmbed = split[0].count();
        // progress on the driver: photos of the tasks that finished (a failed attempt's count is not merged)
        LongAccumulator done = session.sparkContext().longAccumulator("photos embedded");
        Progress progress = new Progress(log, "embedding", toEmbed);
        long[] shown = {0};
        SparkListener listener = new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                long now = done.value();
                if (now > shown[0]) {
                    progress.advance(now - shown[0]);
                    shown[0] = now;
                }
            }
        };
        session.sparkContext().addSparkListener(listener);
        long t0 = System.nanoTime();
        JavaRDD<Row> embedded = split[0].javaRDD().repartition(parts).mapPartitions(part -> {
            TaskContext task = TaskContext.get();
            return counted(CatalogRows.embed(part, job, task.partitionId(), task.attemptNumber()), done);
        });
        String embeddingsPath = workDir + "/embeddings";
        try {
            session.createDataFrame(embedded, CatalogRows.EMBEDDED).unionByName(split[1]).write().mode(SaveMode.Overwrite)
                    .parquet(embeddingsPath);
        } finally {
            session.sparkContext().removeSparkListener(listener);
        }
        progress.finish();
        double embedSeconds = (System.nanoTime() - t0) / 1e9;
        return new Input(catalogs.toArray(String[]::new), session.read().parquet(embeddingsPath), modelInfo, driverModel, null,
                driverModel.space(), embedSeconds);
    }

    /**
     * Lines per catalog and status: lines, ok, rejected (duplicates included), unusable, duplicates; and the message
     * of every line left out, in catalog order.
     */
    private Map<Integer, long[]> countAndReportSkipped(Input input) {
        Map<Integer, long[]> counts = new TreeMap<>();
        for (Row r : input.all().groupBy("catalog", "status").count().collectAsList()) {
            long[] c = counts.computeIfAbsent(r.getInt(0), k -> new long[5]);
            long n = r.getLong(2);
            c[0] += n;
            switch (r.getString(1)) {
                case CatalogRows.OK -> c[1] += n;
                case CatalogRows.REJECTED -> c[2] += n;
                case CatalogRows.DUPLICATE -> {
                    c[2] += n;
                    c[4] += n;
                }
                default -> c[3] += n;
            }
        }
        Iterator<Row> skipped = input.all().filter(col("status").notEqual(CatalogRows.OK)).orderBy("order").toLocalIterator();
        while (skipped.hasNext()) {
            Row r = skipped.next();
            log.println("skipped " + input.names()[r.getInt(1)] + ":" + r.getLong(2) + ": " + r.getString(8));
        }
        return counts;
    }

    /** Every usable row was embedded with the driver's model (or is precomputed). */
    private static void checkOneModel(Input input) {
        List<String> models = input.all().filter(col("status").equalTo(CatalogRows.OK)).select("model").distinct()
                .as(Encoders.STRING()).collectAsList();
        String expected = input.driverModel() == null ? CatalogRows.PRECOMPUTED : input.driverModel().tag();
        if (models.size() > 1 || (models.size() == 1 && !models.get(0).equals(expected))) {
            throw new PoolException("the executors embedded with " + models + ", the driver's model is " + expected
                    + ": give every executor the driver's model and settings (spark.executorEnv.LENS_*)");
        }
    }

    /** The pool's rows, numbered in catalog order, written as Parquet: (row, listing, embedding). */
    private Dataset<Row> numberRows(Dataset<Row> all, String workDir) {
        JavaRDD<Row> numbered = all.filter(col("status").equalTo(CatalogRows.OK)).select("order", "listing", "embedding")
                .orderBy("order").javaRDD().zipWithIndex().map(t -> RowFactory.create(t._2(), t._1().getString(1), t._1().get(2)));
        StructType rowsSchema = new StructType().add("row", DataTypes.LongType, false).add("listing", DataTypes.StringType, false)
                .add("embedding", DataTypes.createArrayType(DataTypes.FloatType, false), false);
        String rowsPath = workDir + "/rows";
        session.createDataFrame(numbered, rowsSchema).write().mode(SaveMode.Overwrite).parquet(rowsPath);
        return session.read().parquet(rowsPath);
    }

    /** The driver's copy, in row order: listings and embeddings, placed by their row numbers, every row exactly once. */
    private static DriverCopy driverCopy(Dataset<Row> pool, int d) {
        long n = pool.count();
        if (n == 0) {
            throw new PoolException("no photo of the catalogs could be embedded");
        }
        if (n > Integer.MAX_VALUE || n * d > Integer.MAX_VALUE - 8) {
            throw new PoolException(n + " rows of dimension " + d + " do not fit the driver's finishing "
                    + "(at most 2^31 components); build with a projected model or split the tenant");
        }
        // placed by their row numbers as they come (no sort on the way to the driver)
        Listing[] placed = new Listing[(int) n];
        float[] vectors = new float[(int) (n * d)];
        Iterator<Row> it = pool.toLocalIterator();
        long seen = 0;
        while (it.hasNext()) {
            Row r = it.next();
            long row = r.getLong(0);
            if (row < 0 || row >= n || placed[(int) row] != null) {
                throw new PoolException("pool row " + row + " is outside 0.." + (n - 1) + " or came twice");
            }
            float[] v = CatalogRows.floats(r, 2);
            if (v.length != d) {
                throw new PoolException("row " + row + " has " + v.length + " components, the model " + d);
            }
            placed[(int) row] = CatalogReader.parse(r.getString(1));
            System.arraycopy(v, 0, vectors, (int) row * d, d);
            seen++;
        }
        if (seen != n) {
            throw new PoolException("the driver read " + seen + " of the pool's " + n + " rows");
        }
        return new DriverCopy(Arrays.asList(placed), vectors, d);
    }

    /** The manifest's source catalogs, each printed with its counts, and the totals. */
    private Sources sources(String[] names, Map<Integer, long[]> counts) throws Exception {
        List<Manifest.SourceCatalog> sources = new ArrayList<>();
        long rejected = 0;
        long unusable = 0;
        long dups = 0;
        long totalLines = 0;
        for (int i = 0; i < names.length; i++) {
            long[] c = counts.getOrDefault(i, new long[5]);
            sources.add(new Manifest.SourceCatalog(names[i], sha256(names[i]), c[0], c[1], c[2], c[3]));
            rejected += c[2];
            unusable += c[3];
            dups += c[4];
            totalLines += c[0];
            log.printf(Locale.ROOT, "catalog %s: %d lines, %d listings, %d lines rejected (%d duplicate ids), %d photos unusable%n",
                    names[i], c[0], c[1], c[2], c[4], c[3]);
        }
        return new Sources(sources, totalLines, rejected, unusable, dups);
    }

    /** {@code rows}, counted into {@code done} as they are taken (static: a task must not capture the job). */
    private static Iterator<Row> counted(Iterator<Row> rows, LongAccumulator done) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public Row next() {
                done.add(1);
                return rows.next();
            }
        };
    }

    /** Whether the fault drill ({@code --fail-once}: comma-separated stage:partition) names this task. */
    static boolean drill(String failOnce, String stage, int partition) {
        return failOnce != null && Arrays.asList(failOnce.split(",")).contains(stage + ":" + partition);
    }

    /** The folder of a catalog on the local file system (its photos' default root). */
    private static String localParent(String catalog) {
        String path = catalog.startsWith("file:") ? URI.create(catalog).getPath() : catalog;
        if (path.contains("://")) {
            throw new IllegalArgumentException("catalog " + catalog + " is not local: name the photos' folder (--image-root)");
        }
        return Path.of(path).toAbsolutePath().getParent().toString();
    }

    /** The sha-256 of a catalog (a file, or every file of a Parquet folder in name order), read through Hadoop. */
    private String sha256(String catalog) {
        try {
            org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(catalog);
            FileSystem fs = path.getFileSystem(session.sparkContext().hadoopConfiguration());
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            List<FileStatus> files = new ArrayList<>();
            if (fs.getFileStatus(path).isDirectory()) {
                for (FileStatus f : fs.listStatus(path)) {
                    if (f.isFile() && !f.getPath().getName().startsWith("_") && !f.getPath().getName().startsWith(".")) {
                        files.add(f);
                    }
                }
                files.sort((a, b) -> a.getPath().getName().compareTo(b.getPath().getName()));
            } else {
                files.add(fs.getFileStatus(path));
            }
            byte[] buf = new byte[1 << 16];
            for (FileStatus f : files) {
                try (FSDataInputStream in = fs.open(f.getPath())) {
                    for (int k; (k = in.read(buf)) > 0; ) {
                        digest.update(buf, 0, k);
                    }
                }
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read catalog " + catalog + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
