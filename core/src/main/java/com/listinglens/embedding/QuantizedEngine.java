package com.listinglens.embedding;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * libtorch's quantized engine (what {@code torch.backends.quantized.engine} sets in Python), which DJL does not
 * expose: the kernels that run int8 convolutions, chosen before an int8 model is loaded because libtorch packs the
 * weights for the engine active at load time.
 *
 * <p>Why it matters: on x86 libtorch defaults to its "x86" engine (FBGEMM), whose AVX2 kernels (CPUs without
 * AVX-512 VNNI) accumulate pairs of u8 x s8 products in 16 bits and saturate on models quantized without a reduced
 * range, as the shared int8 model is (quantization-aware training with the QNNPACK configuration); QNNPACK computes
 * the model as it was trained. Measured: docs/benchmarks.md#quantized-engine.
 *
 * <p>Reached through the Java foreign function API in libtorch_cpu's exported C++ symbols ({@code at::globalContext()},
 * {@code at::Context::supportedQEngines()}, {@code qEngine()}, {@code setQEngine(c10::QEngine)}); the values are
 * c10's {@code QEngine} enum. Every call checks that the engine is among those libtorch reports as supported, so
 * nothing unsupported ever reaches libtorch.
 */
public final class QuantizedEngine {

    /** c10::QEngine, in its order. */
    public enum Kind {
        NONE, FBGEMM, QNNPACK, ONEDNN, X86;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Kind parse(String name) {
            for (Kind k : values()) {
                if (k.label().equals(name.toLowerCase(Locale.ROOT).strip())) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown quantized engine '" + name + "' (qnnpack, fbgemm, x86, onednn)");
        }
    }

    private static final String LIBRARY = "libtorch_cpu.so";

    /**
     * The engine "auto" picks for a CPU with these flags (/proc/cpuinfo): FBGEMM alone where it has VNNI kernels
     * (avx512_vnni: 32-bit accumulation), QNNPACK elsewhere (correct, slower on x86 than FBGEMM, whose AVX2 kernels
     * saturate on this model). Not libtorch's own default "x86" on VNNI CPUs: it hands the 320-px view's convolutions
     * to oneDNN, which is slower at batch 1 and 2. Figures: docs/benchmarks.md#quantized-engine.
     */
    public static Optional<Kind> auto(Set<String> cpuFlags) {
        return Optional.of(cpuFlags.contains("avx512_vnni") ? Kind.FBGEMM : Kind.QNNPACK);
    }

    /** This machine's CPU flags (the first processor's in /proc/cpuinfo; empty when unreadable). */
    public static Set<String> cpuFlags() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) {
                    int colon = line.indexOf(':');
                    return new HashSet<>(Arrays.asList(line.substring(colon + 1).strip().split("\\s+")));
                }
            }
        } catch (IOException | RuntimeException e) {
            return Set.of();
        }
        return Set.of();
    }

    private final MethodHandle globalContext;
    private final MethodHandle supported;
    private final MethodHandle current;
    private final MethodHandle set;

    private QuantizedEngine(SymbolLookup lookup) {
        Linker linker = Linker.nativeLinker();
        globalContext = linker.downcallHandle(symbol(lookup, "_ZN2at13globalContextEv"), FunctionDescriptor.of(ValueLayout.ADDRESS));
        supported = linker.downcallHandle(symbol(lookup, "_ZN2at7Context17supportedQEnginesEv"),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        current = linker.downcallHandle(symbol(lookup, "_ZNK2at7Context7qEngineEv"),
                FunctionDescriptor.of(ValueLayout.JAVA_BYTE, ValueLayout.ADDRESS));
        set = linker.downcallHandle(symbol(lookup, "_ZN2at7Context10setQEngineEN3c107QEngineE"),
                FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.JAVA_BYTE));
    }

    private static MemorySegment symbol(SymbolLookup lookup, String name) {
        return lookup.find(name).orElseThrow(() -> new EmbeddingException(LIBRARY + " exports no " + name
                + "; this libtorch's quantized engine cannot be chosen (set lens.model.quantized-engine=default)"));
    }

    /**
     * The quantized engine of the libtorch loaded in this process (the PyTorch engine must have started: DJL loads
     * libtorch_cpu.so), or empty when no libtorch_cpu.so is mapped.
     */
    public static Optional<QuantizedEngine> loaded() {
        return libraryPath().map(p -> new QuantizedEngine(SymbolLookup.libraryLookup(p, Arena.global())));
    }

    /** Where libtorch_cpu.so is mapped in this process (/proc/self/maps). */
    static Optional<Path> libraryPath() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                int slash = line.indexOf('/');
                if (slash > 0 && line.endsWith("/" + LIBRARY)) {
                    return Optional.of(Path.of(line.substring(slash)));
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** The engines this libtorch was built with. */
    public List<Kind> supported() {
        try {
            MemorySegment ctx = (MemorySegment) globalContext.invokeExact();
            // const std::vector<c10::QEngine>&: begin and end pointers of one-byte elements
            MemorySegment vector = ((MemorySegment) supported.invokeExact(ctx)).reinterpret(2 * ValueLayout.ADDRESS.byteSize());
            MemorySegment begin = vector.get(ValueLayout.ADDRESS, 0);
            MemorySegment end = vector.get(ValueLayout.ADDRESS, ValueLayout.ADDRESS.byteSize());
            long n = end.address() - begin.address();
            if (n < 0 || n > Kind.values().length * 4L) {
                throw new EmbeddingException("libtorch reported an implausible list of quantized engines (" + n + " entries)");
            }
            MemorySegment items = begin.reinterpret(n);
            List<Kind> out = new ArrayList<>();
            for (long i = 0; i < n; i++) {
                int v = items.get(ValueLayout.JAVA_BYTE, i);
                if (v >= 0 && v < Kind.values().length && !out.contains(Kind.values()[v])) {
                    out.add(Kind.values()[v]);
                }
            }
            return out;
        } catch (EmbeddingException e) {
            throw e;
        } catch (Throwable t) {
            throw new EmbeddingException("cannot read libtorch's quantized engines: " + t, t);
        }
    }

    /** The engine in use now. */
    public Kind current() {
        try {
            MemorySegment ctx = (MemorySegment) globalContext.invokeExact();
            byte v = (byte) current.invokeExact(ctx);
            return v >= 0 && v < Kind.values().length ? Kind.values()[v] : Kind.NONE;
        } catch (Throwable t) {
            throw new EmbeddingException("cannot read libtorch's quantized engine: " + t, t);
        }
    }

    /** Switches to {@code kind}; refused (nothing called) when libtorch does not support it. */
    public void use(Kind kind) {
        List<Kind> available = supported();
        if (kind == Kind.NONE || !available.contains(kind)) {
            throw new EmbeddingException("quantized engine " + kind.label() + " is not supported by this libtorch (supported: "
                    + available.stream().map(Kind::label).toList() + ")");
        }
        try {
            MemorySegment ctx = (MemorySegment) globalContext.invokeExact();
            set.invokeExact(ctx, (byte) kind.ordinal());
        } catch (Throwable t) {
            throw new EmbeddingException("cannot set libtorch's quantized engine to " + kind.label() + ": " + t, t);
        }
        if (current() != kind) {
            throw new EmbeddingException("libtorch kept quantized engine " + current().label() + " after being set to " + kind.label());
        }
    }
}
