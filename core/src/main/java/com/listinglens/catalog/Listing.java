package com.listinglens.catalog;

import java.util.List;
import java.util.Map;

/**
 * One listing of a catalog: what a seller listed before. Only {@code id} and {@code image} are required;
 * every other field may be missing (null), as it is in real catalogs. {@code extra} keeps the fields this
 * service does not interpret (e.g. country), so that nothing in a catalog line is lost in a pool.
 */
public record Listing(
        String id,
        String image,
        String title,
        List<String> category,
        String brand,
        Double weightGrams,
        Double price,
        Map<String, Object> extra) {

    public Listing {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("listing id is required");
        }
        if (image == null || image.isBlank()) {
            throw new IllegalArgumentException("listing image is required");
        }
        category = category == null ? List.of() : List.copyOf(category);
        extra = extra == null ? Map.of() : Map.copyOf(extra);
    }

    public boolean hasCategory() {
        return !category.isEmpty();
    }
}
