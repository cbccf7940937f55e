package com.listinglens.spark;

import com.listinglens.indexer.IndexShards;
import com.listinglens.indexer.PoolBuilder;
import com.listinglens.projection.Projection;
import com.listinglens.vector.Metric;
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
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * The pool's index made on the cluster ({@link PoolBuilder.IndexMaker}): the index is trained here, on the driver, on
 * the index policy's sample (or at most {@code trainRows} rows for a given factory) spread evenly over the pool, and
 * written empty as the template; the executors each
 * encode their partitions of the pool's rows (projected there, as the pool's rows were) into a shard of the template;
 * the shards come back one at a time and are merged, the merge checking that every pool row is in the index exactly
 * once ({@link IndexShards#merge}). Spark keeps one result per partition however often a task is retried, and the
 * census is the second line of defence: a shard given twice or lost fails the build.
 */
final class ShardedIndex implements PoolBuilder.IndexMaker {

    private final JavaSparkContext spark;
    private final JavaRDD<Row> rows;
    private final int trainRows;
    private final int addBatch;
    private final Path work;
    private final String failOnce;
    private final PrintStream log;
    private int shards;

    /** {@code rows}: the pool's rows, (row id, embedding in the model's space). */
    ShardedIndex(JavaSparkContext spark, JavaRDD<Row> rows, int trainRows, int addBatch, Path work, String failOnce, PrintStream log) {
        this.spark = spark;
        this.rows = rows;
        this.trainRows = trainRows;
        this.addBatch = addBatch;
        this.work = work;
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
            JavaRDD<Tuple3<Integer, Long, byte[]>> encoded = rows.mapPartitions(part -> {
                TaskContext task = TaskContext.get();
                // FAISS's OpenMP threads: the task's share of the executor's cores, not all of them per task
                com.listinglens.vector.FaissIndex.setThreads(Math.max(1, task.cpus()));
                return List.of(encode(part, templateBytes.value(), projectionBytes.value(), batch, task.partitionId(),
                        task.attemptNumber(), drill)).iterator();
            });
            List<Path> files = new ArrayList<>();
            long t1 = System.nanoTime();
            long encodedRows = 0;
            Iterator<Tuple3<Integer, Long, byte[]>> results = encoded.toLocalIterator();
            while (results.hasNext()) {
                Tuple3<Integer, Long, byte[]> shard = results.next();
                Path file = dir.resolve(String.format(Locale.ROOT, "shard-%05d.faiss", shard._1()));
                Files.write(file, shard._3());
                files.add(file);
                encodedRows += shard._2();
                log.printf(Locale.ROOT, "shard %d/%d: %d rows (%.1f MiB)%n", files.size(), partitions, shard._2(),
                        shard._3().length / 1048576.0);
            }
            log.printf(Locale.ROOT, "encoded %d rows into %d shards on the executors in %.1f s%n", encodedRows, files.size(),
                    (System.nanoTime() - t1) / 1e9);
            shards = files.size();
            IndexShards.merge(template, files, n, out, log);
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
            templateBytes.destroy();
            projectionBytes.destroy();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the index in " + work + ": " + e.getMessage(), e);
        }
    }

    /** On an executor: the partition's rows, projected, encoded into a shard of the template; (partition, rows, shard). */
    private static Tuple3<Integer, Long, byte[]> encode(Iterator<Row> part, byte[] template, byte[] projectionBytes, int batch,
                                                         int partition, int attempt, String failOnce) throws IOException {
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
            if (SparkPoolJob.drill(failOnce, "encode", partition) && attempt == 0) {
                throw new IllegalStateException("fault drill: the first attempt of encoding partition " + partition
                        + " fails after encoding " + n + " rows");
            }
            return new Tuple3<>(partition, n, Files.readAllBytes(shard));
        } finally {
            PoolBuilder.deleteTree(dir);
        }
    }
}
