package com.listinglens.suggest;

import com.listinglens.catalog.Listing;
import com.listinglens.pool.Neighbour;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SuggesterTest {

    private static final WeightClasses CLASSES = new WeightClasses(List.of(250, 500, 1000, 2000, 5000));

    private static SuggestSettings settings(double minCategory, double minConfidence, double minSupport) {
        return new SuggestSettings(0.1, CategoryVote.LEAF, minCategory, minConfidence, minSupport, CLASSES, 0.25, 0.75, 3, 10, "SEK");
    }

    private final Suggester suggester = new Suggester(settings(0.3, 0.3, 0.3));

    private static int next;

    private static Neighbour n(float similarity, String title, List<String> category, String brand, Double grams, Double price) {
        next++;
        return new Neighbour(new Listing("id-" + next, "img-" + next + ".jpg", title, category, brand, grams, price, null), similarity);
    }

    @Test
    void agreeingNeighboursGiveEveryField() {
        List<Neighbour> ns = List.of(
                n(0.9f, "Arla milk", List.of("Packages", "Milk", "Arla"), "Arla", 1000.0, 12.0),
                n(0.88f, "Arla milk", List.of("Packages", "Milk", "Arla"), "Arla", 1000.0, 14.0),
                n(0.85f, "Arla milk", List.of("Packages", "Milk", "Arla"), "Arla", 1000.0, 10.0),
                n(0.80f, "Oat milk", List.of("Packages", "Oat-Milk", "Oatly"), "Oatly", 1000.0, 20.0));
        ListingSuggestion s = suggester.suggest(ns);
        assertThat(s.title().value()).isEqualTo("Arla milk");
        assertThat(s.title().confidence()).isGreaterThan(0.8);
        assertThat(s.category().names()).containsExactly("Packages", "Milk", "Arla");
        assertThat(s.category().path().get(0).confidence()).isEqualTo(1.0);
        assertThat(s.category().path().get(1).confidence()).isLessThan(1.0).isGreaterThan(0.8);
        assertThat(s.brand().value()).isEqualTo("Arla");
        assertThat(s.weightClass().value().label()).isEqualTo("<= 1 kg");
        assertThat(s.weightClass().confidence()).isEqualTo(1.0);
        assertThat(s.priceBand().low()).isNotNull();
        assertThat(s.priceBand().low()).isLessThanOrEqualTo(s.priceBand().median());
        assertThat(s.priceBand().median()).isLessThanOrEqualTo(s.priceBand().high());
        assertThat(s.priceBand().currency()).isEqualTo("SEK");
        // the band comes from the three listings of the chosen category, not the oat drink
        assertThat(s.priceBand().basedOn()).isEqualTo(3);
        assertThat(s.priceBand().high()).isLessThanOrEqualTo(14.0);
        assertThat(s.neighbours()).hasSize(4);
        assertThat(s.neighbours().get(0).similarity()).isCloseTo(0.9, within(1e-4));
    }

    @Test
    void weightsFollowExpOfSimilarityOverTemperature() {
        Suggester sg = new Suggester(settings(0.3, 0.3, 0.3));
        double[] w = sg.weights(List.of(n(0.9f, null, null, null, null, null), n(0.8f, null, null, null, null, null)));
        assertThat(w[1] / w[0]).isCloseTo(Math.exp(-1.0), within(1e-5));
    }

    @Test
    void fieldsTheNeighboursLackAreNullWithAReason() {
        List<Neighbour> ns = List.of(
                n(0.9f, "Banana", List.of("Fruit", "Banana"), null, null, null),
                n(0.8f, "Banana", List.of("Fruit", "Banana"), null, null, null));
        ListingSuggestion s = suggester.suggest(ns);
        assertThat(s.brand().value()).isNull();
        assertThat(s.brand().reason()).contains("none of the 2 similar listings has a brand");
        assertThat(s.priceBand().low()).isNull();
        assertThat(s.priceBand().high()).isNull();
        assertThat(s.priceBand().reason()).contains("has a price");
        assertThat(s.weightClass().value()).isNull();
        assertThat(s.weightClass().reason()).contains("weight");
        assertThat(s.title().value()).isEqualTo("Banana");
    }

    @Test
    void disagreementGivesNullNotAGuess() {
        List<Neighbour> ns = new ArrayList<>();
        String[] brands = {"A", "B", "C", "D", "E"};
        for (String b : brands) {
            ns.add(n(0.8f, "t" + b, List.of("Top" + b, "Mid"), b, 100.0, null));
        }
        ListingSuggestion s = suggester.suggest(ns);
        assertThat(s.brand().value()).isNull();
        assertThat(s.brand().reason()).contains("disagree").contains("20 %");
        assertThat(s.title().value()).isNull();
        assertThat(s.category().path()).isNull();
        assertThat(s.category().reason()).contains("disagree");
        // they all agree on the weight class
        assertThat(s.weightClass().value().label()).isEqualTo("<= 250 g");
    }

    @Test
    void categoryPathStopsWhereNeighboursStopAgreeing() {
        List<Neighbour> ns = List.of(
                n(0.9f, null, List.of("Fruit", "Apple", "Granny-Smith"), null, null, null),
                n(0.9f, null, List.of("Fruit", "Apple", "Pink-Lady"), null, null, null),
                n(0.9f, null, List.of("Fruit", "Apple", "Royal-Gala"), null, null, null),
                n(0.9f, null, List.of("Fruit", "Apple", "Golden"), null, null, null));
        ListingSuggestion s = suggester.suggest(ns);
        assertThat(s.category().names()).containsExactly("Fruit", "Apple");
        assertThat(s.category().reason()).contains("below level 2");
    }

    @Test
    void aMinorityOfNeighboursWithABrandIsNotEnough() {
        List<Neighbour> ns = List.of(
                n(0.9f, null, null, "Arla", null, null),
                n(0.9f, null, null, null, null, null),
                n(0.9f, null, null, null, null, null),
                n(0.9f, null, null, null, null, null),
                n(0.9f, null, null, null, null, null));
        ListingSuggestion s = suggester.suggest(ns);
        assertThat(s.brand().value()).isNull();
        assertThat(s.brand().reason()).contains("too few similar listings have a brand");
        assertThat(s.category().path()).isNull();
        assertThat(s.category().reason()).contains("none of the 5");
    }

    @Test
    void priceBandNeedsEnoughPricedNeighbours() {
        List<Neighbour> ns = List.of(
                n(0.9f, null, null, null, null, 10.0),
                n(0.9f, null, null, null, null, 12.0),
                n(0.9f, null, null, null, null, null));
        ListingSuggestion s = suggester.suggest(ns);
        assertThat(s.priceBand().low()).isNull();
        assertThat(s.priceBand().reason()).contains("only 2");
    }

    @Test
    void priceBandComesFromWeightedQuantiles() {
        List<Neighbour> ns = new ArrayList<>();
        for (int i = 1; i <= 8; i++) {
            ns.add(n(0.9f, null, null, null, null, i * 100.0));
        }
        ListingSuggestion s = suggester.suggest(ns);
        assertThat(s.priceBand().low()).isEqualTo(200.0);
        assertThat(s.priceBand().median()).isEqualTo(400.0);
        assertThat(s.priceBand().high()).isEqualTo(600.0);
    }

    @Test
    void nearerNeighboursOutvoteFartherOnes() {
        List<Neighbour> ns = List.of(
                n(0.95f, "near", List.of("A"), "Near", null, null),
                n(0.70f, "far", List.of("B"), "Far", null, null),
                n(0.70f, "far", List.of("B"), "Far", null, null),
                n(0.70f, "far", List.of("B"), "Far", null, null));
        ListingSuggestion s = suggester.suggest(ns);
        assertThat(s.brand().value()).isEqualTo("Near");
        assertThat(s.category().names()).containsExactly("A");
    }

    @Test
    void noNeighboursGivesNullsWithReasons() {
        ListingSuggestion s = suggester.suggest(List.of());
        assertThat(s.title().value()).isNull();
        assertThat(s.title().reason()).isNotBlank();
        assertThat(s.category().path()).isNull();
        assertThat(s.neighbours()).isEmpty();
    }

    @Test
    void mergeKeepsEachListingOnceWithItsBestSimilarity() {
        Neighbour a = n(0.5f, "a", null, null, null, null);
        Neighbour b = n(0.7f, "b", null, null, null, null);
        Neighbour aBetter = new Neighbour(a.listing(), 0.9f);
        Neighbour c = n(0.6f, "c", null, null, null, null);
        List<Neighbour> merged = Suggester.merge(List.of(List.of(b, a), List.of(aBetter, c)), 2);
        assertThat(merged).containsExactly(aBetter, b);
    }

    @Test
    void neighboursShownAreCapped() {
        Suggester sg = new Suggester(new SuggestSettings(0.1, CategoryVote.LEAF, 0.3, 0.3, 0.3, CLASSES, 0.25, 0.75, 3, 2, null));
        List<Neighbour> ns = List.of(n(0.9f, "x", null, null, null, null), n(0.8f, "x", null, null, null, null),
                n(0.7f, "x", null, null, null, null));
        assertThat(sg.suggest(ns).neighbours()).hasSize(2);
    }

    @Test
    void titleWeightAndPriceComeFromTheChosenCategoryOnly() {
        List<Neighbour> ns = List.of(
                n(0.9f, "Banana", List.of("Fruit", "Banana"), null, null, null),
                n(0.9f, "Banana", List.of("Fruit", "Banana"), null, null, null),
                n(0.9f, "Banana Ecological", List.of("Fruit", "Banana"), null, null, null),
                n(0.9f, "Milk 1 l", List.of("Packages", "Milk"), "Arla", 1000.0, 12.0),
                n(0.9f, "Milk 1 l", List.of("Packages", "Milk"), "Arla", 1000.0, 13.0),
                n(0.9f, "Milk 1 l", List.of("Packages", "Milk"), "Arla", 1000.0, 11.0));
        Suggester sg = new Suggester(new SuggestSettings(0.1, CategoryVote.LEAF, 0.3, 0.3, 0.3, CLASSES, 0.25, 0.75, 3, 10, null));
        ListingSuggestion s = sg.suggest(ns.subList(0, 5));   // 3 bananas, 2 milks: Fruit > Banana wins
        assertThat(s.category().names()).containsExactly("Fruit", "Banana");
        // the milks' weight (40 % of the vote) and prices no longer leak into the banana
        assertThat(s.weightClass().value()).isNull();
        assertThat(s.weightClass().reason()).isEqualTo("none of the 3 similar listings in Fruit > Banana has a weight");
        assertThat(s.priceBand().low()).isNull();
        assertThat(s.priceBand().reason()).contains("in Fruit > Banana");
        assertThat(s.title().value()).isEqualTo("Banana");
        assertThat(s.title().confidence()).isCloseTo(2 / 3.0, within(1e-3));
        // the brand is voted among every neighbour, and two branded of five is not most of the vote
        assertThat(s.brand().value()).isNull();
        assertThat(s.brand().reason()).contains("too few similar listings have a brand").contains("50 % needed");
    }

    @Test
    void withoutAChosenCategoryEveryNeighbourVotes() {
        List<Neighbour> ns = List.of(
                n(0.9f, "x", List.of("A"), "Arla", 1000.0, null),
                n(0.9f, "x", List.of("B"), "Arla", 1000.0, null),
                n(0.9f, "x", List.of("C"), "Arla", 1000.0, null),
                n(0.9f, "x", List.of("D"), "Arla", 1000.0, null),
                n(0.9f, "x", List.of("E"), "Arla", 1000.0, null));
        ListingSuggestion s = suggester.suggest(ns);
        assertThat(s.category().path()).isNull();
        assertThat(s.weightClass().value().label()).isEqualTo("<= 1 kg");
        assertThat(s.title().value()).isEqualTo("x");
        assertThat(s.brand().value()).isEqualTo("Arla");
    }

    @Test
    void mostOfTheVoteWithABrandSuggestsIt() {
        List<Neighbour> ns = List.of(
                n(0.9f, "m", List.of("P", "Milk"), "Arla", null, null),
                n(0.9f, "m", List.of("P", "Milk"), "Arla", null, null),
                n(0.9f, "m", List.of("P", "Milk"), "Arla", null, null),
                n(0.9f, "m", List.of("P", "Milk"), null, null, null),
                n(0.9f, "m", List.of("P", "Milk"), null, null, null));
        ListingSuggestion s = suggester.suggest(ns);
        assertThat(s.brand().value()).isEqualTo("Arla");
        assertThat(s.brand().confidence()).isEqualTo(1.0);
    }

    @Test
    void calibrationMapsConfidencesAndTheMinimumsApplyToTheMappedValues() {
        List<Neighbour> ns = List.of(
                n(0.90f, "Arla milk", List.of("Packages", "Milk", "Arla"), "Arla", 1000.0, null),
                n(0.89f, "Arla milk", List.of("Packages", "Milk", "Arla"), "Arla", 1000.0, null),
                n(0.88f, "Oat milk", List.of("Packages", "Milk", "Oatly"), "Oatly", 1000.0, null));
        ListingSuggestion raw = suggester.suggest(ns);
        com.listinglens.calibration.PlattScaling soften = new com.listinglens.calibration.PlattScaling(0.5, 0);
        com.listinglens.calibration.PlattScaling harsh = new com.listinglens.calibration.PlattScaling(1, -10);
        com.listinglens.calibration.Calibration maps = new com.listinglens.calibration.Calibration("val.jsonl", "x", 100, "int8",
                java.util.Map.of("category level 1", soften, "category level 2", soften, "brand", soften, "title", harsh),
                java.util.Map.of(), java.util.Map.of());
        ListingSuggestion calibrated = suggester.suggest(ns, maps);
        // every level below 2 takes the deepest map fitted (level 2's)
        for (int level = 0; level < 3; level++) {
            double r = raw.category().path().get(level).confidence();
            assertThat(calibrated.category().path().get(level).confidence()).isCloseTo(soften.apply(r), within(1e-4));
        }
        assertThat(calibrated.brand().confidence()).isCloseTo(soften.apply(raw.brand().confidence()), within(1e-4));
        // the weight class has no map: its raw share stays
        assertThat(calibrated.weightClass().confidence()).isEqualTo(raw.weightClass().confidence());
        // a harsh title map pushes the title under the minimum confidence (0.3): no title, with the mapped share in the reason
        assertThat(raw.title().value()).isEqualTo("Arla milk");
        assertThat(calibrated.title().value()).isNull();
        assertThat(calibrated.title().reason()).contains("disagree on a title");
        // no maps: the same as the raw suggestion
        assertThat(suggester.suggest(ns, com.listinglens.calibration.Calibration.none())).isEqualTo(raw);
    }

    @Test
    void withoutMinimumConfidenceEveryLevelIsAnswered() {
        List<Neighbour> ns = List.of(
                n(0.90f, "A", List.of("Fruit", "Apple", "Green"), null, null, null),
                n(0.90f, "B", List.of("Fruit", "Apple", "Red"), null, null, null),
                n(0.90f, "C", List.of("Fruit", "Apple", "Pink"), null, null, null),
                n(0.90f, "D", List.of("Fruit", "Apple", "Yellow"), null, null, null));
        Suggester strict = new Suggester(settings(0.3, 0.3, 0.3));
        assertThat(strict.suggest(ns).category().names()).containsExactly("Fruit", "Apple");
        Suggester open = new Suggester(settings(0.3, 0.3, 0.3).withoutMinimumConfidence());
        assertThat(open.suggest(ns).category().names()).hasSize(3);
        assertThat(open.suggest(ns).title().value()).isNotNull();
    }
}
