package com.listinglens.app;

import com.listinglens.search.ImageUrls;

import com.listinglens.image.NamedColour;
import com.listinglens.pipeline.SuggestPipeline;
import com.listinglens.suggest.ListingSuggestion;
import com.listinglens.suggest.WeightClasses;

import java.time.Instant;
import java.util.List;

/** The JSON answer of {@code POST /v1/suggestions}. */
public record SuggestionResponse(
        String suggestionId,
        String suggestionIdReason,
        boolean cached,
        ListingSuggestion.Field<String> title,
        ListingSuggestion.CategorySuggestion category,
        ListingSuggestion.Field<String> brand,
        ListingSuggestion.PriceBand priceBand,
        ListingSuggestion.Field<WeightClasses.WeightClass> weightClass,
        Colour colour,
        List<ListingSuggestion.NeighbourView> neighbours,
        List<Duplicate> duplicates,
        Model model,
        PoolInfo pool,
        SuggestPipeline.Timings timings) {

    /** The dominant colour of the (first) photo, or null with a reason. */
    public record Colour(String name, String hex, Double share, String reason) {
    }

    /**
     * A listing whose photo is (nearly) the same as the upload's: the item may be listed already, or the photo taken
     * from another listing.
     */
    public record Duplicate(String id, String title, double similarity) {
    }

    public record Model(String name, String precision, String device, String sha256) {
    }

    public record PoolInfo(String version, long listings, Instant builtAt, String indexFactory) {
    }

    /** The same answer under a session id (null with a reason when no session could be kept), cached or not. */
    public SuggestionResponse withSession(String id, String reason, boolean fromCache) {
        return new SuggestionResponse(id, reason, fromCache, title, category, brand, priceBand, weightClass, colour,
                neighbours, duplicates, model, pool, timings);
    }

    /** Timings of the request that was answered from the cache. */
    public SuggestionResponse withTimings(SuggestPipeline.Timings t) {
        return new SuggestionResponse(suggestionId, suggestionIdReason, cached, title, category, brand, priceBand,
                weightClass, colour, neighbours, duplicates, model, pool, t);
    }

    /**
     * The answer to a request; neighbours at least {@code duplicateSimilarity} similar are flagged as duplicates, and
     * their photos are given as URLs under {@code imageBaseUrl}.
     */
    public static SuggestionResponse of(SuggestPipeline.Result r, double duplicateSimilarity, String imageBaseUrl) {
        ListingSuggestion s = r.suggestion();
        NamedColour c = r.colour();
        Colour colour = c == null
                ? new Colour(null, null, null, "no dominant colour")
                : new Colour(c.name(), c.hex(), Math.round(c.share() * 1000) / 1000.0, null);
        return new SuggestionResponse(null, null, false, s.title(), s.category(), s.brand(), s.priceBand(), s.weightClass(), colour,
                s.neighbours().stream().map(n -> n.withImage(ImageUrls.of(imageBaseUrl, n.image()))).toList(),
                r.neighbours().stream().filter(n -> n.nearDuplicate(duplicateSimilarity))
                        .map(n -> new Duplicate(n.listing().id(), n.listing().title(), Math.round(n.photoSimilarity() * 10000) / 10000.0))
                        .toList(),
                new Model(r.model().name(), r.model().precision(), r.model().device(), r.model().sha256()),
                new PoolInfo(r.pool().poolVersion(), r.pool().listingCount(), r.pool().builtAt(), r.pool().indexFactory()),
                r.timings());
    }
}
