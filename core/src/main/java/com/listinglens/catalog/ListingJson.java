package com.listinglens.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.LinkedHashMap;
import java.util.Map;

/** Writes a listing as one catalog line, in the shape {@link CatalogReader#parse(String)} reads. */
public final class ListingJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ListingJson() {
    }

    public static String toLine(Listing listing) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("id", listing.id());
        line.put("image", listing.image());
        line.put("title", listing.title());
        line.put("category", listing.category());
        line.put("brand", listing.brand());
        line.put("weight_grams", listing.weightGrams());
        line.put("price", listing.price());
        listing.extra().forEach(line::putIfAbsent);
        try {
            return JSON.writeValueAsString(line);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write listing " + listing.id(), e);
        }
    }
}
