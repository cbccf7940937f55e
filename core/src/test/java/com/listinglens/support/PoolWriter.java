package com.listinglens.support;

import com.listinglens.catalog.Listing;
import com.listinglens.catalog.ListingJson;
import com.listinglens.pool.Manifest;
import com.listinglens.pool.Pool;
import com.listinglens.pool.PoolFiles;
import com.listinglens.vector.FaissIndex;
import com.listinglens.vector.Metric;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;

/** Writes a valid pool directory from given listings and vectors, with any index factory (tests and benches). */
public final class PoolWriter {

    public static final String SPACE = "test-space";

    private PoolWriter() {
    }

    /** Random unit vectors, row-major. */
    public static float[] unitVectors(int n, int d, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[n * d];
        for (int i = 0; i < n; i++) {
            double norm = 0;
            for (int j = 0; j < d; j++) {
                float x = (float) random.nextGaussian();
                v[i * d + j] = x;
                norm += x * x;
            }
            float s = (float) (1 / Math.sqrt(norm));
            for (int j = 0; j < d; j++) {
                v[i * d + j] *= s;
            }
        }
        return v;
    }

    public static Path write(Path dir, String version, List<Listing> listings, float[] vectors, int d, String factory) {
        return write(dir, version, listings, vectors, d, factory, null, null);
    }

    /**
     * A pool whose build folded the change log through {@code through}: its manifest says so, and it carries the
     * compacted {@code folded} changes ({@link PoolFiles#LIVE_CHANGES}, as build-pool writes them) unless that is null.
     * {@code listings} and {@code vectors} are the pool's content (the caller applies the changes to them).
     */
    public static Path writeFolded(Path dir, String version, List<Listing> listings, float[] vectors, int d, String factory,
                                   com.listinglens.pool.ChangeId through, List<com.listinglens.live.Change> folded) {
        return write(dir, version, listings, vectors, d, factory, through, folded);
    }

    private static Path write(Path dir, String version, List<Listing> listings, float[] vectors, int d, String factory,
                              com.listinglens.pool.ChangeId through, List<com.listinglens.live.Change> folded) {
        try {
            Files.createDirectories(dir);
            int n = listings.size();
            long[] ids = new long[n];
            for (int i = 0; i < n; i++) {
                ids[i] = i;
            }
            try (FaissIndex index = FaissIndex.create(factory, d, Metric.INNER_PRODUCT)) {
                if (!index.isTrained()) {
                    index.train(vectors, n);
                }
                index.addWithIds(vectors, ids);
                index.write(dir.resolve(PoolFiles.INDEX));
            }
            try (BufferedWriter out = Files.newBufferedWriter(dir.resolve(PoolFiles.LISTINGS), StandardCharsets.UTF_8)) {
                for (Listing l : listings) {
                    out.write(ListingJson.toLine(l));
                    out.write('\n');
                }
            }
            List<Manifest.FileRef> files = new java.util.ArrayList<>(List.of(PoolFiles.describeFile(dir.resolve(PoolFiles.INDEX)),
                    PoolFiles.describeFile(dir.resolve(PoolFiles.LISTINGS))));
            Manifest.LiveFold live = null;
            if (through != null) {
                long added = 0;
                long removed = 0;
                if (folded != null) {
                    List<com.listinglens.live.Change> compact = com.listinglens.live.FoldedChanges.compact(folded);
                    com.listinglens.live.FoldedChanges.write(dir.resolve(PoolFiles.LIVE_CHANGES), compact);
                    files.add(PoolFiles.describeFile(dir.resolve(PoolFiles.LIVE_CHANGES)));
                    added = compact.stream().filter(c -> c.op() == com.listinglens.live.Change.Op.ADD).count();
                    removed = compact.size() - added;
                }
                live = new Manifest.LiveFold(through.toString(), added, removed);
            }
            Manifest manifest = new Manifest(Manifest.FORMAT_VERSION, version,
                    new Manifest.ModelRef("test", SPACE, "fp32", "test"), d, n, Instant.now(), factory, "inner_product", List.of(),
                    files, live);
            PoolFiles.writeManifest(dir, manifest);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Pool open(Path dir) {
        return Pool.open(dir, new Pool.OpenOptions(false, true, null, 0));
    }
}
