package com.listinglens.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.listinglens.image.DecodedImage;
import com.listinglens.image.ImageDecoder;
import com.listinglens.image.ImageSettings;
import com.listinglens.image.MultiScale;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The start-up measurement of inference paths, on the real model and real photos of the shared catalog. */
class PathProbeTest {

    private static final PathProbe.Settings QUICK = new PathProbe.Settings(Duration.ofMillis(150), 2, 0.98, 0.7, 10);
    private static List<float[]> tensors;
    private static MultiScale views;

    @BeforeAll
    static void photos() {
        views = new MultiScale(ImageSettings.defaults(), List.of(224, 320));
        ImageDecoder decoder = new ImageDecoder(ImageSettings.defaults());
        tensors = new ArrayList<>();
        List<SharedData.Photo> val = SharedData.valPhotos();
        for (int i = 0; i < 12; i++) {
            try (DecodedImage image = decoder.decode(SharedData.bytes(val.get(i * val.size() / 12).file()), views.decodeShorter())) {
                tensors.addAll(views.toTensors(image));
            }
        }
    }

    @Test
    void everyEngineIsMeasuredAgainstFp32AndAQualifyingPathIsServed() {
        List<String> progress = new ArrayList<>();
        PathProbe.Result r = PathProbe.run(SharedData.settings("fp32"), SharedData.settings("int8"), List.of(), tensors, 2, QUICK,
                progress::add);
        List<QuantizedEngine.Kind> engines = PathProbe.supportedEngines();
        assertThat(engines).as("x86 libtorch has QNNPACK and FBGEMM").contains(QuantizedEngine.Kind.QNNPACK, QuantizedEngine.Kind.FBGEMM);
        assertThat(r.choice().trials()).hasSize(1 + engines.size());
        assertThat(progress).hasSize(1 + engines.size()).first().asString().startsWith("fp32: ");
        assertThat(r.photos()).isEqualTo(12);
        assertThat(r.views()).isEqualTo(2);
        PathChoice.Verdict fp32 = verdict(r, InferencePath.FP32);
        assertThat(fp32.trial().meanCosine()).isEqualTo(1.0);
        assertThat(fp32.qualified()).isTrue();
        // the shared int8 model was trained for QNNPACK: it agrees with fp32 there on every CPU
        PathChoice.Verdict qnnpack = verdict(r, InferencePath.int8(QuantizedEngine.Kind.QNNPACK));
        assertThat(qnnpack.trial().meanCosine()).isGreaterThan(0.98).isLessThan(1.0);
        assertThat(qnnpack.qualified()).as(qnnpack.toString()).isTrue();
        for (PathChoice.Verdict v : r.choice().trials()) {
            if (v.trial().error() == null) {
                assertThat(v.trial().photosPerSecond()).as(v.trial().path().label()).isPositive();
                assertThat(v.trial().minCosine()).isLessThanOrEqualTo(v.trial().meanCosine());
            }
        }
        PathChoice.Trial chosen = r.choice().chosen();
        assertThat(r.choice().trials().stream().filter(v -> v.trial() == chosen).findFirst().orElseThrow().qualified()).isTrue();
        double best = r.choice().trials().stream().filter(PathChoice.Verdict::qualified).mapToDouble(v -> v.trial().photosPerSecond())
                .max().orElseThrow();
        assertThat(chosen.photosPerSecond()).as("the fastest qualifying path").isEqualTo(best);
        assertThat(PathProbe.describe(r)).contains("12 photos x 2 views").contains("serving " + chosen.path().label());
    }

    @Test
    void onePinnedEngineIsTheOnlyInt8PathTried() {
        PathProbe.Result r = PathProbe.run(SharedData.settings("fp32"), SharedData.settings("int8"),
                List.of(QuantizedEngine.Kind.QNNPACK), tensors, 2, QUICK, s -> { });
        assertThat(r.choice().trials()).extracting(v -> v.trial().path().label()).containsExactlyInAnyOrder("fp32", "int8/qnnpack");
    }

    @Test
    void withoutAnInt8ModelFp32IsTheOnlyPath() {
        PathProbe.Result r = PathProbe.run(SharedData.settings("fp32"), (ModelSettings) null, List.of(), tensors.subList(0, 8), 2, QUICK, s -> { });
        assertThat(r.choice().chosen().path()).isEqualTo(InferencePath.FP32);
        assertThat(r.choice().reason()).isEqualTo("fp32: the only path tried");
    }

    @Test
    void probesThatAreNotWholePhotosAreRefused() {
        assertThatThrownBy(() -> PathProbe.run(SharedData.settings("fp32"), (ModelSettings) null, List.of(), tensors.subList(0, 3), 2, QUICK, s -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not 2 views");
        assertThatThrownBy(() -> PathProbe.run(SharedData.settings("fp32"), (ModelSettings) null, List.of(), tensors.subList(0, 2), 2, QUICK, s -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 2 photos");
    }

    private static PathChoice.Verdict verdict(PathProbe.Result r, InferencePath path) {
        return r.choice().trials().stream().filter(v -> v.trial().path().equals(path)).findFirst().orElseThrow();
    }
}
