package com.listinglens.calibration;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PlattScalingTest {

    @Test
    void calibratedConfidencesAreLeftNearlyAlone() {
        // outcomes drawn with exactly the stated probability: the fit stays near the identity
        SplittableRandom r = new SplittableRandom(7);
        int n = 20_000;
        double[] c = new double[n];
        boolean[] right = new boolean[n];
        for (int i = 0; i < n; i++) {
            c[i] = 0.05 + 0.9 * r.nextDouble();
            right[i] = r.nextDouble() < c[i];
        }
        PlattScaling p = PlattScaling.fit(c, right);
        assertThat(p.a()).isCloseTo(1, within(0.08));
        assertThat(p.b()).isCloseTo(0, within(0.08));
    }

    @Test
    void overConfidentSharesAreSoftenedToTheirAccuracy() {
        // a vote that says 0.99 but is right 75 % of the time, and 0.6 right 40 % of the time
        int n = 1000;
        double[] c = new double[n];
        boolean[] right = new boolean[n];
        for (int i = 0; i < n; i++) {
            boolean high = i % 2 == 0;
            c[i] = high ? 0.99 : 0.6;
            right[i] = high ? (i % 8 != 0 && i % 8 != 4) || i % 16 == 0 : i % 5 < 2;
        }
        double highAccuracy = 0;
        for (int i = 0; i < n; i += 2) {
            highAccuracy += right[i] ? 1 : 0;
        }
        highAccuracy /= n / 2.0;
        PlattScaling p = PlattScaling.fit(c, right);
        assertThat(p.a()).isLessThan(1);
        assertThat(p.apply(0.99)).isCloseTo(highAccuracy, within(0.02));
        assertThat(p.apply(0.6)).isCloseTo(0.4, within(0.02));
        // monotone: the order of answers is kept
        assertThat(p.apply(0.7)).isGreaterThan(p.apply(0.6)).isLessThan(p.apply(0.99));
    }

    @Test
    void oneSidedOrUnanimousSetsStayFiniteAndInsideZeroOne() {
        PlattScaling allRight = PlattScaling.fit(new double[]{1.0, 1.0, 0.9}, new boolean[]{true, true, true});
        assertThat(allRight.apply(1.0)).isLessThan(1).isGreaterThan(0.5);
        PlattScaling allWrong = PlattScaling.fit(new double[]{1.0, 0.8}, new boolean[]{false, false});
        assertThat(allWrong.apply(1.0)).isGreaterThan(0).isLessThan(0.5);
        assertThat(PlattScaling.identity().apply(0.42)).isCloseTo(0.42, within(1e-12));
        assertThat(PlattScaling.identity().apply(Double.NaN)).isNaN();
    }

    @Test
    void badInputIsRefused() {
        assertThatThrownBy(() -> PlattScaling.fit(new double[]{0.5}, new boolean[]{true})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PlattScaling.fit(new double[]{0.5, 0.6}, new boolean[]{true})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PlattScaling.fit(new double[]{0.5, Double.NaN}, new boolean[]{true, false}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PlattScaling(Double.NaN, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
