package com.listinglens.embedding;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class VariantCheckTest {

    static float[][] unitRows(int n, int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] rows = new float[n][d];
        for (float[] row : rows) {
            double norm = 0;
            for (int j = 0; j < d; j++) {
                row[j] = (float) r.nextGaussian();
                norm += row[j] * row[j];
            }
            for (int j = 0; j < d; j++) {
                row[j] /= (float) Math.sqrt(norm);
            }
        }
        return rows;
    }

    static float[][] perturbed(float[][] rows, double noise, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] out = new float[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = rows[i].clone();
            double norm = 0;
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] += (float) (noise * r.nextGaussian());
                norm += out[i][j] * out[i][j];
            }
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] /= (float) Math.sqrt(norm);
            }
        }
        return out;
    }

    @Test
    void aVariantAgainstItselfAgreesPerfectly() {
        float[][] a = unitRows(50, 16, 1);
        VariantCheck.Result r = VariantCheck.compare(a, a, 5);
        assertThat(r.meanCosine()).isCloseTo(1.0, within(1e-6));
        assertThat(r.minCosine()).isCloseTo(1.0, within(1e-6));
        assertThat(r.neighbourOverlap()).isEqualTo(1.0);
        assertThat(r.topOneAgreement()).isEqualTo(1.0);
        assertThat(r.refusal(0.98, 0.7)).isNull();
    }

    @Test
    void noiseLowersCosineAndOverlapAndAnUnrelatedModelIsRefused() {
        float[][] a = unitRows(200, 32, 2);
        VariantCheck.Result slight = VariantCheck.compare(a, perturbed(a, 0.02, 3), 10);
        VariantCheck.Result heavy = VariantCheck.compare(a, perturbed(a, 0.2, 4), 10);
        assertThat(slight.meanCosine()).isGreaterThan(heavy.meanCosine());
        assertThat(slight.neighbourOverlap()).isGreaterThan(heavy.neighbourOverlap());
        assertThat(slight.minCosine()).isLessThanOrEqualTo(slight.p1Cosine()).isLessThanOrEqualTo(slight.meanCosine());
        assertThat(slight.refusal(0.98, 0.7)).isNull();
        VariantCheck.Result unrelated = VariantCheck.compare(a, unitRows(200, 32, 5), 10);
        assertThat(unrelated.meanCosine()).isLessThan(0.3);
        assertThat(unrelated.refusal(0.98, 0.7)).contains("mean cosine").contains("top-10 neighbour overlap");
    }

    @Test
    void nearestExcludesThePhotoItselfBestFirst() {
        float[][] rows = {{1, 0}, {0.9f, 0.436f}, {0, 1}, {0.99f, 0.141f}};
        assertThat(VariantCheck.nearest(rows, 0, 3)).containsExactly(3, 1, 2);
    }

    @Test
    void badArgumentsAreRefused() {
        float[][] a = unitRows(5, 4, 6);
        assertThatThrownBy(() -> VariantCheck.compare(a, unitRows(4, 4, 7), 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VariantCheck.compare(a, a, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VariantCheck.compare(a, unitRows(5, 3, 8), 2)).isInstanceOf(IllegalArgumentException.class);
    }
}
