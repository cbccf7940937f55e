package com.listinglens.indexer;

import com.listinglens.catalog.CatalogReader;
import com.listinglens.pool.ListingStoreWriter;
import com.listinglens.pool.Manifest;
import com.listinglens.pool.PoolException;
import com.listinglens.pool.PoolFiles;
import com.listinglens.vector.FaissIndex;
import com.listinglens.vector.Metric;

import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.OutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Builds a pool from precomputed embeddings ({@link EmbeddingSet}) without ever holding them on the heap: the index is
 * trained on an evenly spread sample of rows, then the rows are added in batches straight from the memory-mapped
 * set while the listings stream into the pool's listing store, with progress and rates. Everything is written to a
 * temporary directory beside the output and moved into place last, so an interrupted build leaves no pool behind
 * (only a {@code .building-*} directory without a manifest at the output path).
 */
public final class EmbeddingPoolBuilder {

    /**
     * What to build. {@code indexFactory} "auto" lets {@code policy} choose by size; {@code projectionFrom}: the pool
     * whose projection the embeddings were made with (its projection is carried into the new pool, so queries are
     * projected the same way), null when they are the model's own embeddings.
     */
    public record Request(EmbeddingSet set, Path output, String indexFactory, IndexPolicy policy, Metric metric,
                          Path projectionFrom, boolean replace, int batchRows) {
        public Request {
            if (batchRows < 1) {
                throw new IllegalArgumentException("batch rows must be >= 1");
            }
        }
    }

    /** What a build did, with its stages' seconds. */
    public record Report(Path pool, Manifest manifest, double trainSeconds, double addSeconds, double sq8Seconds, double seconds) {
    }

    private final PrintStream log;

    public EmbeddingPoolBuilder(PrintStream log) {
        this.log = log;
    }

    public Report build(Request request) {
        long start = System.nanoTime();
        EmbeddingSet set = request.set();
        long n = set.count();
        int d = set.dimension();
        PoolBuilder.refuseExisting(request.output(), request.replace());
        Manifest.ProjectionRef projection = projection(request, set);
        IndexPolicy.Choice choice = IndexPolicy.AUTO.equals(request.indexFactory()) ? request.policy().choose(n, d)
                : new IndexPolicy.Choice(request.indexFactory(), null, 0, Math.min(n, request.policy().maxTrainRows()), 0);
        log.printf(Locale.ROOT, "embedding set %s: %d rows of %d (space %s)%n", set.dir(), n, d, set.info().space());
        log.printf(Locale.ROOT, "index '%s' (%s)%s%n", choice.factory(), request.metric(),
                choice.reason() == null ? "" : ": " + choice.reason());
        Path tmp = request.output().resolveSibling(request.output().getFileName() + ".building-" + System.nanoTime());
        double trainSeconds = 0;
        double addSeconds;
        double sq8Seconds = 0;
        try {
            Files.createDirectories(tmp);
            try (FaissIndex index = FaissIndex.create(choice.factory(), d, request.metric());
                 ListingStoreWriter listings = ListingStoreWriter.create(tmp.resolve(PoolFiles.LISTING_STORE));
                 OutputStream refine = choice.refine() > 0
                         ? new BufferedOutputStream(Files.newOutputStream(tmp.resolve(PoolFiles.INDEX_VECTORS)), 1 << 20) : null;
                 BufferedReader lines = Files.newBufferedReader(set.listings(), StandardCharsets.UTF_8)) {
                if (!index.isTrained()) {
                    long t = System.nanoTime();
                    train(index, set, (int) Math.max(1, Math.min(choice.trainRows(), n)));
                    trainSeconds = (System.nanoTime() - t) / 1e9;
                }
                long t = System.nanoTime();
                add(index, set, listings, lines, request.batchRows(), refine);
                addSeconds = (System.nanoTime() - t) / 1e9;
                log.println("writing the index and the listing store");
                index.write(tmp.resolve(PoolFiles.INDEX));
                listings.finish();
            }
            List<String> names = new ArrayList<>(List.of(PoolFiles.INDEX, PoolFiles.LISTING_STORE));
            if (choice.refine() > 0) {
                names.add(PoolFiles.INDEX_VECTORS);
                names.add(PoolFiles.INDEX_VECTORS_SQ8);
                long t = System.nanoTime();
                PoolBuilder.writeSq8Rows(tmp, n, d, log);
                sq8Seconds = (System.nanoTime() - t) / 1e9;
            }
            if (projection != null) {
                Files.copy(request.projectionFrom().resolve(projection.file()), tmp.resolve(projection.file()));
                names.add(projection.file());
            }
            List<Manifest.FileRef> files = PoolBuilder.describeFiles(tmp, names);
            Instant now = Instant.now();
            Manifest manifest = new Manifest(Manifest.FORMAT_VERSION, PoolBuilder.poolVersion(now, n),
                    new Manifest.ModelRef(set.info().model(), set.info().space(), "precomputed", "none"),
                    d, n, now, choice.factory(), request.metric().name().toLowerCase(Locale.ROOT),
                    List.of(new Manifest.SourceCatalog(set.listings().toString(), PoolFiles.sha256(set.listings()), n, n, 0, 0)),
                    files, null, projection, null,
                    choice.reason() == null ? null : choice.manifestEntry());
            PoolFiles.writeManifest(tmp, manifest);
            PoolBuilder.replace(tmp, request.output(), request.replace());
            double seconds = (System.nanoTime() - start) / 1e9;
            log.printf(Locale.ROOT, "pool %s written to %s: %d listings, '%s', train %.1f s, add %.1f s (%.0f rows/s), total %.1f s%n",
                    manifest.poolVersion(), request.output(), n, choice.factory(), trainSeconds, addSeconds, n / addSeconds, seconds);
            return new Report(request.output(), manifest, trainSeconds, addSeconds, sq8Seconds, seconds);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write pool " + request.output() + ": " + e.getMessage(), e);
        } finally {
            PoolBuilder.deleteTree(tmp);
        }
    }

    /** The projection the embeddings were made with, checked against the set; null when they are unprojected. */
    private static Manifest.ProjectionRef projection(Request request, EmbeddingSet set) {
        String made = set.info().projectionSha256();
        if (request.projectionFrom() == null) {
            if (made != null) {
                throw new PoolException("embedding set " + set.dir() + " was projected (projection sha-256 " + made
                        + "); name the pool whose projection it used (--projection-of)");
            }
            return null;
        }
        return carriedProjection(request.projectionFrom(), set.dir().toString(), made, set.dimension(), set.info().space());
    }

    /**
     * The projection of pool {@code from} that embeddings ({@code what}, of {@code dimension} in {@code space}, made with
     * the projection of sha-256 {@code made}) were made with, checked: the pool has one, it is the one named, it gives
     * that dimension, the pool is in that space, its file matches its manifest. Returned without photo vectors (the new
     * pool keeps none).
     */
    public static Manifest.ProjectionRef carriedProjection(Path from, String what, String made, int dimension, String space) {
        Manifest base = PoolFiles.readManifest(from);
        Manifest.ProjectionRef ref = base.projection();
        if (ref == null) {
            throw new PoolException("pool " + from + " has no projection to carry over");
        }
        if (made == null || !made.equals(ref.sha256())) {
            throw new PoolException(what + " was not made with the projection of pool "
                    + from + " (its sha-256 is " + ref.sha256() + ", the set names " + made + ")");
        }
        if (ref.outputDimension() != dimension) {
            throw new PoolException(what + " has dimension " + dimension + "; the projection of "
                    + from + " gives " + ref.outputDimension());
        }
        if (base.model() == null || !space.equals(base.model().space())) {
            throw new PoolException(what + " is in space '" + space + "', pool "
                    + from + " in '" + (base.model() == null ? null : base.model().space()) + "'");
        }
        if (!PoolFiles.sha256(from.resolve(ref.file())).equals(ref.sha256())) {
            throw new PoolException(PoolException.CHECKSUM, "projection of pool " + from
                    + " does not match its sha-256 in the manifest");
        }
        // the new pool keeps no unprojected photo vectors: its near-duplicate test is off
        return new Manifest.ProjectionRef(ref.file(), ref.method(), ref.inputDimension(), ref.outputDimension(), ref.sha256());
    }

    /** Trains on {@code rows} rows spread evenly over the set. */
    private void train(FaissIndex index, EmbeddingSet set, int rows) {
        int d = set.dimension();
        float[] sample = new float[Math.multiplyExact(rows, d)];
        double stride = (double) set.count() / rows;
        Progress progress = new Progress(log, "sampling", rows);
        for (int i = 0; i < rows; i++) {
            set.row((long) (i * stride), sample, i * d);
            if ((i & 0xFFFF) == 0xFFFF) {
                progress.advance(0x10000);
            }
        }
        progress.advance(rows & 0xFFFF);
        progress.finish();
        long t = System.nanoTime();
        log.printf(Locale.ROOT, "training on %d rows (%.1f MiB)%n", rows, sample.length * 4.0 / (1 << 20));
        index.train(sample, rows);
        log.printf(Locale.ROOT, "trained in %.1f s%n", (System.nanoTime() - t) / 1e9);
    }

    /** Adds every row in batches, the listings in step with them. */
    private void add(FaissIndex index, EmbeddingSet set, ListingStoreWriter listings, BufferedReader lines, int batchRows,
                     OutputStream refine) throws IOException {
        long n = set.count();
        int d = set.dimension();
        int batch = (int) Math.min(batchRows, n);
        float[] vectors = new float[Math.multiplyExact(batch, d)];
        long[] ids = new long[batch];
        Progress progress = new Progress(log, "adding", n);
        long lineNo = 0;
        for (long from = 0; from < n; from += batch) {
            int b = (int) Math.min(batch, n - from);
            if (b != ids.length) {
                vectors = new float[b * d];
                ids = new long[b];
            }
            set.read(from, b, vectors);
            for (int i = 0; i < b; i++) {
                ids[i] = from + i;
            }
            index.addWithIds(vectors, ids);
            if (refine != null) {
                EmbeddingSet.writeFloats(refine, vectors, 0, b * d);
            }
            for (int i = 0; i < b; i++) {
                String line = lines.readLine();
                lineNo++;
                if (line == null) {
                    throw new PoolException("embedding set " + set.dir() + ": " + EmbeddingSet.LISTINGS + " ends at line "
                            + (lineNo - 1) + " but the set holds " + n + " rows");
                }
                try {
                    listings.add(CatalogReader.parse(line));
                } catch (IllegalArgumentException e) {
                    throw new PoolException(set.listings() + ":" + lineNo + ": " + e.getMessage());
                }
            }
            progress.advance(b);
        }
        progress.finish();
        if (lines.readLine() != null) {
            throw new PoolException("embedding set " + set.dir() + ": " + EmbeddingSet.LISTINGS + " has more lines than its "
                    + n + " rows");
        }
    }
}
