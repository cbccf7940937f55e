package com.listinglens.suggest;

import java.util.List;
import java.util.Locale;

/**
 * The shipping step's weight check, pure (after Mercari: the suggested class is pre-selected, and the
 * seller is warned when they pick a lighter one). The recommendation is a weighted vote of the weight
 * classes of the suggestion's neighbours; when the seller corrected the category, only neighbours of that
 * category vote (all of them when none is of it).
 */
public final class ShippingCheck {

    /** A neighbour as remembered for the check: its category, weight and similarity. */
    public record Evidence(List<String> category, Double weightGrams, double similarity) {
        public Evidence {
            category = category == null ? List.of() : List.copyOf(category);
        }
    }

    /** The outcome: recommended class (null when no neighbour has a weight), and a warning or null. */
    public record Result(WeightClasses.WeightClass chosen, WeightClasses.WeightClass recommended, Double confidence,
                         int basedOn, boolean categoryMatched, String warning, String reason) {
    }

    private final WeightClasses classes;
    private final double temperature;

    public ShippingCheck(WeightClasses classes, double temperature) {
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be > 0");
        }
        this.classes = classes;
        this.temperature = temperature;
    }

    /** The class with this label, e.g. "<= 500 g". */
    public WeightClasses.WeightClass byLabel(String label) {
        return classes.all().stream().filter(c -> c.label().equals(label)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown weight class '" + label + "'; one of "
                        + classes.all().stream().map(WeightClasses.WeightClass::label).toList()));
    }

    public Result check(List<Evidence> neighbours, WeightClasses.WeightClass chosen, List<String> editedCategory) {
        List<Evidence> voters = neighbours;
        boolean matched = false;
        if (editedCategory != null && !editedCategory.isEmpty()) {
            List<Evidence> same = neighbours.stream()
                    .filter(e -> e.category().size() >= editedCategory.size()
                            && e.category().subList(0, editedCategory.size()).equals(editedCategory))
                    .toList();
            if (!same.isEmpty()) {
                voters = same;
                matched = true;
            }
        }
        double max = voters.stream().mapToDouble(Evidence::similarity).max().orElse(0);
        Vote<WeightClasses.WeightClass> vote = new Vote<>();
        int basedOn = 0;
        for (Evidence e : voters) {
            if (e.weightGrams() != null) {
                vote.add(classes.classify(e.weightGrams()), Math.exp((e.similarity() - max) / temperature));
                basedOn++;
            }
        }
        if (vote.isEmpty()) {
            return new Result(chosen, null, null, 0, matched, null,
                    "none of the similar listings has a weight; no class to recommend");
        }
        var winner = vote.winner().orElseThrow();
        WeightClasses.WeightClass recommended = winner.getKey();
        double confidence = Math.round(winner.getValue() / vote.total() * 10000) / 10000.0;
        String warning = chosen.index() < recommended.index()
                ? String.format(Locale.ROOT, "'%s' is lighter than the '%s' that similar listings weigh; "
                + "a parcel heavier than its class may be returned or surcharged", chosen.label(), recommended.label())
                : null;
        return new Result(chosen, recommended, confidence, basedOn, matched, warning, null);
    }
}
