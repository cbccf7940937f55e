package com.listinglens.suggest;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WeightClassesTest {

    private final WeightClasses classes = new WeightClasses(List.of(250, 500, 1000, 2000, 5000));

    @Test
    void labelsFollowTheBounds() {
        assertThat(classes.all()).extracting(WeightClasses.WeightClass::label)
                .containsExactly("<= 250 g", "<= 500 g", "<= 1 kg", "<= 2 kg", "<= 5 kg", "> 5 kg");
        assertThat(new WeightClasses(List.of(1500)).all().get(0).label()).isEqualTo("<= 1.5 kg");
    }

    @Test
    void boundsAreInclusiveAbove() {
        assertThat(classes.classify(1).label()).isEqualTo("<= 250 g");
        assertThat(classes.classify(250).label()).isEqualTo("<= 250 g");
        assertThat(classes.classify(250.5).label()).isEqualTo("<= 500 g");
        assertThat(classes.classify(1000).label()).isEqualTo("<= 1 kg");
        assertThat(classes.classify(5000).label()).isEqualTo("<= 5 kg");
        assertThat(classes.classify(5001).label()).isEqualTo("> 5 kg");
        assertThat(classes.classify(5001).maxGrams()).isNull();
        assertThat(classes.classify(600).minGrams()).isEqualTo(500);
    }

    @Test
    void rejectsBadBoundsAndWeights() {
        assertThatThrownBy(() -> new WeightClasses(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WeightClasses(List.of(500, 250))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WeightClasses(List.of(0, 250))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> classes.classify(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> classes.classify(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> classes.classify(Double.POSITIVE_INFINITY)).isInstanceOf(IllegalArgumentException.class);
    }
}
