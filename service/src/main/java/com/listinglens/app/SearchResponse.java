package com.listinglens.app;

import com.listinglens.pool.ListingFilter;

import java.util.List;
import java.util.Set;

/**
 * The JSON answer of {@code POST /v1/search} and of its further pages.
 *
 * @param results      this page, most similar first
 * @param offset       position of the first result in the ranking
 * @param limit        page size asked for
 * @param matching     listings (pool and live additions) that pass the filters
 * @param note         why the page holds fewer than {@code limit} results, if it does
 * @param widened      the index's normal search found too few listings passing the filters, so everything passing
 *                     them was searched
 * @param nextCursor   fetches the next page (GET /v1/search?cursor=...); null at the end
 * @param cursorReason why there is no next cursor
 */
public record SearchResponse(List<Hit> results, int offset, int limit, long matching, String note, boolean widened,
                             String nextCursor, String cursorReason, Filters filters, PoolInfo pool, Timings timings) {

    /**
     * One listing found.
     *
     * @param similarity      cosine to the query in the pool's index space (the learned projection's, when the pool
     *                        has one): what results are ranked by
     * @param photoSimilarity cosine of the two photos' own embeddings (before any projection; null when the pool does
     *                        not keep them): what {@code nearDuplicate} is judged on
     * @param nearDuplicate   its photo is (nearly) the same photo as the query's
     */
    public record Hit(String id, String title, List<String> category, String brand, Double price, double similarity,
                      Double photoSimilarity, String imageUrl, boolean nearDuplicate) {
    }

    /** The filters applied. */
    public record Filters(List<String> category, Set<String> brands, Double minPrice, Double maxPrice, Set<String> excludeIds) {
        public static Filters of(ListingFilter f) {
            return new Filters(f.categoryPrefix(), f.brands(), f.minPrice(), f.maxPrice(), f.excludeIds());
        }
    }

    public record PoolInfo(String version, long listings) {
    }

    public record Timings(double decodeMs, double embedMs, double searchMs, double totalMs) {
    }
}
