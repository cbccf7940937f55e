package com.listinglens.training;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrainingSplitTest {

    @Test
    void eachClassGivesItsShareAndEveryPhotoLandsOnExactlyOneSide() {
        int[] classes = new int[100];
        for (int i = 0; i < 100; i++) {
            classes[i] = i < 60 ? 0 : i < 90 ? 1 : 2; // 60, 30, 10 photos
        }
        TrainingSplit s = TrainingSplit.of(classes, 0.1, 7);
        assertThat(s.holdout().stream().filter(i -> classes[i] == 0)).hasSize(6);
        assertThat(s.holdout().stream().filter(i -> classes[i] == 1)).hasSize(3);
        assertThat(s.holdout().stream().filter(i -> classes[i] == 2)).hasSize(1);
        Set<Integer> all = new HashSet<>(s.train());
        all.addAll(s.holdout());
        assertThat(all).hasSize(100);
        assertThat(s.train().size() + s.holdout().size()).isEqualTo(100);
        assertThat(s.train()).isSorted();
        assertThat(s.holdout()).isSorted();
    }

    @Test
    void aClassIsNeverHeldOutWhole() {
        TrainingSplit s = TrainingSplit.of(new int[] {0, 1, 1, 2, 2, 2}, 0.9, 1);
        for (int c = 0; c < 3; c++) {
            int cls = c;
            assertThat(s.train().stream().filter(i -> new int[] {0, 1, 1, 2, 2, 2}[i] == cls)).isNotEmpty();
        }
    }

    @Test
    void theSameSeedGivesTheSameSplitAndAnotherSeedAnother() {
        int[] classes = new int[200];
        for (int i = 0; i < classes.length; i++) {
            classes[i] = i % 5;
        }
        assertThat(TrainingSplit.of(classes, 0.2, 3)).isEqualTo(TrainingSplit.of(classes, 0.2, 3));
        assertThat(TrainingSplit.of(classes, 0.2, 3).holdout()).isNotEqualTo(TrainingSplit.of(classes, 0.2, 4).holdout());
    }

    @Test
    void noHoldoutAndBadFractions() {
        assertThat(TrainingSplit.of(new int[] {0, 0, 1}, 0, 1).holdout()).isEmpty();
        assertThatThrownBy(() -> TrainingSplit.of(new int[] {0}, 1.0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TrainingSplit.of(new int[] {0}, Double.NaN, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
