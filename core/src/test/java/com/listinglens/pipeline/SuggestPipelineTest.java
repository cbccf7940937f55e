package com.listinglens.pipeline;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SuggestPipelineTest {

    @Test
    void meanFusionIsTheNormalisedMean() {
        float[] m = SuggestPipeline.mean(new float[][]{{1, 0}, {0, 1}});
        assertThat(m[0]).isCloseTo((float) Math.sqrt(0.5), within(1e-6f));
        assertThat(m[1]).isCloseTo((float) Math.sqrt(0.5), within(1e-6f));
        float[] opposite = SuggestPipeline.mean(new float[][]{{1, 0}, {-1, 0}});
        assertThat(opposite).containsExactly(0f, 0f);
    }
}
