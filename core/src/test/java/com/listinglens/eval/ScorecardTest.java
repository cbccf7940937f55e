package com.listinglens.eval;

import com.listinglens.catalog.Listing;
import com.listinglens.suggest.ListingSuggestion;
import com.listinglens.suggest.ListingSuggestion.CategoryLevel;
import com.listinglens.suggest.ListingSuggestion.CategorySuggestion;
import com.listinglens.suggest.ListingSuggestion.Field;
import com.listinglens.suggest.ListingSuggestion.PriceBand;
import com.listinglens.suggest.WeightClasses;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ScorecardTest {

    private static final WeightClasses CLASSES = new WeightClasses(List.of(250, 500, 1000));

    private static ListingSuggestion suggestion(List<String> path, String brand, Integer weightClass) {
        return new ListingSuggestion(Field.none("x"),
                new CategorySuggestion(path == null ? null : path.stream().map(p -> new CategoryLevel(p, 1)).toList(), null),
                brand == null ? Field.none("no brand") : Field.of(brand, 1),
                PriceBand.none("no price"),
                weightClass == null ? Field.none("no weight") : Field.of(CLASSES.all().get(weightClass), 1),
                List.of());
    }

    @Test
    void countsPerLevelAndTreatsNullAsWrong() {
        Scorecard card = new Scorecard(CLASSES);
        Listing truth = new Listing("v1", "a.jpg", null, List.of("Fruit", "Apple", "Gala"), "Br", 180.0, null, null);
        card.add(truth, suggestion(List.of("Fruit", "Apple", "Gala"), "Br", 0));
        card.add(truth, suggestion(List.of("Fruit", "Apple", "Pink"), "Other", 1));
        card.add(truth, suggestion(List.of("Fruit"), null, null));
        card.add(truth, suggestion(null, null, null));
        assertThat(card.uploads()).isEqualTo(4);
        assertThat(card.field("category level 1").accuracy()).isEqualTo(0.75);
        assertThat(card.field("category level 2").accuracy()).isEqualTo(0.5);
        assertThat(card.field("category level 2").coverage()).isEqualTo(0.5);
        assertThat(card.field("category level 2").precision()).isEqualTo(1.0);
        assertThat(card.field("category level 3").accuracy()).isEqualTo(0.25);
        assertThat(card.field("category leaf").accuracy()).isEqualTo(0.25);
        assertThat(card.field("category leaf").coverage()).isEqualTo(0.75);
        assertThat(card.field("brand").accuracy()).isEqualTo(0.25);
        assertThat(card.field("brand").precision()).isEqualTo(0.5);
        assertThat(card.field("weight class").accuracy()).isEqualTo(0.25);
        assertThat(card.field("title")).isNull();
        assertThat(card.table()).contains("category leaf").contains("25.0%");
    }

    @Test
    void aLevelIsRightOnlyWhenItsWholePrefixIs() {
        Scorecard card = new Scorecard(CLASSES);
        Listing truth = new Listing("v1", "a.jpg", null, List.of("Fruit", "Apple"), null, null, null, null);
        card.add(truth, suggestion(List.of("Vegetables", "Apple"), null, null));
        assertThat(card.field("category leaf").accuracy()).isEqualTo(0.0);
        assertThat(card.field("category level 2").accuracy()).isEqualTo(0.0);
        card.add(truth, suggestion(List.of("Fruit", "Apple", "Deeper"), null, null));
        assertThat(card.field("category level 2").accuracy()).isEqualTo(0.5);
        assertThat(card.field("category leaf").accuracy()).isEqualTo(0.0);
    }

    private static ListingSuggestion brandAt(String brand, double confidence) {
        return new ListingSuggestion(Field.none("x"), new CategorySuggestion(null, "none"), Field.of(brand, confidence),
                PriceBand.none("no price"), Field.none("no weight"), List.of());
    }

    @Test
    void accuracyAtCoverageKeepsTheMostConfidentAnswers() {
        Scorecard card = new Scorecard(CLASSES);
        Listing truth = new Listing("v", "a.jpg", null, null, "B", null, null, null);
        // 10 uploads: 9 right answers at high confidence, 1 wrong at the lowest
        for (int i = 0; i < 9; i++) {
            card.add(truth, brandAt("B", 0.9 - i * 0.01));
        }
        card.add(truth, brandAt("X", 0.3));
        Scorecard.Tally brand = card.field("brand");
        assertThat(brand.accuracy()).isEqualTo(0.9);
        assertThat(brand.accuracyAtCoverage(0.9)).isEqualTo(1.0);
        assertThat(brand.accuracyAtCoverage(1.0)).isEqualTo(0.9);
        assertThat(brand.curve()).hasSize(10);
        assertThat(brand.curve().get(9)).containsExactly(1.0, 0.9);
        // an abstention cannot be bought back: 90 % coverage needs 9 answers
        Scorecard few = new Scorecard(CLASSES);
        for (int i = 0; i < 8; i++) {
            few.add(truth, brandAt("B", 0.9));
        }
        few.add(truth, new ListingSuggestion(Field.none("x"), new CategorySuggestion(null, "none"), Field.none("unsure"),
                PriceBand.none("p"), Field.none("w"), List.of()));
        few.add(truth, new ListingSuggestion(Field.none("x"), new CategorySuggestion(null, "none"), Field.none("unsure"),
                PriceBand.none("p"), Field.none("w"), List.of()));
        assertThat(few.field("brand").accuracyAtCoverage(0.9)).isNaN();
    }

    @Test
    void expectedCalibrationErrorIsTheWeightedGapBetweenConfidenceAndAccuracy() {
        Scorecard card = new Scorecard(CLASSES);
        Listing truth = new Listing("v", "a.jpg", null, null, "B", null, null, null);
        // bin 0.8-0.9: 10 answers at 0.85, 8 right -> gap 0.05; bin 0.5-0.6: 10 at 0.55, 3 right -> gap 0.25
        for (int i = 0; i < 10; i++) {
            card.add(truth, brandAt(i < 8 ? "B" : "X", 0.85));
            card.add(truth, brandAt(i < 3 ? "B" : "X", 0.55));
        }
        assertThat(card.field("brand").expectedCalibrationError(10)).isCloseTo(0.15, org.assertj.core.api.Assertions.within(1e-9));
        Scorecard perfect = new Scorecard(CLASSES);
        for (int i = 0; i < 4; i++) {
            perfect.add(truth, brandAt("B", 1.0));
        }
        assertThat(perfect.field("brand").expectedCalibrationError(10)).isZero();
        assertThat(card.table()).contains("acc@90%").contains("ECE");
    }

    @Test
    void keepsEachUploadsOutcomeAsTheTallySawIt() {
        Scorecard card = new Scorecard(CLASSES);
        Listing truth = new Listing("v1", "a.jpg", null, List.of("Fruit", "Apple", "Gala"), "Br", 180.0, 2.5, null);
        card.add(truth, suggestion(List.of("Fruit", "Apple", "Pink"), "Br", 1));
        card.add(truth, suggestion(null, null, null));
        UploadOutcome first = card.outcomes().get(0);
        assertThat(first.id()).isEqualTo("v1");
        assertThat(first.fields().keySet()).containsExactly("category level 1", "category level 2", "category level 3",
                "category leaf", "brand", "weight class", "price in band");
        assertThat(first.field("category level 2")).isEqualTo(new FieldOutcome("Fruit > Apple", "Fruit > Apple", 1.0, true));
        assertThat(first.field("category leaf")).isEqualTo(new FieldOutcome("Fruit > Apple > Gala", "Fruit > Apple > Pink", 1.0, false));
        assertThat(first.field("weight class").correct()).isFalse();
        assertThat(first.field("weight class").truth()).isEqualTo(CLASSES.all().get(0).label());
        assertThat(first.field("price in band").answered()).isFalse();
        UploadOutcome second = card.outcomes().get(1);
        assertThat(second.field("category leaf")).isEqualTo(new FieldOutcome("Fruit > Apple > Gala", null, null, false));
        assertThat(second.field("brand").answered()).isFalse();
        assertThat(card.outcomes("category leaf")).hasSize(2);
        assertThat(card.outcomes("title")).isEmpty();
    }

    @Test
    void outcomesTallyAgainToTheSameScores() {
        Scorecard card = new Scorecard(CLASSES);
        Listing truth = new Listing("v", "a.jpg", "T", List.of("Fruit", "Apple"), "B", 400.0, null, null);
        for (int i = 0; i < 10; i++) {
            card.add(truth, brandAt(i < 7 ? "B" : "X", 0.5 + i * 0.04));
            card.add(truth, suggestion(i < 6 ? List.of("Fruit", "Apple") : List.of("Fruit"), i < 3 ? "B" : null, i % 3));
        }
        Scorecard again = Scorecard.of(card.outcomes());
        assertThat(again.table()).isEqualTo(card.table());
        assertThat(again.fields().keySet()).containsExactlyElementsOf(card.fields().keySet());
        assertThat(again.field("brand").curve()).usingRecursiveComparison().isEqualTo(card.field("brand").curve());
        assertThat(again.uploads()).isEqualTo(20);
        // scored outcomes have no weight classes to score with
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> again.add(truth, brandAt("B", 1)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void comparesRunsFieldByFieldWithTheirStandardErrors() {
        Listing truth = new Listing("v", "a.jpg", null, List.of("Fruit"), "B", null, null, null);
        Scorecard a = new Scorecard(CLASSES);
        Scorecard b = new Scorecard(CLASSES);
        for (int i = 0; i < 4; i++) {
            a.add(truth, suggestion(List.of("Fruit"), i < 3 ? "B" : "X", null));
        }
        b.add(new Listing("w", "b.jpg", null, List.of("Fruit"), null, null, null, null), suggestion(List.of("Veg"), null, null));
        String table = Scorecard.comparison(List.of("trained", "stock"), List.of(a, b));
        List<String> lines = table.lines().toList();
        assertThat(lines.get(0)).contains("trained").contains("stock");
        // brand: 3 of 4, standard error sqrt(.75 * .25 / 4) = 21.7 points; the stock run has no brand truths
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("brand").contains("75.0% (21.7)").endsWith("-"));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("category leaf").contains("100.0% (0.0)").contains("0.0% (0.0)"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Scorecard.comparison(List.of("one"), List.of(a, b)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
