package com.listinglens.pool;

import com.listinglens.catalog.Listing;
import com.listinglens.projection.Projection;
import com.listinglens.vector.FaissIndex;
import com.listinglens.vector.IdFilter;
import com.listinglens.vector.Metric;
import com.listinglens.vector.SearchParams;
import com.listinglens.vector.SearchResult;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live changes on top of one pool version, between two builds: listings added since the build (in a small
 * exact index searched beside the pool's), listings removed (a bitmap over the pool's rows, and dead rows of the
 * small index), and how far the change log has been applied. An added listing whose id the pool already has
 * replaces it; a removed one is gone from every search from the moment {@link #apply} returns.
 *
 * <p>Writers ({@link #apply}) are serialised; searches read an immutable {@link Snapshot} and never wait for them.
 * The overlay belongs to its pool and is closed with it.
 */
public final class Overlay implements AutoCloseable {

    /** One change to apply. */
    public sealed interface Edit permits Add, Remove {
        ChangeId id();

        /** The listing the change is about. */
        String listingId();
    }

    /** Adds (or replaces) a listing with its embedding. */
    public record Add(ChangeId id, Listing listing, float[] vector) implements Edit {
        @Override
        public String listingId() {
            return listing.id();
        }
    }

    /** Removes a listing (sold, deleted); unknown ids are no-ops. */
    public record Remove(ChangeId id, String listingId) implements Edit {
    }

    /** What searches see. Arrays are never modified once published. */
    public record Snapshot(long[] removedRows, int removedCount, Listing[] added, float[][] addedVectors, int addedRows,
                           long[] alive, int aliveCount, ChangeId through, ChangeId lastAdd) {

        public boolean isEmpty() {
            return removedCount == 0 && aliveCount == 0;
        }
    }

    private final PoolColumns columns;
    /** Dimension of the embeddings added (the model's). */
    private final int dimension;
    /** The pool's projection (null: none), applied to added embeddings before they are indexed. */
    private final Projection projection;
    private final Metric metric;
    private final String space;
    private final Map<String, Integer> addedRowById = new HashMap<>();
    /** Listing id -> the last change that touched it (for cache validation). */
    private final Map<String, ChangeId> changedAt = new ConcurrentHashMap<>();
    private FaissIndex index;
    private long[] removed;
    private int removedCount;
    private Listing[] added = new Listing[16];
    /** The added listings' embeddings as given (the model's, before any projection), by added row. */
    private float[][] addedVectors = new float[16][];
    private int addedRows;
    private long[] alive = new long[1];
    private int aliveCount;
    private volatile Snapshot snapshot;
    private boolean closed;

    Overlay(PoolColumns columns, int dimension, Projection projection, Metric metric, String space,
            ChangeId through) {
        this.columns = columns;
        this.dimension = dimension;
        this.projection = projection;
        this.metric = metric;
        this.space = space;
        this.removed = new long[(columns.rows() + 63) >>> 6];
        this.snapshot = new Snapshot(removed, 0, added, addedVectors, 0, alive, 0, through == null ? ChangeId.ZERO : through, null);
    }

    public Snapshot snapshot() {
        return snapshot;
    }

    /** How far the change log is applied (the pool's own fold point until a change arrives). */
    public ChangeId through() {
        return snapshot.through();
    }

    /** The embedding space additions must be in (the pool's). */
    public String space() {
        return space;
    }

    public int dimension() {
        return dimension;
    }

    /**
     * Applies changes in log order and publishes them at once; changes at or before {@link #through()} were applied
     * already and are skipped, so replaying overlapping ranges is safe. {@code seen} (may be null) is the last log
     * position read, which may lie beyond the last edit when unreadable entries were skipped.
     */
    public synchronized void apply(List<? extends Edit> edits, ChangeId seen) {
        if (closed) {
            throw new IllegalStateException("the overlay's pool is closed");
        }
        for (Edit e : edits) {
            if (e instanceof Add a) {
                if (a.vector() == null || a.vector().length != dimension) {
                    throw new IllegalArgumentException("listing " + a.listing().id() + ": embedding of dimension "
                            + (a.vector() == null ? 0 : a.vector().length) + ", pool has " + dimension);
                }
                for (float v : a.vector()) {
                    if (!Float.isFinite(v)) {
                        throw new IllegalArgumentException("listing " + a.listing().id() + ": embedding is not finite");
                    }
                }
            }
        }
        ChangeId through = snapshot.through();
        ChangeId lastAdd = snapshot.lastAdd();
        // the published arrays are never written: this batch works on copies, the alive bitmap sized for every addition
        long[] rem = removed.clone();
        long[] liv = Arrays.copyOf(alive, Math.max(alive.length, ((addedRows + edits.size()) >>> 6) + 1));
        List<float[]> vectors = new ArrayList<>();
        List<Long> rowIds = new ArrayList<>();
        for (Edit e : edits) {
            if (!e.id().isAfter(through)) {
                continue;
            }
            retire(e.listingId(), rem, liv);
            if (e instanceof Add a) {
                if (addedRows == added.length) {
                    added = Arrays.copyOf(added, added.length * 2);
                    addedVectors = Arrays.copyOf(addedVectors, addedVectors.length * 2);
                }
                int row = addedRows++;
                added[row] = a.listing();
                addedVectors[row] = a.vector().clone();
                liv[row >>> 6] |= 1L << (row & 63);
                aliveCount++;
                addedRowById.put(a.listing().id(), row);
                vectors.add(a.vector());
                rowIds.add((long) row);
                lastAdd = a.id();
            }
            changedAt.put(e.listingId(), e.id());
            through = e.id();
        }
        if (!vectors.isEmpty()) {
            int d = projection == null ? dimension : projection.outputDimension();
            float[] flat = new float[vectors.size() * d];
            long[] ids = new long[vectors.size()];
            for (int i = 0; i < ids.length; i++) {
                float[] v = projection == null ? vectors.get(i) : projection.apply(vectors.get(i));
                System.arraycopy(v, 0, flat, i * d, d);
                ids[i] = rowIds.get(i);
            }
            if (index == null) {
                index = FaissIndex.create("IDMap,Flat", d, metric);
            }
            index.addWithIds(flat, ids);
        }
        if (seen != null && seen.isAfter(through)) {
            through = seen;
        }
        removed = rem;
        alive = liv;
        snapshot = new Snapshot(removed, removedCount, added, addedVectors, addedRows, alive, aliveCount, through, lastAdd);
    }

    /** Takes a listing id out of the pool rows and the added rows (copies being built). */
    private void retire(String listingId, long[] rem, long[] liv) {
        int row = columns.row(listingId);
        if (row >= 0 && (rem[row >>> 6] & (1L << (row & 63))) == 0) {
            rem[row >>> 6] |= 1L << (row & 63);
            removedCount++;
        }
        Integer old = addedRowById.remove(listingId);
        if (old != null && (liv[old >>> 6] & (1L << (old & 63))) != 0) {
            liv[old >>> 6] &= ~(1L << (old & 63));
            aliveCount--;
        }
    }

    /** Whether the listing is served now (in the pool and not removed, or added and alive). */
    public boolean contains(String listingId) {
        Snapshot s = snapshot;
        int row = columns.row(listingId);
        if (row >= 0 && (s.removedRows()[row >>> 6] & (1L << (row & 63))) == 0) {
            return true;
        }
        for (int r = s.addedRows() - 1; r >= 0; r--) {
            if (s.added()[r].id().equals(listingId)) {
                return (s.alive()[r >>> 6] & (1L << (r & 63))) != 0;
            }
        }
        return false;
    }

    /**
     * Whether an answer computed when the log stood at {@code through} may be out of date: a listing was added since
     * (it might belong among the neighbours), or one of {@code listingIds} changed since.
     */
    public boolean changedSince(ChangeId through, Collection<String> listingIds) {
        ChangeId since = through == null ? ChangeId.ZERO : through;
        ChangeId lastAdd = snapshot.lastAdd();
        if (lastAdd != null && lastAdd.isAfter(since)) {
            return true;
        }
        for (String id : listingIds) {
            ChangeId at = changedAt.get(id);
            if (at != null && at.isAfter(since)) {
                return true;
            }
        }
        return false;
    }

    /** Alive added listings passing {@code filter} as a filter over the added rows (null: none at all). */
    IdFilter addedFilter(Snapshot s, ListingFilter filter) {
        if (s.aliveCount() == 0) {
            return null;
        }
        int rows = s.addedRows();
        long[] bits = new long[(rows + 63) >>> 6];
        int count = 0;
        for (int r = 0; r < rows; r++) {
            if ((s.alive()[r >>> 6] & (1L << (r & 63))) != 0 && filter.matches(s.added()[r])) {
                bits[r >>> 6] |= 1L << (r & 63);
                count++;
            }
        }
        return count == 0 ? null : IdFilter.of(bits, rows);
    }

    /** Searches the added listings with queries already projected; ids of the result are added rows. Only with a non-null filter. */
    SearchResult searchAdded(float[] flatQueries, int n, int k, IdFilter filter) {
        FaissIndex idx;
        synchronized (this) {
            idx = index;
        }
        return idx.search(flatQueries, n, k, SearchParams.DEFAULT, filter);
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (index != null) {
            index.close();
            index = null;
        }
    }
}
