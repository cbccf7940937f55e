package com.listinglens.image;

import org.opencv.core.CvType;
import org.opencv.core.Mat;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * JPEG decoding through libjpeg-turbo's TurboJPEG C API ({@code libturbojpeg.so.0}, Debian's libturbojpeg0, built
 * with its SIMD kernels), reached through the Java foreign function API. OpenCV's bundled libjpeg-turbo is built
 * without SIMD ({@code Core.getBuildInformation()}: "SIMD Support: NO"); the system library decodes the same pixels
 * faster (docs/benchmarks.md#jpeg-decoding).
 *
 * <p>Pixels are written once, as RGB, straight into the memory of a new OpenCV {@link Mat} (no BGR-to-RGB pass, no
 * copy). Everything that reaches the C library is checked here first: the JPEG's own header (read by TurboJPEG) must
 * give the dimensions the caller expects, the scale is 1, 2, 4 or 8, and the destination buffer's size is computed
 * from the same numbers the decoder is given. Decoding with TJFLAG_LIMITSCANS refuses progressive JPEGs of more
 * than 500 scans (a known decompression-time bomb). CMYK / YCCK JPEGs, which TurboJPEG cannot turn into RGB, and
 * any JPEG it refuses are left to OpenCV ({@link #decode} answers empty). A recoverable warning ("extraneous bytes
 * before marker") keeps the decoded pixels, as OpenCV does.
 *
 * <p>Thread-safe: each call uses its own TurboJPEG handle.
 */
final class TurboJpeg {

    /** The shared object's soname (Debian package libturbojpeg0). */
    static final String LIBRARY = "libturbojpeg.so.0";

    private static final int TJPF_RGB = 0;
    private static final int TJCS_CMYK = 3;
    private static final int TJCS_YCCK = 4;
    private static final int TJERR_WARNING = 0;
    private static final int TJFLAG_LIMITSCANS = 32768;

    private static final Optional<TurboJpeg> INSTANCE = tryLoad();
    private static volatile String loadFailure;

    private final MethodHandle init;
    private final MethodHandle destroy;
    private final MethodHandle header;
    private final MethodHandle decompress;
    private final MethodHandle errorCode;
    private final MethodHandle errorString;

    private TurboJpeg(SymbolLookup lookup) {
        Linker linker = Linker.nativeLinker();
        ValueLayout a = ValueLayout.ADDRESS;
        ValueLayout i = ValueLayout.JAVA_INT;
        ValueLayout l = ValueLayout.JAVA_LONG; // unsigned long on LP64
        init = linker.downcallHandle(symbol(lookup, "tjInitDecompress"), FunctionDescriptor.of(a));
        destroy = linker.downcallHandle(symbol(lookup, "tjDestroy"), FunctionDescriptor.of(i, a));
        header = linker.downcallHandle(symbol(lookup, "tjDecompressHeader3"), FunctionDescriptor.of(i, a, a, l, a, a, a, a));
        decompress = linker.downcallHandle(symbol(lookup, "tjDecompress2"), FunctionDescriptor.of(i, a, a, l, a, i, i, i, i, i));
        errorCode = linker.downcallHandle(symbol(lookup, "tjGetErrorCode"), FunctionDescriptor.of(i, a));
        errorString = linker.downcallHandle(symbol(lookup, "tjGetErrorStr2"), FunctionDescriptor.of(a, a));
    }

    private static MemorySegment symbol(SymbolLookup lookup, String name) {
        return lookup.find(name).orElseThrow(() -> new IllegalStateException(LIBRARY + " exports no " + name));
    }

    private static Optional<TurboJpeg> tryLoad() {
        try {
            return Optional.of(new TurboJpeg(SymbolLookup.libraryLookup(LIBRARY, Arena.global())));
        } catch (RuntimeException | LinkageError e) {
            loadFailure = e.toString();
            return Optional.empty();
        }
    }

    /** The library, when {@value #LIBRARY} could be loaded in this process. */
    static Optional<TurboJpeg> instance() {
        return INSTANCE;
    }

    /** Why the library could not be loaded (null when it was). */
    static String loadFailure() {
        return loadFailure;
    }

    /** A decoded JPEG, or why TurboJPEG left it to OpenCV. */
    record Result(Mat rgb, String declined) {
    }

    /**
     * Decodes {@code jpeg} at 1/{@code reduction} scale into a new continuous CV_8UC3 RGB Mat of
     * {@code ceil(width / reduction) x ceil(height / reduction)} pixels.
     *
     * @param width  the width its header gives (checked against TurboJPEG's own reading)
     * @param height the height its header gives
     * @return the Mat (the caller releases it), or a reason to decode it with OpenCV instead
     */
    Result decode(byte[] jpeg, int width, int height, int reduction) {
        if (jpeg == null || jpeg.length < 4) {
            return new Result(null, "no JPEG data");
        }
        if (reduction != 1 && reduction != 2 && reduction != 4 && reduction != 8) {
            throw new IllegalArgumentException("the JPEG scale must be 1/1, 1/2, 1/4 or 1/8, not 1/" + reduction);
        }
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("width and height must be positive: " + width + " x " + height);
        }
        long outW = (width + (long) reduction - 1) / reduction;
        long outH = (height + (long) reduction - 1) / reduction;
        long pitch = outW * 3;
        if (pitch > Integer.MAX_VALUE || outH > Integer.MAX_VALUE || pitch * outH > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a " + width + " x " + height + " JPEG is too large to decode");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment handle = (MemorySegment) init.invokeExact();
            if (handle.equals(MemorySegment.NULL)) {
                return new Result(null, "tjInitDecompress failed");
            }
            try {
                MemorySegment src = arena.allocate(jpeg.length);
                MemorySegment.copy(jpeg, 0, src, ValueLayout.JAVA_BYTE, 0, jpeg.length);
                MemorySegment dims = arena.allocate(ValueLayout.JAVA_INT, 4);
                int rc = (int) header.invokeExact(handle, src, (long) jpeg.length, dims,
                        dims.asSlice(4), dims.asSlice(8), dims.asSlice(12));
                if (rc != 0) {
                    return new Result(null, "header: " + error(handle));
                }
                int w = dims.getAtIndex(ValueLayout.JAVA_INT, 0);
                int h = dims.getAtIndex(ValueLayout.JAVA_INT, 1);
                int colorspace = dims.getAtIndex(ValueLayout.JAVA_INT, 3);
                if (w != width || h != height) {
                    return new Result(null, "TurboJPEG reads " + w + " x " + h + ", the header check " + width + " x " + height);
                }
                if (colorspace == TJCS_CMYK || colorspace == TJCS_YCCK) {
                    return new Result(null, "CMYK JPEG");
                }
                Mat out = new Mat((int) outH, (int) outW, CvType.CV_8UC3);
                boolean kept = false;
                try {
                    if (!out.isContinuous() || out.step1() * out.elemSize1() != pitch || out.dataAddr() == 0) {
                        return new Result(null, "OpenCV allocated a non-continuous Mat");
                    }
                    MemorySegment dst = MemorySegment.ofAddress(out.dataAddr()).reinterpret(pitch * outH);
                    rc = (int) decompress.invokeExact(handle, src, (long) jpeg.length, dst, (int) outW, (int) pitch,
                            (int) outH, TJPF_RGB, TJFLAG_LIMITSCANS);
                    if (rc != 0 && (int) errorCode.invokeExact(handle) != TJERR_WARNING) {
                        return new Result(null, error(handle));
                    }
                    kept = true;
                    return new Result(out, null);
                } finally {
                    if (!kept) {
                        out.release();
                    }
                }
            } finally {
                int ignored = (int) destroy.invokeExact(handle);
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("TurboJPEG call failed: " + t, t);
        }
    }

    private String error(MemorySegment handle) throws Throwable {
        MemorySegment s = (MemorySegment) errorString.invokeExact(handle);
        return s.equals(MemorySegment.NULL) ? "unknown TurboJPEG error" : s.reinterpret(1024).getString(0);
    }
}
