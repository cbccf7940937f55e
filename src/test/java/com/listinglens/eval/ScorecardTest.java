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
}
