package com.listinglens.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PathChoiceTest {

    private static final InferencePath FBGEMM = InferencePath.int8(QuantizedEngine.Kind.FBGEMM);
    private static final InferencePath QNNPACK = InferencePath.int8(QuantizedEngine.Kind.QNNPACK);
    private static final InferencePath ONEDNN = InferencePath.int8(QuantizedEngine.Kind.ONEDNN);

    private static PathChoice.Trial trial(InferencePath p, double speed, double cosine, double overlap) {
        return new PathChoice.Trial(p, speed, cosine, cosine - 0.05, overlap, null);
    }

    @Test
    void theFastestPathThatAgreesWithFp32IsServed() {
        PathChoice c = PathChoice.choose(List.of(trial(InferencePath.FP32, 40, 1, 1), trial(QNNPACK, 20, 0.993, 0.9),
                trial(FBGEMM, 130, 0.991, 0.88)), 0.98, 0.7);
        assertThat(c.chosen().path()).isEqualTo(FBGEMM);
        assertThat(c.trials()).extracting(v -> v.trial().path()).containsExactly(FBGEMM, InferencePath.FP32, QNNPACK);
        assertThat(c.trials()).allMatch(PathChoice.Verdict::qualified);
        assertThat(c.reason()).startsWith("int8/fbgemm: the fastest of 3 paths");
    }

    /** An AVX2-only CPU as measured: FBGEMM fastest but saturating, qnnpack exact but slower than fp32. */
    @Test
    void aFastPathThatDisagreesIsRefusedWithItsFigures() {
        PathChoice c = PathChoice.choose(List.of(trial(InferencePath.FP32, 38, 1, 1), trial(QNNPACK, 19, 0.993, 0.9),
                trial(FBGEMM, 80, 0.971, 0.8), trial(ONEDNN, 70, 0.943, 0.6)), 0.98, 0.7);
        assertThat(c.chosen().path()).isEqualTo(InferencePath.FP32);
        assertThat(c.reason()).contains("int8/fbgemm was faster but its mean cosine to fp32 0.9710 is under 0.9800");
        PathChoice.Verdict onednn = c.trials().stream().filter(v -> v.trial().path().equals(ONEDNN)).findFirst().orElseThrow();
        assertThat(onednn.refusal()).contains("mean cosine to fp32 0.9430").contains("neighbour overlap 0.600 is under 0.700");
        assertThat(c.summary()).contains("int8/qnnpack: 19.0 photos/s").contains("refused");
    }

    @Test
    void aPathThatCouldNotRunIsListedLastAndRefused() {
        PathChoice c = PathChoice.choose(List.of(trial(InferencePath.FP32, 38, 1, 1),
                PathChoice.Trial.failed(ONEDNN, "engine refused"), trial(QNNPACK, 19, 0.993, 0.9)), 0.98, 0.7);
        assertThat(c.chosen().path()).isEqualTo(InferencePath.FP32);
        assertThat(c.trials().getLast().trial().path()).isEqualTo(ONEDNN);
        assertThat(c.trials().getLast().refusal()).contains("could not run (engine refused)");
        assertThat(c.trials().getLast().trial().figures()).isEqualTo("could not run: engine refused");
    }

    @Test
    void fp32IsTheReferenceAndQualifiesWhateverItsFigures() {
        PathChoice c = PathChoice.choose(List.of(new PathChoice.Trial(InferencePath.FP32, 5, Double.NaN, Double.NaN, Double.NaN, null)),
                0.98, 0.7);
        assertThat(c.chosen().path()).isEqualTo(InferencePath.FP32);
        assertThat(c.reason()).isEqualTo("fp32: the only path tried");
    }

    @Test
    void nothingQualifyingIsAClearError() {
        assertThatThrownBy(() -> PathChoice.choose(List.of(PathChoice.Trial.failed(InferencePath.FP32, "no model"),
                trial(FBGEMM, 80, 0.9, 0.5)), 0.98, 0.7))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no inference path qualified")
                .hasMessageContaining("fp32: could not run: no model");
        assertThatThrownBy(() -> PathChoice.choose(List.of(), 0.98, 0.7)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPathThatEmbeddedNothingIsRefused() {
        PathChoice c = PathChoice.choose(List.of(trial(InferencePath.FP32, 38, 1, 1), trial(FBGEMM, 0, 0.99, 0.9)), 0.98, 0.7);
        assertThat(c.chosen().path()).isEqualTo(InferencePath.FP32);
        assertThat(c.trials().get(1).refusal()).isEqualTo("it embedded nothing in its time");
    }

    @Test
    void pathsParseFromTheirLabels() {
        for (String label : List.of("fp32", "int8/qnnpack", "int8/fbgemm", "int8/x86", "int8/onednn")) {
            assertThat(InferencePath.parse(label).label()).isEqualTo(label);
        }
        assertThat(InferencePath.parse(" INT8/FBGEMM ")).isEqualTo(FBGEMM);
        InferencePath rr = InferencePath.parse("int8-rr/fbgemm");
        assertThat(rr.variant()).isEqualTo(InferencePath.REDUCED_RANGE);
        assertThat(rr.file()).isEqualTo("int8-rr");
        assertThat(rr.label()).isEqualTo("int8-rr/fbgemm");
        assertThat(rr).isNotEqualTo(FBGEMM);
        assertThatThrownBy(() -> InferencePath.parse("int8-xx/fbgemm")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown int8 variant");
        assertThatThrownBy(() -> new InferencePath("fp32", null, "rr")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> InferencePath.parse("fp16")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fp32");
        assertThatThrownBy(() -> InferencePath.parse("int8/avx9")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new InferencePath("int8", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new InferencePath("int8", QuantizedEngine.Kind.NONE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new InferencePath("fp32", QuantizedEngine.Kind.FBGEMM)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPathRunsTheSettingsOfItsPrecisionWithItsEngine() {
        ModelSettings int8 = ModelSettings.cpu("m", java.nio.file.Path.of("m_int8.pt"), "int8");
        assertThat(FBGEMM.settings(int8).quantizedEngine()).isEqualTo("fbgemm");
        assertThat(FBGEMM.settings(int8).path()).isEqualTo(int8.path());
        ModelSettings fp32 = ModelSettings.cpu("m", java.nio.file.Path.of("m_fp32.pt"), "fp32");
        assertThat(InferencePath.FP32.settings(fp32)).isSameAs(fp32);
        assertThatThrownBy(() -> FBGEMM.settings(fp32)).isInstanceOf(IllegalArgumentException.class);
    }
}
