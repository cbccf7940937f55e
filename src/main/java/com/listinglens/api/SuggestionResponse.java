package com.listinglens.api;

import com.listinglens.image.NamedColour;
import com.listinglens.pipeline.SuggestPipeline;
import com.listinglens.suggest.ListingSuggestion;
import com.listinglens.suggest.WeightClasses;

import java.time.Instant;
import java.util.List;

/** The JSON answer of {@code POST /v1/suggestions}. */
public record SuggestionResponse(
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

    static SuggestionResponse of(SuggestPipeline.Result r) {
        ListingSuggestion s = r.suggestion();
        NamedColour c = r.colour();
        Colour colour = c == null
                ? new Colour(null, null, null, "no dominant colour")
                : new Colour(c.name(), c.hex(), Math.round(c.share() * 1000) / 1000.0, null);
        return new SuggestionResponse(s.title(), s.category(), s.brand(), s.priceBand(), s.weightClass(), colour,
                s.neighbours(),
                new Model(r.model().name(), r.model().precision(), r.model().device(), r.model().sha256()),
                new PoolInfo(r.pool().poolVersion(), r.pool().listingCount(), r.pool().builtAt(), r.pool().indexFactory()),
                r.timings());
    }
}
