package com.listinglens.spark;

import com.listinglens.indexer.IndexMaker;
import com.listinglens.indexer.IndexShards;
import com.listinglens.indexer.PoolBuilder;
import com.listinglens.pool.PoolException;
import com.listinglens.projection.Projection;
import com.listinglens.vector.FaissIndex;
import com.listinglens.vector.Metric;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import scala.Tuple3;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The pool's index made on the cluster ({@link IndexMaker}): the index is trained here, on the driver, on
 * the index policy's sample (or at most {@code trainRows} rows for a given factory) spread evenly over the pool, and
 * written empty as the template; the executors each
 * encode their partitions of the pool's rows (projected there, as the pool's rows were) into a shard of the template,
 * all partitions at once, and write it under the job's work path; the driver fetches one shard per partition and
 * merges them, the merge checking that every pool row is in the index exactly
 * once ({@link IndexShards#merge}). Spark keeps one result per partition however often a task is retried, and the
 * census is the second line of defence: a shard given twice or lost fails the build.
 */
final class ShardedIndex implements IndexMaker {

    private final JavaSparkContext spark;
    private final JavaRDD<Row> rows;
    private final int trainRows;
    private final int addBatch;
    private final Path work;
    private final String workPath;
    private final String failOnce;
    private final PrintStream log;
    private int shards;

    /**
     * {@code rows}: the pool's rows, (row id, embedding in the model's space); {@code work}: the driver's local folder
     * (template, merge); {@code workPath}: the job's work path every node reaches (the shards go there).
     */
    ShardedIndex(JavaSparkContext spark, JavaRDD<Row> rows, int trainRows, int addBatch, Path work, String workPath,
                 String failOnce, PrintStream log) {
        this.spark = spark;
        this.rows = rows;
        this.trainRows = trainRows;
        this.addBatch = addBatch;
        this.work = work;
        this.workPath = workPath;
        this.failOnce = failOnce;
        this.log = log;
    }

    int shards() {
        return shards;
    }

    @Override
    public void make(String factory, int dimension, Metric metric, float[] vectors, int n, int policyTrainRows, Projection projection,
                     Path out) {
        try {
            Path dir = Files.createDirectories(work.resolve("shards"));
            Path template = dir.resolve("template.faiss");
            // the policy's sample when it chose the index (as bin/lens build-pool --embeddings trains), else the configured most
            int m = Math.max(1, Math.min(policyTrainRows > 0 ? policyTrainRows : trainRows, n));
            float[] sample = new float[Math.multiplyExact(m, dimension)];
            double stride = (double) n / m;
            for (int i = 0; i < m; i++) {
                System.arraycopy(vectors, (int) (i * stride) * dimension, sample, i * dimension, dimension);
            }
            long t0 = System.nanoTime();
            long fingerprint = IndexShards.writeTemplate(factory, dimension, metric, sample, m, template);
            log.printf(Locale.ROOT, "index template '%s' trained on %d of %d rows in %.1f s (fingerprint %016x)%n", factory, m, n,
                    (System.nanoTime() - t0) / 1e9, fingerprint);
            Broadcast<byte[]> templateBytes = spark.broadcast(Files.readAllBytes(template));
            Path projectionFile = null;
            if (projection != null) {
                projectionFile = Files.createTempFile(work, "projection-", ".bin");
                projection.write(projectionFile);
            }
            Broadcast<byte[]> projectionBytes = spark.broadcast(projectionFile == null ? new byte[0] : Files.readAllBytes(projectionFile));
            int batch = addBatch;
            String drill = failOnce;
            int partitions = rows.getNumPartitions();
            // each task writes its shard under the job's work path (named by partition and attempt, so a retried task
            // never overwrites or adds to another attempt's file) and answers with its name; the driver takes exactly one
            // shard per partition, the one of the attempt Spark kept
            String shardsAt = workPath + "/shards-" + System.nanoTime();
            Map<String, String> hadoopConf = new HashMap<>();
            spark.hadoopConfiguration().forEach(e -> hadoopConf.put(e.getKey(), e.getValue()));
            Broadcast<Map<String, String>> conf = spark.broadcast(hadoopConf);
            JavaRDD<Tuple3<Integer, Long, String>> encoded = rows.mapPartitions(part -> {
                TaskContext task = TaskContext.get();
                // FAISS's OpenMP threads: the task's share of the executor's cores, not all of them per task
                FaissIndex.setThreads(Math.max(1, task.cpus()));
                return List.of(encode(part, templateBytes.value(), projectionBytes.value(), batch, task.partitionId(),
                        task.attemptNumber(), drill, shardsAt, conf.value())).iterator();
            });
            long t1 = System.nanoTime();
            List<Tuple3<Integer, Long, String>> results = new ArrayList<>(encoded.collect()); // all partitions at once
            results.sort(Comparator.comparing(Tuple3::_1));
            long encodedRows = 0;
            for (Tuple3<Integer, Long, String> r : results) {
                encodedRows += r._2();
            }
            log.printf(Locale.ROOT, "encoded %d rows into %d shards on the executors in %.1f s%n", encodedRows, results.size(),
                    (System.nanoTime() - t1) / 1e9);
            if (results.size() != partitions) {
                throw new PoolException(PoolException.INVALID, partitions
                        + " partitions gave " + results.size() + " shards");
            }
            List<Path> files = new ArrayList<>();
            org.apache.hadoop.fs.Path remote = new org.apache.hadoop.fs.Path(shardsAt);
            FileSystem fs = remote.getFileSystem(spark.hadoopConfiguration());
            for (Tuple3<Integer, Long, String> r : results) {
                Path file = dir.resolve(String.format(Locale.ROOT, "shard-%05d.faiss", r._1()));
                try (var in = fs.open(new org.apache.hadoop.fs.Path(r._3()))) {
                    Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                }
                files.add(file);
            }
            shards = files.size();
            IndexShards.merge(template, files, n, out, log);
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
            fs.delete(remote, true);
            templateBytes.destroy();
            projectionBytes.destroy();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the index in " + work + ": " + e.getMessage(), e);
        }
    }

    /**
     * On an executor: the partition's rows, projected, encoded into a shard of the template and written under
     * {@code shardsAt} (any Hadoop path: local, s3a://, HDFS); (partition, rows, the shard's path).
     */
    private static Tuple3<Integer, Long, String> encode(Iterator<Row> part, byte[] template, byte[] projectionBytes, int batch,
                                                         int partition, int attempt, String failOnce, String shardsAt,
                                                         Map<String, String> hadoopConf) throws IOException {
        Path dir = Files.createTempDirectory("lens-shard-");
        try {
            Path templateFile = Files.write(dir.resolve("template.faiss"), template);
            Projection projection = null;
            if (projectionBytes.length > 0) {
                projection = Projection.read(Files.write(dir.resolve("projection.bin"), projectionBytes));
            }
            Projection p = projection;
            Iterator<IndexShards.Row> shardRows = new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return part.hasNext();
                }

                @Override
                public IndexShards.Row next() {
                    Row r = part.next();
                    float[] v = CatalogRows.floats(r, 1);
                    return new IndexShards.Row(r.getLong(0), p == null ? v : p.apply(v));
                }
            };
            Path shard = dir.resolve("shard.faiss");
            long n = IndexShards.encode(templateFile, shardRows, batch, shard);
            Configuration conf = new Configuration(false);
            hadoopConf.forEach(conf::set);
            org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(shardsAt,
                    String.format(Locale.ROOT, "shard-%05d-attempt-%d.faiss", partition, attempt));
            target.getFileSystem(conf).copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(shard.toUri()), target);
            if (SparkPoolJob.drill(failOnce, "encode", partition) && attempt == 0) {
                throw new IllegalStateException("fault drill: the first attempt of encoding partition " + partition
                        + " fails after writing its shard of " + n + " rows to " + target);
            }
            return new Tuple3<>(partition, n, target.toString());
        } finally {
            PoolBuilder.deleteTree(dir);
        }
    }
}
