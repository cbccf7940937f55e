package com.listinglens.pool;

import com.listinglens.vector.IdFilter;

import java.util.List;

/**
 * A pool's listings as columns for filtering, read straight from its {@link ListingStore}: category path and brand as
 * dictionary codes, price as a double (NaN: unknown), and listing id to row through the store's id table. Nothing is
 * built per listing; a filter is compiled into a bitmap over the rows by comparing codes instead of strings.
 */
public final class PoolColumns {

    private final ListingStore store;
    private final int rows;

    public PoolColumns(ListingStore store) {
        this.store = store;
        this.rows = Math.toIntExact(store.rows());
    }

    public int rows() {
        return rows;
    }

    /** The row of a listing id, or -1. */
    public int row(String listingId) {
        return (int) store.row(listingId);
    }

    /**
     * The rows a filter lets through, minus the rows set in {@code removed} (one bit per row, may be null or shorter
     * than the pool). Returns null when everything passes (no filter needed at all).
     */
    public IdFilter compile(ListingFilter filter, long[] removed) {
        boolean anyRemoved = false;
        if (removed != null) {
            for (long w : removed) {
                if (w != 0) {
                    anyRemoved = true;
                    break;
                }
            }
        }
        if (filter.isNone() && !anyRemoved) {
            return null;
        }
        int words = (rows + 63) >>> 6;
        long[] bits = new long[words];
        List<List<String>> categories = store.categories();
        boolean[] catOk = new boolean[categories.size()];
        for (int c = 0; c < catOk.length; c++) {
            catOk[c] = filter.categoryMatches(categories.get(c));
        }
        List<String> brands = store.brands();
        boolean[] brandOk = new boolean[brands.size()];
        for (int b = 0; b < brandOk.length; b++) {
            brandOk[b] = filter.brandMatches(b == 0 ? null : brands.get(b));
        }
        boolean priced = filter.pricesBounded();
        double lo = filter.minPrice() == null ? Double.NEGATIVE_INFINITY : filter.minPrice();
        double hi = filter.maxPrice() == null ? Double.POSITIVE_INFINITY : filter.maxPrice();
        for (int r = 0; r < rows; r++) {
            if (!catOk[store.categoryCode(r)] || !brandOk[store.brandCode(r)]) {
                continue;
            }
            if (priced) {
                double p = store.price(r);
                // NaN (unknown price) fails both comparisons
                if (!(p >= lo && p <= hi)) {
                    continue;
                }
            }
            bits[r >>> 6] |= 1L << (r & 63);
        }
        for (String id : filter.excludeIds()) {
            int r = row(id);
            if (r >= 0) {
                bits[r >>> 6] &= ~(1L << (r & 63));
            }
        }
        if (anyRemoved) {
            for (int w = 0; w < Math.min(words, removed.length); w++) {
                bits[w] &= ~removed[w];
            }
        }
        return IdFilter.of(bits, rows);
    }
}
