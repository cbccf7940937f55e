package com.listinglens.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.listinglens.config.ConfigLoader;
import com.listinglens.config.LensConfig;
import com.listinglens.embedding.InferencePath;
import com.listinglens.embedding.PathChoice;
import com.listinglens.embedding.QuantizedEngine;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the service decides the inference path it serves (lens.model.path), with the real model and probe photos. */
class ServingModelTest {

    private static LensConfig config(String path, String... more) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("lens.model.path", path);
        o.put("lens.model.probe.photos", "12");
        o.put("lens.model.probe.time-per-path", "100ms");
        for (int i = 0; i < more.length; i += 2) {
            o.put(more[i], more[i + 1]);
        }
        return ConfigLoader.load(o);
    }

    @Test
    void autoMeasuresEveryPathAndServesTheFastestThatAgreesWithFp32() {
        ServingModel.Loaded loaded = ServingModel.load(config("auto"), null);
        try (var embedder = loaded.embedder()) {
            assertThat(loaded.how()).isEqualTo("measured");
            assertThat(loaded.probe()).isNotNull();
            PathChoice choice = loaded.probe().choice();
            assertThat(loaded.path()).isEqualTo(choice.chosen().path().label());
            assertThat(loaded.reason()).isEqualTo(choice.reason());
            assertThat(loaded.probe().photos()).isEqualTo(12);
            assertThat(choice.trials()).extracting(v -> v.trial().path().label()).contains("fp32", "int8/qnnpack", "int8/fbgemm");
            // what is served is the path that was chosen: its precision, and for int8 its engine
            InferencePath chosen = choice.chosen().path();
            assertThat(embedder.info().precision()).isEqualTo(chosen.precision());
            assertThat(loaded.resolved().settings().precision()).isEqualTo(chosen.precision());
            if (chosen.isInt8()) {
                assertThat(QuantizedEngine.loaded().orElseThrow().current()).isEqualTo(chosen.engine());
            }
            assertThat(embedder.embed(new float[3 * 224 * 224])).hasSize(1280);
            InferencePathReport report = new InferencePathReport(loaded.path(), loaded.how(), loaded.reason(), loaded.probe());
            assertThat(report.trials()).hasSize(choice.trials().size());
            assertThat(report.trials()).filteredOn(t -> t.verdict().equals("served")).singleElement()
                    .satisfies(t -> assertThat(t.path()).isEqualTo(loaded.path()));
            assertThat(report.probeSeconds()).isPositive();
        }
    }

    @Test
    void aPathLabelPinsThePathUnmeasured() {
        ServingModel.Loaded loaded = ServingModel.load(config("fp32"), null);
        try (var embedder = loaded.embedder()) {
            assertThat(loaded.path()).isEqualTo("fp32");
            assertThat(loaded.how()).isEqualTo("pinned");
            assertThat(loaded.probe()).isNull();
            assertThat(embedder.info().precision()).isEqualTo("fp32");
        }
        ServingModel.Loaded qnnpack = ServingModel.load(config("int8/qnnpack"), null);
        try (var embedder = qnnpack.embedder()) {
            assertThat(embedder.info().precision()).isEqualTo("int8");
            assertThat(QuantizedEngine.loaded().orElseThrow().current()).isEqualTo(QuantizedEngine.Kind.QNNPACK);
        }
    }

    @Test
    void configuredServesThePrecisionAndEngineAsConfigured() {
        ServingModel.Loaded loaded = ServingModel.load(config("configured", "lens.model.precision", "int8",
                "lens.model.quantized-engine", "qnnpack"), null);
        try (var embedder = loaded.embedder()) {
            assertThat(loaded.path()).isEqualTo("int8/qnnpack");
            assertThat(loaded.how()).isEqualTo("configured");
            assertThat(loaded.reason()).contains("lens.model.quantized-engine=qnnpack");
        }
    }

    @Test
    void withoutProbePhotosAutoServesFp32AndSaysWhy() {
        ServingModel.Loaded loaded = ServingModel.load(config("auto", "lens.model.check.catalog", "/nonexistent/val.jsonl"), null);
        try (var embedder = loaded.embedder()) {
            assertThat(loaded.path()).isEqualTo("fp32");
            assertThat(loaded.reason()).contains("int8 could not be checked against fp32").contains("/nonexistent/val.jsonl");
            assertThat(embedder.info().precision()).isEqualTo("fp32");
        }
    }

    /**
     * A model version published with its probe photos (as publish-model does by default) is measured where no
     * catalog is, as in a container or a pod: the photos come from the version's folder.
     */
    @Test
    void aVersionThatCarriesProbePhotosIsMeasuredWithoutACatalog() throws Exception {
        LensConfig defaults = ConfigLoader.load(Map.of());
        Map<String, java.nio.file.Path> files = new LinkedHashMap<>();
        files.put("int8", defaults.model().int8Path());
        files.put("fp32", defaults.model().fp32Path());
        java.util.List<java.nio.file.Path> probe = com.listinglens.catalog.CatalogReader.read(defaults.model().check().catalog())
                .spreadPhotos(12);
        java.nio.file.Path store = com.listinglens.support.TestStores.fresh("probe-model");
        try (var fs = new com.listinglens.storage.FileBlobStore(store)) {
            new com.listinglens.storage.Publisher(fs, new com.listinglens.storage.Layout(""),
                    new java.io.PrintStream(java.io.PrintStream.nullOutputStream()))
                    .publishModel(defaults.model().name(), "probe-1", defaults.model().space(), 1280, files, java.util.List.of(), probe, true);
        }
        ServingModel.Loaded loaded = ServingModel.load(config("auto", "lens.model.check.catalog", "/nonexistent/val.jsonl",
                "lens.model.source", "directory", "lens.model.directory", store.resolve("models/" + defaults.model().name() + "/probe-1").toString(),
                "lens.model.quantized-engine", "qnnpack"), null);
        try (var embedder = loaded.embedder()) {
            assertThat(loaded.how()).isEqualTo("measured");
            assertThat(loaded.probe()).as("the probe ran").isNotNull();
            assertThat(loaded.probe().photos()).isEqualTo(12);
            assertThat(loaded.probe().choice().trials()).extracting(v -> v.trial().path().label()).contains("fp32", "int8/qnnpack");
            assertThat(loaded.reason()).doesNotContain("could not be checked");
        }
    }

    /**
     * A second int8 file (lens.model.int8-rr-path, here the shared int8 file again, standing in for one with 7-bit
     * activations) is measured on every engine beside the first, and can be pinned.
     */
    @Test
    void theReducedRangeInt8FileIsMeasuredBesideTheOtherAndCanBePinned() {
        String int8 = ConfigLoader.load(Map.of()).model().int8Path().toString();
        ServingModel.Loaded loaded = ServingModel.load(config("auto", "lens.model.int8-rr-path", int8,
                "lens.model.quantized-engine", "qnnpack"), null);
        try (var embedder = loaded.embedder()) {
            assertThat(loaded.probe().choice().trials()).extracting(v -> v.trial().path().label())
                    .containsExactlyInAnyOrder("fp32", "int8/qnnpack", "int8-rr/qnnpack");
        }
        ServingModel.Loaded pinned = ServingModel.load(config("int8-rr/qnnpack", "lens.model.int8-rr-path", int8), null);
        try (var embedder = pinned.embedder()) {
            assertThat(pinned.path()).isEqualTo("int8-rr/qnnpack");
            assertThat(embedder.info().precision()).isEqualTo("int8");
            assertThat(embedder.info().path().toString()).isEqualTo(java.nio.file.Path.of(int8).toAbsolutePath().toString());
        }
        assertThatThrownBy(() -> ServingModel.load(config("int8-rr/qnnpack"), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lens.model.int8-rr-path");
    }

    @Test
    void anUnknownPathIsAClearError() {
        assertThatThrownBy(() -> ServingModel.load(config("int4/turbo"), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown inference path 'int4/turbo'");
    }
}
