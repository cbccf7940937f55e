package com.listinglens.suggest;

import java.util.List;

/**
 * How neighbours become suggestions; see {@code lens.suggest.*} in application.properties.
 */
public record SuggestSettings(
        double temperature,
        CategoryVote categoryVote,
        double minCategoryConfidence,
        double minConfidence,
        double minSupport,
        WeightClasses weightClasses,
        double priceLowQuantile,
        double priceHighQuantile,
        int minPriceNeighbours,
        int neighboursShown,
        String currency,
        double minBrandSupport) {

    /** Brand: most of the vote must come from neighbours that have a brand, else the brand is left out. */
    public static final double DEFAULT_MIN_BRAND_SUPPORT = 0.5;

    public SuggestSettings(double temperature, CategoryVote categoryVote, double minCategoryConfidence, double minConfidence,
                           double minSupport, WeightClasses weightClasses, double priceLowQuantile, double priceHighQuantile,
                           int minPriceNeighbours, int neighboursShown, String currency) {
        this(temperature, categoryVote, minCategoryConfidence, minConfidence, minSupport, weightClasses, priceLowQuantile,
                priceHighQuantile, minPriceNeighbours, neighboursShown, currency, DEFAULT_MIN_BRAND_SUPPORT);
    }

    /**
     * These settings with no minimum confidence, so that every level and field with enough support is answered: how
     * a pool's raw confidences are collected to fit its calibration maps.
     */
    public SuggestSettings withoutMinimumConfidence() {
        return new SuggestSettings(temperature, categoryVote, 0, 0, minSupport, weightClasses, priceLowQuantile,
                priceHighQuantile, minPriceNeighbours, neighboursShown, currency, minBrandSupport);
    }

    public SuggestSettings {
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
        }
        for (double share : List.of(minCategoryConfidence, minConfidence, minSupport, priceLowQuantile, priceHighQuantile, minBrandSupport)) {
            if (!(share >= 0 && share <= 1)) {
                throw new IllegalArgumentException("shares and quantiles must lie in [0, 1], got " + share);
            }
        }
        if (priceLowQuantile > priceHighQuantile) {
            throw new IllegalArgumentException("price low quantile " + priceLowQuantile + " exceeds high quantile " + priceHighQuantile);
        }
        if (minPriceNeighbours < 1) {
            throw new IllegalArgumentException("min price neighbours must be >= 1");
        }
        if (neighboursShown < 0) {
            throw new IllegalArgumentException("neighbours shown must be >= 0");
        }
        if (categoryVote == null) {
            throw new IllegalArgumentException("category vote is required");
        }
        if (weightClasses == null) {
            throw new IllegalArgumentException("weight classes are required");
        }
    }
}
