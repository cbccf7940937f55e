package com.listinglens.embedding;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** {@link Embedder#embedViews}: the views of one scale go to the model together; a photo is the mean of its views. */
class EmbedViewsTest {

    /** A model that maps a tensor of length L to the unit vector on axis (L % 3), and records each call's lengths. */
    static final class AxisModel implements Embedder {
        final List<List<Integer>> calls = new ArrayList<>();

        @Override
        public ModelInfo info() {
            return null;
        }

        @Override
        public int dimension() {
            return 3;
        }

        @Override
        public float[][] embed(List<float[]> tensors) {
            List<Integer> lengths = tensors.stream().map(t -> t.length).toList();
            assertThat(lengths.stream().distinct().count()).as("one length per call").isEqualTo(1);
            calls.add(lengths);
            float[][] out = new float[tensors.size()][3];
            for (int i = 0; i < out.length; i++) {
                out[i][tensors.get(i).length % 3] = 1;
            }
            return out;
        }

        @Override
        public void close() {
        }
    }

    @Test
    void viewsOfOneScaleAreBatchedAndEachPhotoIsTheirNormalisedMean() {
        AxisModel m = new AxisModel();
        // two photos, two views each: lengths 3 (axis 0) and 4 (axis 1)
        List<float[]> tensors = List.of(new float[3], new float[4], new float[3], new float[4]);
        float[][] e = m.embedViews(tensors, 2);
        assertThat(m.calls).containsExactly(List.of(3, 3), List.of(4, 4));
        assertThat(e).hasNumberOfRows(2);
        for (float[] row : e) {
            assertThat(row[0]).isCloseTo((float) Math.sqrt(0.5), within(1e-6f));
            assertThat(row[1]).isCloseTo((float) Math.sqrt(0.5), within(1e-6f));
            assertThat(row[2]).isZero();
        }
    }

    @Test
    void oneViewIsAPlainEmbeddingAndPartialPhotosAreRefused() {
        AxisModel m = new AxisModel();
        assertThat(m.embedViews(List.of(new float[5], new float[5]), 1)).isDeepEqualTo(new float[][]{{0, 0, 1}, {0, 0, 1}});
        assertThatThrownBy(() -> m.embedViews(List.of(new float[3], new float[4], new float[3]), 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not 2 views");
    }
}
