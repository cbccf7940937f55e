package com.listinglens.spark;

import com.listinglens.catalog.CatalogReader;
import com.listinglens.catalog.Listing;
import com.listinglens.catalog.ListingJson;
import com.listinglens.support.TestPools;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * bench/spark.sh: the Spark job measured in local mode on this machine.
 * <ol>
 *   <li>embedding throughput of the job with 1 and with 2 executor cores ({@code local[1]}, {@code local[2]}) on the
 *   first {@code photos} listings of the grocery train catalog, in one JVM (the model loaded once, before either), and
 *   the scaling between them;</li>
 *   <li>a synthetic build of {@code listings} listings through the job ({@code --embeddings}): clustered unit vectors of
 *   dimension {@code dimension} (ten listings per product, the grocery iconic listings' metadata under new ids)
 *   generated on the executors and written as Parquet, then validated, de-duplicated, numbered, trained on a sample,
 *   encoded in shards on the executors, merged with the ids checked, and finished into a pool, with its time.</li>
 * </ol>
 * Arguments: work folder, photos (0: skip part 1), listings (0: skip part 2), dimension.
 */
public final class SparkBench {

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]).toAbsolutePath();
        int photos = Integer.parseInt(args[1]);
        long listings = Long.parseLong(args[2]);
        int dimension = Integer.parseInt(args[3]);
        Files.createDirectories(work);
        PrintStream out = System.out;
        List<String> summary = new ArrayList<>();
        if (photos > 0) {
            List<String> lines = Files.readAllLines(TestPools.grocery().resolve("train.jsonl")).subList(0, photos);
            Path catalog = Files.write(work.resolve("photos.jsonl"), lines);
            ExecutorModel.embedder(ExecutorModel.config().build().precision()); // loaded before either run is timed
            double[] rate = new double[3];
            for (int cores = 1; cores <= 2; cores++) {
                SparkSession spark = session("local[" + cores + "]");
                try {
                    SparkPoolJob job = new SparkPoolJob(spark, System.err);
                    int code = SparkPoolJob.commandLine(job).execute("--catalog", catalog.toString(), "--image-root",
                            TestPools.grocery().toString(), "--out", work.resolve("photos-pool-" + cores).toString(), "--replace",
                            "--no-calibration", "--partitions", Integer.toString(4 * cores));
                    if (code != 0) {
                        throw new IllegalStateException("the job failed with " + code);
                    }
                    rate[cores] = photos / job.result().embedSeconds();
                    String line = String.format(Locale.ROOT, "embedding, %d executor core%s: %d photos in %.1f s = %.1f photos/s "
                                    + "(job total %.1f s)", cores, cores == 1 ? "" : "s", photos, job.result().embedSeconds(),
                            rate[cores], job.result().seconds());
                    out.println(line);
                    summary.add(line);
                } finally {
                    spark.stop();
                }
            }
            String line = String.format(Locale.ROOT, "embedding scaling 1 -> 2 executor cores: %.2fx", rate[2] / rate[1]);
            out.println(line);
            summary.add(line);
        }
        if (listings > 0) {
            SparkSession spark = session("local[2]");
            try {
                Path table = work.resolve("synthetic-" + listings + "-" + dimension + ".parquet");
                long t0 = System.nanoTime();
                if (!Files.exists(table.resolve("_SUCCESS"))) {
                    generate(spark, table, listings, dimension);
                }
                double generate = (System.nanoTime() - t0) / 1e9;
                SparkPoolJob job = new SparkPoolJob(spark, System.err);
                int code = SparkPoolJob.commandLine(job).execute("--embeddings", table.toString(), "--space", "synthetic-" + dimension,
                        "--out", work.resolve("synthetic-pool").toString(), "--work", work.resolve("synthetic-work").toString(),
                        "--replace", "--partitions", "16");
                if (code != 0) {
                    throw new IllegalStateException("the job failed with " + code);
                }
                SparkPoolJob.Result r = job.result();
                String line = String.format(Locale.ROOT, "synthetic build through Spark (local[2]): %,d listings of dimension %d, "
                                + "'%s', %d shards: %.1f s = %.1f min (%,.0f listings/s); generating the Parquet took %.1f s%s",
                        r.report().manifest().listingCount(), dimension, r.report().manifest().indexFactory(), r.shards(), r.seconds(),
                        r.seconds() / 60, r.report().manifest().listingCount() / r.seconds(), generate,
                        generate < 1 ? " (reused)" : "");
                out.println(line);
                summary.add(line);
            } finally {
                spark.stop();
            }
        }
        out.println("---- summary");
        summary.forEach(out::println);
    }

    static SparkSession session(String master) {
        return SparkSession.builder().master(master).appName("lens-bench")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "16")
                .getOrCreate();
    }

    /** Ten listings per product around the product's random unit vector; the iconic listings' metadata under new ids. */
    private static void generate(SparkSession spark, Path table, long listings, int dimension) throws Exception {
        List<String> base = new ArrayList<>();
        for (Listing l : CatalogReader.read(TestPools.grocery().resolve("iconic.jsonl")).listings()) {
            base.add(ListingJson.toLine(l));
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<List<String>> templates = jsc.broadcast(base);
        int partitions = 32;
        JavaRDD<Row> rows = jsc.parallelize(java.util.stream.IntStream.range(0, partitions).boxed().toList(), partitions)
                .flatMap(part -> {
                    long from = listings * part / partitions;
                    long to = listings * (part + 1) / partitions;
                    List<Listing> metadata = new ArrayList<>();
                    for (String json : templates.value()) {
                        metadata.add(CatalogReader.parse(json));
                    }
                    return new java.util.Iterator<Row>() {
                        long r = from;
                        final float[] centre = new float[dimension];

                        @Override
                        public boolean hasNext() {
                            return r < to;
                        }

                        @Override
                        public Row next() {
                            long product = r / 10;
                            SplittableRandom c = new SplittableRandom(product * 0x9E3779B97F4A7C15L);
                            double cn = 0;
                            for (int j = 0; j < dimension; j++) {
                                centre[j] = (float) c.nextGaussian();
                                cn += centre[j] * centre[j];
                            }
                            cn = Math.sqrt(cn);
                            SplittableRandom noise = new SplittableRandom(r ^ 0x5DEECE66DL);
                            Float[] v = new Float[dimension];
                            double norm = 0;
                            for (int j = 0; j < dimension; j++) {
                                float x = (float) (centre[j] / cn + 0.05 * noise.nextGaussian());
                                v[j] = x;
                                norm += x * x;
                            }
                            float scale = (float) (1 / Math.sqrt(norm));
                            for (int j = 0; j < dimension; j++) {
                                v[j] *= scale;
                            }
                            Listing l = metadata.get((int) (product % metadata.size()));
                            String json = ListingJson.toLine(new Listing("syn-" + r, l.image(), l.title(), l.category(), l.brand(),
                                    l.weightGrams(), l.price(), l.extra()));
                            return RowFactory.create(r++, json, v);
                        }
                    };
                });
        StructType schema = new StructType().add("order", DataTypes.LongType, false).add("listing", DataTypes.StringType, false)
                .add("embedding", DataTypes.createArrayType(DataTypes.FloatType, false), false);
        spark.createDataFrame(rows, schema).write().mode(SaveMode.Overwrite).parquet(table.toString());
        Files.writeString(table.resolveSibling(table.getFileName() + ".txt"), "listings " + listings + ", dimension "
                + dimension + "\n", StandardCharsets.UTF_8);
    }
}
