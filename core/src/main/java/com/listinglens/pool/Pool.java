package com.listinglens.pool;

import com.listinglens.catalog.Listing;
import com.listinglens.embedding.Vectors;
import com.listinglens.projection.Projection;
import com.listinglens.vector.FaissIndex;
import com.listinglens.vector.IdFilter;
import com.listinglens.vector.Metric;
import com.listinglens.vector.SearchParams;
import com.listinglens.vector.SearchResult;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An opened pool: an immutable snapshot of index, listings and manifest. Like a Lucene searcher it is
 * reference-counted: whoever searches it holds a reference ({@link #tryIncRef()} / {@link #decRef()}),
 * and its native memory is freed only when the last reference is released, so a pool can be swapped
 * out under load without pulling memory from under a running search. The vector id of a listing is its
 * row (from 0) in the pool's listing store. Opening and its checks are {@link PoolOpening}'s; putting the index's
 * candidates in their final order is the {@link Reranker}'s.
 */
public final class Pool {

    private final Path dir;
    private final Manifest manifest;
    private final ListingStore listings;
    private final FaissIndex index;
    private final Metric metric;
    private final PoolColumns columns;
    private final Overlay overlay;
    /**
     * What an unfiltered search may return under one overlay snapshot (pool rows not removed, added rows alive; null:
     * all of them), reused by every unfiltered search until the overlay changes.
     */
    private record Unfiltered(Overlay.Snapshot snapshot, IdFilter rows, IdFilter added) {
    }

    private volatile Unfiltered unfilteredCache;
    private final AtomicInteger refs = new AtomicInteger(1);

    private final Projection projection;
    /** The listings' unprojected embeddings (projected pools that have them; null otherwise). */
    private final PhotoVectors photoVectors;
    /** Orders the index's candidates; owns the re-ranking rows. */
    private final Reranker reranker;

    Pool(Path dir, Manifest manifest, ListingStore listings, FaissIndex index, Projection projection,
         PhotoVectors photoVectors, Reranker reranker) {
        this.dir = dir;
        this.manifest = manifest;
        this.listings = listings;
        this.index = index;
        this.metric = index.metric();
        this.projection = projection;
        this.photoVectors = photoVectors;
        this.reranker = reranker;
        this.columns = new PoolColumns(listings);
        this.overlay = new Overlay(columns, manifest.queryDimension(), projection, metric,
                manifest.model() == null ? null : manifest.model().space(),
                manifest.live() == null ? null : ChangeId.parseOrNull(manifest.live().through()));
    }

    /**
     * What a search found: per query the neighbours, best first; how many listings passed the filter (pool and live
     * additions together); and whether the search had to widen (visit everything the filter lets through) to find them.
     */
    public record Found(List<List<Neighbour>> rows, long matching, boolean widened) {
    }

    /** Options for opening a pool. */
    public record OpenOptions(boolean memoryMap, boolean verifyChecksums, String expectedSpace, int expectedDimension, int refine,
                              int exact) {

        /** What {@code lens.pool.exact-rerank} defaults to, for callers without the configuration. */
        public static final int DEFAULT_EXACT = 0;

        /**
         * {@code refine}: candidates per result re-ranked, 0 as the pool's manifest says; {@code exact}: of those, how
         * many per result the fp32 rows re-score after the pool's 8-bit rows have ranked them all (0: the fp32 rows
         * score every candidate; pools without 8-bit rows always do).
         */
        public OpenOptions {
            if (refine < 0 || refine > FaissIndex.MAX_K) {
                throw new IllegalArgumentException("refine must be in 0.." + FaissIndex.MAX_K + ", got " + refine);
            }
            if (exact < 0 || exact > FaissIndex.MAX_K) {
                throw new IllegalArgumentException("exact re-ranking must be in 0.." + FaissIndex.MAX_K + ", got " + exact);
            }
        }

        public OpenOptions(boolean memoryMap, boolean verifyChecksums, String expectedSpace, int expectedDimension, int refine) {
            this(memoryMap, verifyChecksums, expectedSpace, expectedDimension, refine, DEFAULT_EXACT);
        }

        /** Re-ranking as the pool's manifest says. */
        public OpenOptions(boolean memoryMap, boolean verifyChecksums, String expectedSpace, int expectedDimension) {
            this(memoryMap, verifyChecksums, expectedSpace, expectedDimension, 0);
        }
    }

    /**
     * Opens the pool in {@code dir}: manifest first, then (optionally) checksums, then listings and index,
     * each checked against the manifest and against what the caller serves. Nothing is half-opened: on any
     * failure what was opened is closed again and a {@link PoolException} says why (see {@link PoolOpening}).
     */
    public static Pool open(Path dir, OpenOptions options) {
        return PoolOpening.open(dir, options);
    }

    /**
     * Refuses a pool embedded in another space or dimension than the model that will query it (null space or
     * dimension 0: not checked). Callers may run it on a manifest alone, before fetching any pool file.
     */
    public static void checkCompatible(Manifest manifest, String expectedSpace, int expectedDimension) {
        PoolOpening.checkCompatible(manifest, expectedSpace, expectedDimension);
    }

    public Manifest manifest() {
        return manifest;
    }

    public Path dir() {
        return dir;
    }

    public int size() {
        return (int) listings.rows();
    }

    /** Candidates per result re-ranked by the pool's fp32 rows (1: none, the index's order stands). */
    public int refineFactor() {
        return reranker.refine();
    }

    /** Candidates per result the fp32 rows re-score after the 8-bit rows ranked them all (0: no 8-bit stage). */
    public int exactFactor() {
        return reranker.exact();
    }

    /** The pool's listing store (memory-mapped). */
    public ListingStore listings() {
        return listings;
    }

    /** Whether the pool's own listings (live changes aside) include this id. */
    public boolean holds(String listingId) {
        return columns.row(listingId) >= 0;
    }

    public Listing listing(int row) {
        return listings.listing(row);
    }

    /** The live changes applied on top of this pool version. */
    public Overlay overlay() {
        return overlay;
    }

    /**
     * Nearest listings of each query (L2-normalised rows), best first, live changes included.
     * The caller must hold a reference (see {@link PoolManager#acquire()}).
     */
    public List<List<Neighbour>> search(float[][] queries, int k, SearchParams params) {
        return search(queries, k, params, ListingFilter.NONE).rows();
    }

    /**
     * Nearest listings that pass {@code filter}: the pool's own (minus removed ones) and live additions, merged by
     * similarity. When the index's normal search (nprobe, efSearch) finds fewer than k of the listings the filter
     * lets through, as a very selective filter makes approximate indexes do, the search is repeated over everything
     * the filter lets through, so k results come back whenever k exist.
     */
    public Found search(float[][] queries, int k, SearchParams params, ListingFilter filter) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        if (queries.length == 0) {
            return new Found(List.of(), 0, false);
        }
        params = withPoolDefaults(params);
        int d = manifest.dimension();
        float[] flat = new float[queries.length * d];
        for (int q = 0; q < queries.length; q++) {
            if (queries[q].length != manifest.queryDimension()) {
                throw new IllegalArgumentException("query " + q + " has dimension " + queries[q].length + ", pool is queried with "
                        + manifest.queryDimension());
            }
            float[] row = projection == null ? queries[q] : projection.apply(queries[q]);
            System.arraycopy(row, 0, flat, q * d, d);
        }
        return searchFlat(flat, queries.length, queries, k, params, filter);
    }

    /**
     * As {@link #search(float[][], int, SearchParams)} for queries already in the index's space (projected, unit
     * length): what a caller holding projected embeddings (a benchmark, a batch job) searches with. Without the
     * model's own embeddings the near-duplicate similarity of each neighbour is unknown (NaN) in a projected pool.
     */
    public List<List<Neighbour>> searchProjected(float[][] projected, int k, SearchParams params) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        if (projected.length == 0) {
            return List.of();
        }
        int d = manifest.dimension();
        float[] flat = new float[projected.length * d];
        for (int q = 0; q < projected.length; q++) {
            if (projected[q].length != d) {
                throw new IllegalArgumentException("query " + q + " has dimension " + projected[q].length + ", the index has " + d);
            }
            System.arraycopy(projected[q], 0, flat, q * d, d);
        }
        return searchFlat(flat, projected.length, null, k, withPoolDefaults(params), ListingFilter.NONE).rows();
    }

    /** The search over index-space rows; {@code photoQueries}: the model's embeddings of the queries (null: unknown). */
    private Found searchFlat(float[] flat, int n, float[][] photoQueries, int k, SearchParams params, ListingFilter filter) {
        Overlay.Snapshot live = overlay.snapshot();
        Unfiltered unfiltered = filter.isNone() ? unfiltered(live) : null;
        IdFilter rows = unfiltered != null ? unfiltered.rows()
                : columns.compile(filter, live.removedCount() > 0 ? live.removedRows() : null);
        long inPool = rows == null ? listings.rows() : rows.count();
        IdFilter addedRows = unfiltered != null ? unfiltered.added() : overlay.addedFilter(live, filter);
        long inAdded = addedRows == null ? 0 : addedRows.count();

        Found fromPool = inPool > 0 ? searchPool(flat, n, photoQueries, k, params, rows, inPool) : null;
        List<List<Neighbour>> fromAdded = inAdded > 0 ? searchAdded(live, flat, n, photoQueries, k, addedRows, inAdded) : null;
        List<List<Neighbour>> all = new ArrayList<>(n);
        for (int q = 0; q < n; q++) {
            all.add(merge(fromPool != null ? fromPool.rows().get(q) : List.of(), fromAdded != null ? fromAdded.get(q) : List.of(), k));
        }
        return new Found(List.copyOf(all), inPool + inAdded, fromPool != null && fromPool.widened());
    }

    /**
     * The pool's own nearest listings of each query among {@code rows} (null: all of them), {@code inPool} listings,
     * in the {@link Reranker}'s order; widened (everything {@code rows} lets through visited) where the index's normal
     * search found fewer than k.
     */
    private Found searchPool(float[] flat, int n, float[][] photoQueries, int k, SearchParams params, IdFilter rows, long inPool) {
        int kk = (int) Math.min(k, inPool);
        int kc = reranker.candidates(kk, inPool);
        SearchResult result = index.search(flat, n, kc, params, rows);
        boolean widened = false;
        if (rows != null && !params.exhaustive() && shortOf(result, n, kk)) {
            result = index.search(flat, n, kc, params.withExhaustive(true), rows);
            widened = true;
        }
        List<List<Neighbour>> fromPool = new ArrayList<>(n);
        for (int q = 0; q < n; q++) {
            List<Neighbour> row = new ArrayList<>(kk);
            long[] ids = new long[kk];
            float[] sims = new float[kk];
            int found = reranker.best(result, q, flat, ids, sims);
            for (int r = 0; r < found; r++) {
                long id = ids[r];
                float sim = sims[r];
                row.add(new Neighbour(listings.listing(id), sim,
                        projection == null ? sim : photoVectors == null || photoQueries == null ? Float.NaN : photoVectors.dot(id, photoQueries[q])));
            }
            fromPool.add(row);
        }
        return new Found(fromPool, inPool, widened);
    }

    /** The nearest live additions of each query among {@code addedRows}, {@code inAdded} of them, best first. */
    private List<List<Neighbour>> searchAdded(Overlay.Snapshot live, float[] flat, int n, float[][] photoQueries, int k,
                                              IdFilter addedRows, long inAdded) {
        int ka = (int) Math.min(k, inAdded);
        SearchResult result = overlay.searchAdded(flat, n, ka, addedRows);
        List<List<Neighbour>> fromAdded = new ArrayList<>(n);
        for (int q = 0; q < n; q++) {
            List<Neighbour> row = new ArrayList<>(ka);
            for (int r = 0; r < ka; r++) {
                long id = result.id(q, r);
                if (id >= 0 && id < live.addedRows()) {
                    float sim = metric.cosine(result.score(q, r));
                    row.add(new Neighbour(live.added()[(int) id], sim,
                            projection == null ? sim : photoQueries == null ? Float.NaN : (float) Vectors.dot(live.addedVectors()[(int) id], photoQueries[q])));
                }
            }
            fromAdded.add(row);
        }
        return fromAdded;
    }

    /** The search parameters the pool's builder recommends (manifest) where the caller leaves them to the index (0). */
    SearchParams withPoolDefaults(SearchParams params) {
        Manifest.IndexChoice choice = manifest.indexChoice();
        if (choice == null || params.exhaustive() || (params.nprobe() != 0 || choice.nprobe() == 0)
                && (params.efSearch() != 0 || choice.efSearch() == 0)) {
            return params;
        }
        return new SearchParams(params.nprobe() != 0 ? params.nprobe() : choice.nprobe(),
                params.efSearch() != 0 ? params.efSearch() : choice.efSearch(), false);
    }

    /** The unfiltered search's filters for a snapshot, made once per snapshot. */
    private Unfiltered unfiltered(Overlay.Snapshot live) {
        Unfiltered cached = unfilteredCache;
        if (cached != null && cached.snapshot() == live) {
            return cached;
        }
        Unfiltered made = new Unfiltered(live,
                live.removedCount() == 0 ? null : columns.compile(ListingFilter.NONE, live.removedRows()),
                overlay.addedFilter(live, ListingFilter.NONE));
        unfilteredCache = made;
        return made;
    }

    private static boolean shortOf(SearchResult result, int n, int k) {
        for (int q = 0; q < n; q++) {
            if (result.id(q, k - 1) < 0) {
                return true;
            }
        }
        return false;
    }

    /** Two best-first lists merged, best first, at most k. */
    static List<Neighbour> merge(List<Neighbour> a, List<Neighbour> b, int k) {
        if (b.isEmpty()) {
            return List.copyOf(a.subList(0, Math.min(k, a.size())));
        }
        List<Neighbour> out = new ArrayList<>(Math.min(k, a.size() + b.size()));
        int i = 0;
        int j = 0;
        while (out.size() < k && (i < a.size() || j < b.size())) {
            if (j >= b.size() || (i < a.size() && a.get(i).similarity() >= b.get(j).similarity())) {
                out.add(a.get(i++));
            } else {
                out.add(b.get(j++));
            }
        }
        return List.copyOf(out);
    }

    /** Frees a pool that was opened but never handed to a {@link PoolManager} (drops the opener's reference). */
    public void discard() {
        decRef();
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
            overlay.close();
            index.close();
            if (photoVectors != null) {
                photoVectors.close();
            }
            reranker.close();
            listings.close();
        } else if (left < 0) {
            throw new IllegalStateException("pool " + manifest.poolVersion() + " released more often than acquired");
        }
    }

    int refCount() {
        return refs.get();
    }
}
