package com.listinglens.suggest;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ShippingCheckTest {

    private final WeightClasses classes = new WeightClasses(List.of(250, 500, 1000, 2000, 5000));
    private final ShippingCheck check = new ShippingCheck(classes, 0.05);

    private static ShippingCheck.Evidence e(List<String> category, Double grams, double similarity) {
        return new ShippingCheck.Evidence(category, grams, similarity);
    }

    private final List<ShippingCheck.Evidence> milk = List.of(
            e(List.of("Packages", "Milk"), 1000.0, 0.9),
            e(List.of("Packages", "Milk"), 1000.0, 0.88),
            e(List.of("Packages", "Juice"), 1500.0, 0.86),
            e(List.of("Packages", "Yoghurt"), 500.0, 0.7));

    @Test
    void aLighterChoiceIsWarnedAndAnEqualOrHeavierOneIsNot() {
        ShippingCheck.Result light = check.check(milk, check.byLabel("<= 500 g"), null);
        assertThat(light.recommended().label()).isEqualTo("<= 1 kg");
        assertThat(light.warning()).contains("'<= 500 g' is lighter than the '<= 1 kg'");
        assertThat(light.basedOn()).isEqualTo(4);
        assertThat(light.confidence()).isBetween(0.5, 1.0);
        assertThat(check.check(milk, check.byLabel("<= 1 kg"), null).warning()).isNull();
        assertThat(check.check(milk, check.byLabel("> 5 kg"), null).warning()).isNull();
    }

    @Test
    void anEditedCategoryNarrowsTheVoters() {
        ShippingCheck.Result juice = check.check(milk, check.byLabel("<= 1 kg"), List.of("Packages", "Juice"));
        assertThat(juice.categoryMatched()).isTrue();
        assertThat(juice.recommended().label()).isEqualTo("<= 2 kg");
        assertThat(juice.warning()).isNotNull();
        ShippingCheck.Result unknown = check.check(milk, check.byLabel("<= 1 kg"), List.of("Toys"));
        assertThat(unknown.categoryMatched()).isFalse();
        assertThat(unknown.recommended().label()).isEqualTo("<= 1 kg");
    }

    @Test
    void noWeightsMeansNoRecommendationWithAReason() {
        ShippingCheck.Result r = check.check(List.of(e(List.of("Fruit"), null, 0.9)), check.byLabel("<= 250 g"), null);
        assertThat(r.recommended()).isNull();
        assertThat(r.warning()).isNull();
        assertThat(r.reason()).contains("none of the similar listings has a weight");
    }

    @Test
    void unknownLabelsAreRefusedWithTheValidOnes() {
        assertThatThrownBy(() -> check.byLabel("heavy")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("<= 250 g");
    }
}
