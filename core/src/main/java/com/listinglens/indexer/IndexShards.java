package com.listinglens.indexer;

import com.listinglens.pool.PoolException;
import com.listinglens.vector.FaissIndex;
import com.listinglens.vector.IdCensus;
import com.listinglens.vector.Metric;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * An index built in parts, for builds spread over workers (issue 11): one trained, empty index, the
 * <em>template</em>, is written once and copied to every worker; each worker encodes its rows into a
 * <em>shard</em> (a copy of the template holding those rows, ids = pool rows); the shards are merged into one
 * index. The merge refuses a shard encoded from another training (by {@link FaissIndex#trainedFingerprint}) and
 * checks the ids of the result: every row of the pool exactly once, so a retried task that wrote its shard twice
 * or a lost shard fails the build instead of doubling or dropping listings. Nothing here touches the pool's
 * other files; the builder that calls it writes them.
 */
public final class IndexShards {

    /** A row of the pool: its id (row number, {@code 0 <= id < rows}) and its vector. */
    public record Row(long id, float[] vector) {
        public Row {
            Objects.requireNonNull(vector, "vector");
        }
    }

    /** What a merge made: vectors, shards merged, the template's fingerprint, seconds. */
    public record Merged(long vectors, int shards, long fingerprint, double seconds) {}

    private IndexShards() {}

    /**
     * Creates an index from {@code factory}, trains it on the first {@code n} rows of {@code sample} and writes it
     * (empty) to {@code out} (atomically); returns its trained fingerprint.
     */
    public static long writeTemplate(String factory, int dimension, Metric metric, float[] sample, int n, Path out) {
        try (FaissIndex index = FaissIndex.create(factory, dimension, metric)) {
            if (!index.isTrained()) {
                index.train(sample, n);
            }
            long fingerprint = index.trainedFingerprint();
            index.write(out);
            return fingerprint;
        }
    }

    /**
     * Encodes {@code rows} into a shard of {@code template}, {@code batchRows} at a time, and writes it to
     * {@code out} (atomically: an exception on the way leaves no file at {@code out}). Returns the rows encoded.
     *
     * @throws IllegalArgumentException for a vector of another dimension, a non-finite component or a negative id
     */
    public static long encode(Path template, Iterator<Row> rows, int batchRows, Path out) {
        if (batchRows < 1) {
            throw new IllegalArgumentException("batchRows must be >= 1, got " + batchRows);
        }
        try (FaissIndex shard = openTemplate(template)) {
            int d = shard.dimension();
            float[] x = new float[batchRows * d];
            long[] ids = new long[batchRows];
            long total = 0;
            int n = 0;
            while (rows.hasNext()) {
                Row row = rows.next();
                if (row.vector().length != d) {
                    throw new IllegalArgumentException("row " + row.id() + " has " + row.vector().length
                            + " components, the template " + d);
                }
                System.arraycopy(row.vector(), 0, x, n * d, d);
                ids[n++] = row.id();
                if (n == batchRows) {
                    shard.addWithIds(x, ids);
                    total += n;
                    n = 0;
                }
            }
            if (n > 0) {
                float[] lastX = Arrays.copyOf(x, n * d);
                long[] lastIds = Arrays.copyOf(ids, n);
                shard.addWithIds(lastX, lastIds);
                total += n;
            }
            shard.write(out);
            return total;
        }
    }

    /**
     * Merges {@code shards} (in the order given) into a copy of {@code template} and writes the result to
     * {@code out} (atomically), after checking that it holds each id of {@code [0, expectedRows)} exactly once.
     * Shows progress on {@code log}.
     *
     * @throws PoolException naming the shard that was encoded from another template, is of another structure or
     *     holds ids outside the pool; or, after the merge, with the counts of missing and duplicated ids; nothing is
     *     written at {@code out} then
     */
    public static Merged merge(Path template, List<Path> shards, long expectedRows, Path out, PrintStream log) {
        if (shards.isEmpty()) {
            throw new IllegalArgumentException("no shards to merge");
        }
        if (expectedRows < 0 || expectedRows > FaissIndex.MAX_COUNT) {
            throw new IllegalArgumentException("expected rows " + expectedRows + " out of range 0.." + FaissIndex.MAX_COUNT);
        }
        long start = System.nanoTime();
        try (FaissIndex merged = openTemplate(template)) {
            long fingerprint = merged.trainedFingerprint();
            Progress progress = new Progress(log, "merging shards", shards.size());
            for (Path file : shards) {
                if (!Files.isRegularFile(file)) {
                    throw new PoolException(PoolException.INVALID, "shard " + file + " does not exist");
                }
                try (FaissIndex shard = FaissIndex.read(file, false)) {
                    if (!shard.factory().equals(merged.factory()) || shard.dimension() != merged.dimension()
                            || shard.metric() != merged.metric()) {
                        throw new PoolException(PoolException.INVALID, "shard " + file + " is " + shard
                                + ", the template " + merged);
                    }
                    if (shard.trainedFingerprint() != fingerprint) {
                        throw new PoolException(PoolException.INVALID, "shard " + file
                                + " was not encoded from template " + template + " (its training differs)");
                    }
                    IdCensus own = shard.censusIds(expectedRows);
                    if (own.outOfRange() > 0 || own.duplicates() > 0) {
                        throw new PoolException(PoolException.INVALID, "shard " + file + " holds ids outside the pool"
                                + " or twice: " + own);
                    }
                    merged.mergeFrom(shard);
                }
                progress.advance(1);
            }
            progress.finish();
            IdCensus census = merged.censusIds(expectedRows);
            if (!census.exact()) {
                throw new PoolException(PoolException.INVALID, "the " + shards.size() + " shards do not hold each of the "
                        + expectedRows + " rows once: " + census
                        + (census.duplicates() > 0 ? " (a shard given twice, or rows encoded by two tasks?)" : "")
                        + (census.missing() > 0 ? " (a shard missing?)" : ""));
            }
            merged.write(out);
            double seconds = (System.nanoTime() - start) / 1e9;
            log.printf(Locale.ROOT, "merged %d shards: %d vectors in %.1f s, ids checked (each of %d rows once)%n",
                    shards.size(), merged.count(), seconds, expectedRows);
            return new Merged(merged.count(), shards.size(), fingerprint, seconds);
        }
    }

    /** Reads {@code template} fully, refusing a file that is not a trained, empty index. */
    private static FaissIndex openTemplate(Path template) {
        FaissIndex index = FaissIndex.read(template, false);
        if (!index.isTrained() || index.count() != 0) {
            index.close();
            throw new PoolException(PoolException.INVALID, "template " + template + " is not a trained, empty index");
        }
        return index;
    }
}
