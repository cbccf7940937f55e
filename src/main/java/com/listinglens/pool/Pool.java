package com.listinglens.pool;

import com.listinglens.catalog.CatalogReader;
import com.listinglens.catalog.Listing;
import com.listinglens.vector.FaissIndex;
import com.listinglens.vector.Metric;
import com.listinglens.vector.SearchParams;
import com.listinglens.vector.SearchResult;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An opened pool: an immutable snapshot of index, listings and manifest. Like a Lucene searcher it is
 * reference-counted: whoever searches it holds a reference ({@link #tryIncRef()} / {@link #decRef()}),
 * and its native memory is freed only when the last reference is released, so a pool can be swapped
 * out under load without pulling memory from under a running search. The vector id of a listing is its
 * line number (from 0) in listings.jsonl.
 */
public final class Pool {

    private final Path dir;
    private final Manifest manifest;
    private final List<Listing> listings;
    private final FaissIndex index;
    private final Metric metric;
    private final AtomicInteger refs = new AtomicInteger(1);

    private Pool(Path dir, Manifest manifest, List<Listing> listings, FaissIndex index) {
        this.dir = dir;
        this.manifest = manifest;
        this.listings = listings;
        this.index = index;
        this.metric = index.metric();
    }

    /** Options for opening a pool. */
    public record OpenOptions(boolean memoryMap, boolean verifyChecksums, String expectedSpace, int expectedDimension) {
    }

    /**
     * Opens the pool in {@code dir}: manifest first, then (optionally) checksums, then listings and index,
     * each checked against the manifest and against what the caller serves. Nothing is half-opened: on any
     * failure what was opened is closed again and a {@link PoolException} says why.
     */
    public static Pool open(Path dir, OpenOptions options) {
        Manifest manifest = PoolFiles.readManifest(dir);
        checkCompatible(manifest, options.expectedSpace(), options.expectedDimension());
        Path indexFile = dir.resolve(PoolFiles.INDEX);
        Path listingsFile = dir.resolve(PoolFiles.LISTINGS);
        for (Path file : List.of(indexFile, listingsFile)) {
            Manifest.FileRef ref = manifest.file(file.getFileName().toString());
            try {
                if (!Files.isRegularFile(file) || Files.size(file) != ref.bytes()) {
                    throw new PoolException(PoolException.SIZE, "pool file " + file + " is missing or has the wrong size (manifest: "
                            + ref.bytes() + " bytes)");
                }
            } catch (IOException e) {
                throw new PoolException("cannot read " + file + ": " + e.getMessage(), e);
            }
            if (options.verifyChecksums() && !PoolFiles.sha256(file).equals(ref.sha256())) {
                throw new PoolException(PoolException.CHECKSUM, "pool file " + file + " does not match its sha-256 in the manifest");
            }
        }
        List<Listing> listings = readListings(listingsFile);
        if (listings.size() != manifest.listingCount()) {
            throw new PoolException("pool " + dir + " lists " + listings.size() + " listings but its manifest says "
                    + manifest.listingCount());
        }
        FaissIndex index = FaissIndex.read(indexFile, options.memoryMap());
        try {
            if (index.count() != manifest.listingCount() || index.dimension() != manifest.dimension()) {
                throw new PoolException("index of pool " + dir + " holds " + index.count() + " vectors of dimension "
                        + index.dimension() + "; the manifest says " + manifest.listingCount() + " of " + manifest.dimension());
            }
            return new Pool(dir, manifest, listings, index);
        } catch (RuntimeException e) {
            index.close();
            throw e;
        }
    }

    /**
     * Refuses a pool embedded in another space or dimension than the model that will query it (null space or
     * dimension 0: not checked). Callers may run it on a manifest alone, before fetching any pool file.
     */
    public static void checkCompatible(Manifest manifest, String expectedSpace, int expectedDimension) {
        String space = manifest.model() == null ? null : manifest.model().space();
        if (expectedSpace != null && !expectedSpace.equals(space)) {
            throw new PoolException(PoolException.OTHER_SPACE, "pool " + manifest.poolVersion() + " was embedded in space '"
                    + space + "' but the service's model embeds in '" + expectedSpace + "'");
        }
        if (expectedDimension > 0 && expectedDimension != manifest.dimension()) {
            throw new PoolException(PoolException.OTHER_SPACE, "pool " + manifest.poolVersion() + " has dimension "
                    + manifest.dimension() + " but the model gives " + expectedDimension);
        }
    }

    private static List<Listing> readListings(Path file) {
        List<Listing> listings = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            long lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                try {
                    listings.add(CatalogReader.parse(line));
                } catch (IllegalArgumentException e) {
                    throw new PoolException(file + ":" + lineNo + ": " + e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new PoolException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return List.copyOf(listings);
    }

    public Manifest manifest() {
        return manifest;
    }

    public Path dir() {
        return dir;
    }

    public int size() {
        return listings.size();
    }

    public Listing listing(int row) {
        return listings.get(row);
    }

    /**
     * Nearest listings of each query (L2-normalised rows), best first.
     * The caller must hold a reference (see {@link PoolManager#acquire()}).
     */
    public List<List<Neighbour>> search(float[][] queries, int k, SearchParams params) {
        if (queries.length == 0) {
            return List.of();
        }
        int d = manifest.dimension();
        float[] flat = new float[queries.length * d];
        for (int q = 0; q < queries.length; q++) {
            if (queries[q].length != d) {
                throw new IllegalArgumentException("query " + q + " has dimension " + queries[q].length + ", pool has " + d);
            }
            System.arraycopy(queries[q], 0, flat, q * d, d);
        }
        int kk = (int) Math.min(k, Math.max(1, listings.size()));
        SearchResult result = index.search(flat, queries.length, kk, params);
        List<List<Neighbour>> all = new ArrayList<>(queries.length);
        for (int q = 0; q < queries.length; q++) {
            List<Neighbour> row = new ArrayList<>(kk);
            for (int r = 0; r < kk; r++) {
                long id = result.id(q, r);
                if (id < 0 || id >= listings.size()) {
                    continue;
                }
                row.add(new Neighbour(listings.get((int) id), similarity(result.score(q, r))));
            }
            all.add(List.copyOf(row));
        }
        return all;
    }

    /** Cosine similarity from the index's score: inner product as is; squared L2 of unit vectors is 2 - 2 cos. */
    private float similarity(float score) {
        return metric == Metric.INNER_PRODUCT ? score : 1f - score / 2f;
    }

    /** Takes a reference unless the pool is already released; false means: acquire again. */
    boolean tryIncRef() {
        int count;
        do {
            count = refs.get();
            if (count <= 0) {
                return false;
            }
        } while (!refs.compareAndSet(count, count + 1));
        return true;
    }

    /** Releases a reference; the last one frees the index. */
    void decRef() {
        int left = refs.decrementAndGet();
        if (left == 0) {
            index.close();
        } else if (left < 0) {
            throw new IllegalStateException("pool " + manifest.poolVersion() + " released more often than acquired");
        }
    }

    int refCount() {
        return refs.get();
    }
}
