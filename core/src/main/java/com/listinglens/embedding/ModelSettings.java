package com.listinglens.embedding;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * Which TorchScript embedding model to serve and how.
 *
 * @param name a label for logs and {@link ModelInfo} (e.g. "mobilenet_v2")
 * @param path the TorchScript file
 * @param precision "int8" (quantized model, CPU only), "fp32" (float model; on GPU it is cast to fp16 where the
 *     engine allows), or "fp16" (a model file already saved in half precision, GPU only)
 * @param device "cpu" or "gpu"
 * @param dimension expected embedding length; checked when the model loads
 * @param batchSize most photos sent to the model in one forward pass
 * @param predictors size of the predictor pool, i.e. how many forward passes may run at once
 * @param threads intra-op threads for libtorch (process-wide); 0 leaves the engine's default
 * @param quantizedEngine libtorch's quantized engine for int8 models on the CPU ({@link QuantizedEngine}):
 *     "auto" ({@link QuantizedEngine#auto}: FBGEMM where it has VNNI kernels, else QNNPACK),
 *     "qnnpack" (the shared int8 model was trained for it), "fbgemm", "x86", "onednn", or "default" (libtorch's own
 *     choice, untouched)
 */
public record ModelSettings(
        String name, Path path, String precision, String device, int dimension, int batchSize, int predictors,
        int threads, String quantizedEngine) {

    /** Chooses by CPU the quantized engine that computes the shared int8 model correctly ({@link QuantizedEngine#auto}). */
    public static final String DEFAULT_QUANTIZED_ENGINE = "auto";

    public ModelSettings(String name, Path path, String precision, String device, int dimension, int batchSize,
                         int predictors, int threads) {
        this(name, path, precision, device, dimension, batchSize, predictors, threads, DEFAULT_QUANTIZED_ENGINE);
    }

    public ModelSettings {
        Objects.requireNonNull(path, "path");
        name = name == null || name.isBlank() ? fileStem(path) : name;
        precision = Objects.requireNonNull(precision, "precision").toLowerCase(Locale.ROOT).strip();
        device = Objects.requireNonNull(device, "device").toLowerCase(Locale.ROOT).strip();
        if (!precision.equals("int8") && !precision.equals("fp32") && !precision.equals("fp16")) {
            throw new IllegalArgumentException("precision must be int8, fp32 or fp16, got '" + precision + "'");
        }
        if (!device.equals("cpu") && !device.equals("gpu")) {
            throw new IllegalArgumentException("device must be cpu or gpu, got '" + device + "'");
        }
        if (dimension < 1 || batchSize < 1 || predictors < 1 || threads < 0) {
            throw new IllegalArgumentException("need dimension, batchSize, predictors >= 1 and threads >= 0");
        }
        quantizedEngine = quantizedEngine == null ? DEFAULT_QUANTIZED_ENGINE : quantizedEngine.toLowerCase(Locale.ROOT).strip();
        if (!quantizedEngine.equals("default") && !quantizedEngine.equals("auto")) {
            QuantizedEngine.Kind.parse(quantizedEngine);
        }
    }

    /**
     * CPU settings: dimension 1280, batch 8, one predictor per core and one libtorch intra-op thread. Parallelism
     * comes from concurrent requests rather than from OpenMP inside one forward pass: on a busy machine (HTTP threads,
     * decoding and index search competing) more intra-op threads collapse, on an idle one they help a single request
     * (measured: docs/benchmarks.md#model-threads).
     */
    public static ModelSettings cpu(String name, Path path, String precision) {
        return new ModelSettings(name, path, precision, "cpu", 1280, 8,
                Math.max(1, Runtime.getRuntime().availableProcessors()), 1);
    }

    public ModelSettings withPrecision(String newPrecision, Path newPath) {
        return new ModelSettings(name, newPath, newPrecision, device, dimension, batchSize, predictors, threads, quantizedEngine);
    }

    public ModelSettings withBatch(int newBatchSize, int newPredictors) {
        return new ModelSettings(name, path, precision, device, dimension, newBatchSize, newPredictors, threads, quantizedEngine);
    }

    public ModelSettings withQuantizedEngine(String engine) {
        return new ModelSettings(name, path, precision, device, dimension, batchSize, predictors, threads, engine);
    }

    public ModelSettings withDimension(int newDimension) {
        return new ModelSettings(name, path, precision, device, newDimension, batchSize, predictors, threads, quantizedEngine);
    }

    private static String fileStem(Path path) {
        String file = path.getFileName() == null ? path.toString() : path.getFileName().toString();
        int dot = file.lastIndexOf('.');
        return dot > 0 ? file.substring(0, dot) : file;
    }
}
