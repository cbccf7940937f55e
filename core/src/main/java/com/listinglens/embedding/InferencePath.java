package com.listinglens.embedding;

import java.util.Locale;
import java.util.Objects;

/**
 * One way to run the embedding model on this machine's CPU: a precision, for int8 the libtorch quantized engine whose
 * kernels run it ({@link QuantizedEngine}), and which int8 file: the model's own ({@code int8}) or its variant with
 * 7-bit activations ({@code int8-rr}, "reduce range": exact on FBGEMM's AVX2 kernels, which add pairs of u8 x s8
 * products in 16 bits and saturate on 8-bit activations; {@code models/quantize_int8.py} makes it). The same model
 * computes different numbers on different paths, and at different speeds on different CPUs; {@link PathProbe}
 * measures both and {@link PathChoice} picks.
 *
 * <p>Labels: {@code fp32}, {@code int8/fbgemm}, {@code int8/qnnpack}, {@code int8/x86}, {@code int8/onednn},
 * {@code int8-rr/fbgemm}, ...
 *
 * @param precision "fp32" or "int8"
 * @param engine the quantized engine for int8; null for fp32
 * @param variant the int8 file: "" (the model's int8 file) or "rr" (7-bit activations); "" for fp32
 */
public record InferencePath(String precision, QuantizedEngine.Kind engine, String variant) {

    public static final InferencePath FP32 = new InferencePath("fp32", null, "");

    /** The int8 variant with 7-bit activations. */
    public static final String REDUCED_RANGE = "rr";

    public InferencePath(String precision, QuantizedEngine.Kind engine) {
        this(precision, engine, "");
    }

    public InferencePath {
        precision = Objects.requireNonNull(precision, "precision").toLowerCase(Locale.ROOT).strip();
        variant = variant == null ? "" : variant.toLowerCase(Locale.ROOT).strip();
        if (!variant.isEmpty() && !variant.equals(REDUCED_RANGE)) {
            throw new IllegalArgumentException("unknown int8 variant '" + variant + "' (rr)");
        }
        switch (precision) {
            case "fp32" -> {
                if (engine != null || !variant.isEmpty()) {
                    throw new IllegalArgumentException("fp32 runs no quantized engine and has no variant");
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
        return new InferencePath("int8", engine, "");
    }

    public static InferencePath int8(String variant, QuantizedEngine.Kind engine) {
        return new InferencePath("int8", engine, variant);
    }

    /** Parses a {@link #label()}: "fp32", "int8/&lt;engine&gt;" or "int8-rr/&lt;engine&gt;". */
    public static InferencePath parse(String label) {
        String s = Objects.requireNonNull(label, "label").toLowerCase(Locale.ROOT).strip();
        if (s.equals("fp32")) {
            return FP32;
        }
        int slash = s.indexOf('/');
        if (slash > 0 && (s.startsWith("int8/") || s.startsWith("int8-"))) {
            String model = s.substring(0, slash);
            String variant = model.equals("int8") ? "" : model.substring(5);
            try {
                return int8(variant, QuantizedEngine.Kind.parse(s.substring(slash + 1)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown inference path '" + label + "': " + e.getMessage(), e);
            }
        }
        throw new IllegalArgumentException("unknown inference path '" + label + "' (fp32, int8/qnnpack, int8/fbgemm, int8/x86, "
                + "int8/onednn, int8-rr/fbgemm, ...)");
    }

    public boolean isInt8() {
        return engine != null;
    }

    /** The model file this path loads: "fp32", "int8" or "int8-rr" (a model manifest's file key). */
    public String file() {
        return variant.isEmpty() ? precision : precision + "-" + variant;
    }

    public String label() {
        return engine == null ? precision : file() + "/" + engine.label();
    }

    /** The model settings that run this path, from settings of the same model file. */
    public ModelSettings settings(ModelSettings forFile) {
        if (!forFile.precision().equals(precision)) {
            throw new IllegalArgumentException("settings for " + forFile.precision() + " cannot run path " + label());
        }
        return engine == null ? forFile : forFile.withQuantizedEngine(engine.label());
    }

    @Override
    public String toString() {
        return label();
    }
}
