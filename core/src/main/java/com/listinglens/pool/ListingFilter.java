package com.listinglens.pool;

import com.listinglens.catalog.Listing;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a search may return: listings under a category prefix, of some brands, in a price range, minus some ids.
 * Every part is optional; {@link #NONE} lets everything through. Pure: the same predicate is compiled to a bitmap
 * over a pool's rows ({@link PoolColumns#compile}) and evaluated per listing for live additions.
 *
 * @param categoryPrefix the listing's category path must start with these names (case-insensitive); empty: any
 * @param brands         the listing's brand must be one of these (case-insensitive); empty: any brand, or none
 * @param minPrice       lowest price, inclusive (null: no bound); a bound excludes listings without a price
 * @param maxPrice       highest price, inclusive (null: no bound)
 * @param excludeIds     listing ids never returned
 */
public record ListingFilter(List<String> categoryPrefix, Set<String> brands, Double minPrice, Double maxPrice,
                            Set<String> excludeIds) {

    public static final int MAX_BRANDS = 100;
    public static final int MAX_EXCLUDED = 1000;
    public static final int MAX_DEPTH = 16;

    public static final ListingFilter NONE = new ListingFilter(List.of(), Set.of(), null, null, Set.of());

    public ListingFilter {
        categoryPrefix = categoryPrefix == null ? List.of() : categoryPrefix.stream().map(String::strip).toList();
        if (categoryPrefix.size() > MAX_DEPTH || categoryPrefix.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("category must be 1-" + MAX_DEPTH + " non-empty names separated by '/'");
        }
        Set<String> b = new LinkedHashSet<>();
        for (String brand : brands == null ? Set.<String>of() : brands) {
            if (brand == null || brand.isBlank()) {
                throw new IllegalArgumentException("a brand must not be empty");
            }
            b.add(brand.strip().toLowerCase(Locale.ROOT));
        }
        if (b.size() > MAX_BRANDS) {
            throw new IllegalArgumentException("at most " + MAX_BRANDS + " brands, got " + b.size());
        }
        brands = Set.copyOf(b);
        for (Double p : new Double[]{minPrice, maxPrice}) {
            if (p != null && (p.isNaN() || p.isInfinite() || p < 0)) {
                throw new IllegalArgumentException("prices must be finite and >= 0, got " + p);
            }
        }
        if (minPrice != null && maxPrice != null && minPrice > maxPrice) {
            throw new IllegalArgumentException("minPrice " + minPrice + " is above maxPrice " + maxPrice);
        }
        Set<String> ex = new LinkedHashSet<>();
        for (String id : excludeIds == null ? Set.<String>of() : excludeIds) {
            if (id != null && !id.isBlank()) {
                ex.add(id.strip());
            }
        }
        if (ex.size() > MAX_EXCLUDED) {
            throw new IllegalArgumentException("at most " + MAX_EXCLUDED + " excluded ids, got " + ex.size());
        }
        excludeIds = Set.copyOf(ex);
    }

    /** Parses a category path written "Fruit/Apple" (blank or null: any category). */
    public static List<String> categoryPath(String path) {
        if (path == null || path.isBlank()) {
            return List.of();
        }
        return List.of(path.strip().split("\\s*/\\s*", -1));
    }

    /** Lets every listing through. */
    public boolean isNone() {
        return categoryPrefix.isEmpty() && brands.isEmpty() && minPrice == null && maxPrice == null && excludeIds.isEmpty();
    }

    public boolean matches(Listing listing) {
        return categoryMatches(listing.category()) && brandMatches(listing.brand()) && priceMatches(listing.price())
                && !excludeIds.contains(listing.id());
    }

    boolean categoryMatches(List<String> category) {
        if (categoryPrefix.size() > category.size()) {
            return false;
        }
        for (int i = 0; i < categoryPrefix.size(); i++) {
            if (!categoryPrefix.get(i).equalsIgnoreCase(category.get(i))) {
                return false;
            }
        }
        return true;
    }

    boolean brandMatches(String brand) {
        return brands.isEmpty() || (brand != null && brands.contains(brand.strip().toLowerCase(Locale.ROOT)));
    }

    boolean priceMatches(Double price) {
        if (minPrice == null && maxPrice == null) {
            return true;
        }
        if (price == null || price.isNaN()) {
            return false;
        }
        return (minPrice == null || price >= minPrice) && (maxPrice == null || price <= maxPrice);
    }

    boolean pricesBounded() {
        return minPrice != null || maxPrice != null;
    }
}
