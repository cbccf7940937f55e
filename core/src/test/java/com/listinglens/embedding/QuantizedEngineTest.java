package com.listinglens.embedding;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * libtorch's quantized engine, read and set through its exported symbols (the real libtorch DJL loads). Whether the
 * engine computes the int8 model correctly is ReferenceEmbeddingTest's part (mean cosine to the fp32 reference).
 */
class QuantizedEngineTest {

    @Test
    void autoTakesFbgemmWithVnniKernelsElseQnnpack() {
        assertThat(QuantizedEngine.auto(Set.of("sse4_2", "avx2", "fma"))).contains(QuantizedEngine.Kind.QNNPACK);
        assertThat(QuantizedEngine.auto(Set.of("avx2", "avx512f", "avx512bw"))).contains(QuantizedEngine.Kind.QNNPACK);
        assertThat(QuantizedEngine.auto(Set.of())).contains(QuantizedEngine.Kind.QNNPACK);
        assertThat(QuantizedEngine.auto(Set.of("avx2", "avx512f", "avx512_vnni"))).contains(QuantizedEngine.Kind.FBGEMM);
        assertThat(QuantizedEngine.cpuFlags()).as("this machine's /proc/cpuinfo").contains("sse2");
    }

    @Test
    void theLoadedLibtorchReportsAndSwitchesEngines() throws Exception {
        try (DjlEmbedder embedder = new DjlEmbedder(SharedData.settings("int8"))) {
            QuantizedEngine q = QuantizedEngine.loaded().orElseThrow();
            assertThat(QuantizedEngine.libraryPath()).get().asString().endsWith("/libtorch_cpu.so");
            assertThat(q.supported()).contains(QuantizedEngine.Kind.QNNPACK, QuantizedEngine.Kind.FBGEMM);
            QuantizedEngine.Kind before = q.current();
            assertThat(before).isEqualTo(QuantizedEngine.auto(QuantizedEngine.cpuFlags()).orElse(before));
            try {
                q.use(QuantizedEngine.Kind.FBGEMM);
                assertThat(q.current()).isEqualTo(QuantizedEngine.Kind.FBGEMM);
                q.use(QuantizedEngine.Kind.QNNPACK);
                assertThat(q.current()).isEqualTo(QuantizedEngine.Kind.QNNPACK);
                // refused before libtorch is called
                assertThatThrownBy(() -> q.use(QuantizedEngine.Kind.NONE)).isInstanceOf(EmbeddingException.class)
                        .hasMessageContaining("not supported");
                assertThat(q.current()).isEqualTo(QuantizedEngine.Kind.QNNPACK);
            } finally {
                q.use(before);
            }
            assertThat(embedder.embed(new float[3 * 224 * 224])).hasSize(1280);
        }
    }

    @Test
    void unknownEnginesAreRefusedInTheSettings() {
        assertThatThrownBy(() -> new ModelSettings("m", SharedData.model("int8"), "int8", "cpu", 1280, 8, 1, 1, "avx9"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown quantized engine 'avx9'");
        assertThat(new ModelSettings("m", SharedData.model("int8"), "int8", "cpu", 1280, 8, 1, 1, " QNNPACK ").quantizedEngine())
                .isEqualTo("qnnpack");
        assertThat(new ModelSettings("m", SharedData.model("int8"), "int8", "cpu", 1280, 8, 1, 1).quantizedEngine()).isEqualTo("auto");
    }
}
