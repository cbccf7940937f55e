package com.listinglens.training;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class HeadsLossTest {

    @Test
    void smoothedTargetsPutTheRestEvenlyAndSumToOne() {
        float[] t = HeadsLoss.smoothed(new int[] {2, 0}, 4, 0.1f);
        assertThat(t).containsExactly(new float[] {0.025f, 0.025f, 0.925f, 0.025f, 0.925f, 0.025f, 0.025f, 0.025f}, within(1e-6f));
        assertThat(HeadsLoss.smoothed(new int[] {1}, 3, 0)).containsExactly(0, 1, 0);
        assertThatThrownBy(() -> HeadsLoss.smoothed(new int[] {3}, 3, 0.1f)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HeadsLoss.smoothed(new int[] {0}, 3, 1f)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theLossIsTheCrossEntropyOfBothHeadsWeighted() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            // uniform logits over 4 and 2 classes: cross-entropy ln 4 and ln 2 whatever the targets
            NDList predictions = new NDList(m.zeros(new Shape(3, 4)), m.zeros(new Shape(3, 2)));
            NDList labels = new NDList(m.create(HeadsLoss.smoothed(new int[] {0, 1, 3}, 4, 0.1f), new Shape(3, 4)),
                    m.create(HeadsLoss.smoothed(new int[] {0, 1, 1}, 2, 0), new Shape(3, 2)));
            assertThat(new HeadsLoss(0.5f).evaluate(labels, predictions).getFloat())
                    .isCloseTo((float) (Math.log(4) + 0.5 * Math.log(2)), within(1e-5f));
            assertThat(new HeadsLoss(0f).evaluate(labels, predictions).getFloat()).isCloseTo((float) Math.log(4), within(1e-5f));
            // a confident right answer costs almost nothing
            NDList right = new NDList(m.create(new float[] {20, 0, 0, 0}, new Shape(1, 4)), m.create(new float[] {20, 0}, new Shape(1, 2)));
            NDList truth = new NDList(m.create(HeadsLoss.smoothed(new int[] {0}, 4, 0), new Shape(1, 4)),
                    m.create(HeadsLoss.smoothed(new int[] {0}, 2, 0), new Shape(1, 2)));
            assertThat(new HeadsLoss(0.5f).evaluate(truth, right).getFloat()).isLessThan(1e-6f);
        }
    }
}
