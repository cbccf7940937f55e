package com.listinglens.suggest;

import java.util.List;

/**
 * What the neighbours support for a new listing. Every field is present; one the neighbours cannot
 * support has a null value and a reason.
 */
public record ListingSuggestion(
        Field<String> title,
        CategorySuggestion category,
        Field<String> brand,
        PriceBand priceBand,
        Field<WeightClasses.WeightClass> weightClass,
        List<NeighbourView> neighbours) {

    /**
     * A suggested value with the share of the vote behind it (0..1), or a null value and why.
     */
    public record Field<T>(T value, Double confidence, String reason) {
        public static <T> Field<T> of(T value, double confidence) {
            return new Field<>(value, confidence, null);
        }

        public static <T> Field<T> none(String reason) {
            return new Field<>(null, null, reason);
        }
    }

    /** One level of the category path, root first, with the share of the vote behind it. */
    public record CategoryLevel(String name, double confidence) {
    }

    /** The category path as far as the neighbours agree; null path with a reason when not even the root. */
    public record CategorySuggestion(List<CategoryLevel> path, String reason) {
        public List<String> names() {
            return path == null ? List.of() : path.stream().map(CategoryLevel::name).toList();
        }
    }

    /** Price band from the neighbours' price quantiles, or null values and why. */
    public record PriceBand(Double low, Double high, Double median, String currency, Integer basedOn, String reason) {
        public static PriceBand none(String reason) {
            return new PriceBand(null, null, null, null, null, reason);
        }
    }

    /** A neighbour as shown to the seller. */
    /** A neighbour shown with an answer; {@code image} is the listing's photo (a catalog path or a URL). */
    public record NeighbourView(String id, String title, List<String> category, double similarity, String image) {

        public NeighbourView withImage(String newImage) {
            return new NeighbourView(id, title, category, similarity, newImage);
        }
    }
}
