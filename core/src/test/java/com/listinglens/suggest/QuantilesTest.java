package com.listinglens.suggest;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QuantilesTest {

    @Test
    void equalWeightsGiveOrdinaryQuantiles() {
        double[] v = {50, 10, 40, 20, 30};
        double[] w = {1, 1, 1, 1, 1};
        assertThat(Quantiles.weighted(v, w, 0)).isEqualTo(10);
        assertThat(Quantiles.weighted(v, w, 0.2)).isEqualTo(10);
        assertThat(Quantiles.weighted(v, w, 0.5)).isEqualTo(30);
        assertThat(Quantiles.weighted(v, w, 0.75)).isEqualTo(40);
        assertThat(Quantiles.weighted(v, w, 1)).isEqualTo(50);
    }

    @Test
    void heavyValuesPullTheQuantile() {
        double[] v = {10, 100};
        assertThat(Quantiles.weighted(v, new double[]{9, 1}, 0.5)).isEqualTo(10);
        assertThat(Quantiles.weighted(v, new double[]{1, 9}, 0.5)).isEqualTo(100);
    }

    @Test
    void rejectsBadInput() {
        assertThatThrownBy(() -> Quantiles.weighted(new double[0], new double[0], 0.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Quantiles.weighted(new double[]{1}, new double[]{1, 2}, 0.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Quantiles.weighted(new double[]{1}, new double[]{1}, 1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Quantiles.weighted(new double[]{1}, new double[]{-1}, 0.5)).isInstanceOf(IllegalArgumentException.class);
    }
}
