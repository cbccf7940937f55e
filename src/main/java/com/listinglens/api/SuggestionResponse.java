package com.listinglens.api;

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
        Model model,
        PoolInfo pool,
        SuggestPipeline.Timings timings) {

    /** The dominant colour of the (first) photo, or null with a reason. */
    public record Colour(String name, String hex, Double share, String reason) {
    }

    public record Model(String name, String precision, String device, String sha256) {
    }

    public record PoolInfo(String version, long listings, Instant builtAt, String indexFactory) {
    }

    /** The same answer under a session id (null with a reason when no session could be kept), cached or not. */
    public SuggestionResponse withSession(String id, String reason, boolean fromCache) {
        return new SuggestionResponse(id, reason, fromCache, title, category, brand, priceBand, weightClass, colour,
                neighbours, model, pool, timings);
    }

    /** Timings of the request that was answered from the cache. */
    public SuggestionResponse withTimings(SuggestPipeline.Timings t) {
        return new SuggestionResponse(suggestionId, suggestionIdReason, cached, title, category, brand, priceBand,
                weightClass, colour, neighbours, model, pool, t);
    }

    public static SuggestionResponse of(SuggestPipeline.Result r) {
        ListingSuggestion s = r.suggestion();
        NamedColour c = r.colour();
        Colour colour = c == null
                ? new Colour(null, null, null, "no dominant colour")
                : new Colour(c.name(), c.hex(), Math.round(c.share() * 1000) / 1000.0, null);
        return new SuggestionResponse(null, null, false, s.title(), s.category(), s.brand(), s.priceBand(), s.weightClass(), colour,
                s.neighbours(),
                new Model(r.model().name(), r.model().precision(), r.model().device(), r.model().sha256()),
                new PoolInfo(r.pool().poolVersion(), r.pool().listingCount(), r.pool().builtAt(), r.pool().indexFactory()),
                r.timings());
    }
}
