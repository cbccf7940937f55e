package com.listinglens.pool;

import com.listinglens.catalog.Listing;
import com.listinglens.vector.IdFilter;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A pool's listings as columns for filtering: category path and brand as small integer codes, price as a float
 * (NaN: unknown), and listing id to row. Built once when a pool is opened; a filter is then compiled into a bitmap
 * over the rows by comparing codes instead of strings, which costs about a millisecond per million rows.
 */
public final class PoolColumns {

    private final int rows;
    private final List<List<String>> categories;
    private final int[] categoryCode;
    private final List<String> brands;
    private final int[] brandCode;
    private final float[] price;
    private final Map<String, Integer> rowById;

    public PoolColumns(List<Listing> listings) {
        rows = listings.size();
        categoryCode = new int[rows];
        brandCode = new int[rows];
        price = new float[rows];
        Map<List<String>, Integer> cats = new HashMap<>();
        Map<String, Integer> brandCodes = new HashMap<>();
        categories = new ArrayList<>();
        brands = new ArrayList<>();
        rowById = HashMap.newHashMap(rows);
        for (int r = 0; r < rows; r++) {
            Listing l = listings.get(r);
            categoryCode[r] = cats.computeIfAbsent(l.category(), c -> {
                categories.add(c);
                return categories.size() - 1;
            });
            String brand = l.brand() == null ? "" : l.brand().strip().toLowerCase(Locale.ROOT);
            brandCode[r] = brandCodes.computeIfAbsent(brand, b -> {
                brands.add(b);
                return brands.size() - 1;
            });
            price[r] = l.price() == null ? Float.NaN : l.price().floatValue();
            // a later duplicate id would shadow an earlier row; builds refuse duplicate ids, so keep the first
            rowById.putIfAbsent(l.id(), r);
        }
    }

    public int rows() {
        return rows;
    }

    /** The row of a listing id, or -1. */
    public int row(String listingId) {
        Integer r = rowById.get(listingId);
        return r == null ? -1 : r;
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
        boolean[] catOk = new boolean[categories.size()];
        for (int c = 0; c < catOk.length; c++) {
            catOk[c] = filter.categoryMatches(categories.get(c));
        }
        boolean[] brandOk = new boolean[brands.size()];
        for (int b = 0; b < brandOk.length; b++) {
            brandOk[b] = filter.brandMatches(brands.get(b).isEmpty() ? null : brands.get(b));
        }
        boolean priced = filter.pricesBounded();
        float lo = filter.minPrice() == null ? Float.NEGATIVE_INFINITY : filter.minPrice().floatValue();
        float hi = filter.maxPrice() == null ? Float.POSITIVE_INFINITY : filter.maxPrice().floatValue();
        for (int r = 0; r < rows; r++) {
            if (!catOk[categoryCode[r]] || !brandOk[brandCode[r]]) {
                continue;
            }
            if (priced) {
                float p = price[r];
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
