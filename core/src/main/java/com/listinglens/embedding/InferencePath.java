package com.listinglens.embedding;

import java.util.Locale;
import java.util.Objects;

/**
 * One way to run the embedding model on this machine's CPU: a precision and, for int8, the libtorch quantized engine
 * whose kernels run it ({@link QuantizedEngine}). The same model computes different numbers on different paths (int8
 * kernels round, and FBGEMM's AVX2 kernels saturate on models quantized without a reduced range), and at different
 * speeds on different CPUs; {@link PathProbe} measures both and {@link PathChoice} picks.
 *
 * <p>Labels: {@code fp32}, {@code int8/fbgemm}, {@code int8/qnnpack}, {@code int8/x86}, {@code int8/onednn}.
 *
 * @param precision "fp32" or "int8"
 * @param engine the quantized engine for int8; null for fp32
 */
public record InferencePath(String precision, QuantizedEngine.Kind engine) {

    public static final InferencePath FP32 = new InferencePath("fp32", null);

    public InferencePath {
        precision = Objects.requireNonNull(precision, "precision").toLowerCase(Locale.ROOT).strip();
        switch (precision) {
            case "fp32" -> {
                if (engine != null) {
                    throw new IllegalArgumentException("fp32 runs no quantized engine, got " + engine.label());
                }
            }
            case "int8" -> {
                if (engine == null || engine == QuantizedEngine.Kind.NONE) {
                    throw new IllegalArgumentException("int8 needs a quantized engine (qnnpack, fbgemm, x86, onednn)");
                }
            }
            default -> throw new IllegalArgumentException("a CPU path is fp32 or int8/<engine>, got precision '" + precision + "'");
        }
    }

    public static InferencePath int8(QuantizedEngine.Kind engine) {
        return new InferencePath("int8", engine);
    }

    /** Parses a {@link #label()}: "fp32" or "int8/&lt;engine&gt;". */
    public static InferencePath parse(String label) {
        String s = Objects.requireNonNull(label, "label").toLowerCase(Locale.ROOT).strip();
        if (s.equals("fp32")) {
            return FP32;
        }
        if (s.startsWith("int8/")) {
            return int8(QuantizedEngine.Kind.parse(s.substring(5)));
        }
        throw new IllegalArgumentException("unknown inference path '" + label + "' (fp32, int8/qnnpack, int8/fbgemm, int8/x86, "
                + "int8/onednn)");
    }

    public boolean isInt8() {
        return engine != null;
    }

    public String label() {
        return engine == null ? precision : precision + "/" + engine.label();
    }

    /** The model settings that run this path, from settings for the same model at this precision. */
    public ModelSettings settings(ModelSettings forPrecision) {
        if (!forPrecision.precision().equals(precision)) {
            throw new IllegalArgumentException("settings for " + forPrecision.precision() + " cannot run path " + label());
        }
        return engine == null ? forPrecision : forPrecision.withQuantizedEngine(engine.label());
    }

    @Override
    public String toString() {
        return label();
    }
}
