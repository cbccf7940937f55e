package com.listinglens.image;

import com.listinglens.nativelib.BundledLibrary;
import org.opencv.core.CvType;
import org.opencv.core.Mat;

/**
 * The model's input written straight from an OpenCV {@link Mat} into a float tensor, in native code
 * ({@code liblensimage.so}, built from {@code native/src/resample.cpp}): Pillow's antialiased bilinear resize restricted
 * to the crop window, the per-channel normalisation and the HWC to CHW layout in one pass over the pixels. The pixels
 * are read where OpenCV (or TurboJPEG) decoded them and the result is written into the caller's array, so a view costs
 * no copy of the photo into Java. The arithmetic is {@link PilResampler}'s with its taps (bit for bit:
 * NativeResamplerTest).
 *
 * <p>Every argument is checked here before the call (and again in C++): the Mat must be a non-empty 2-D CV_8UC3 image
 * whose rows are at least {@code 3 x cols} bytes apart, the window must lie inside the resized image, the table must
 * hold 3 x 256 values and the output the window's {@code 3 x w x h} values from {@code offset}. The caller keeps the Mat
 * open for the call.
 */
final class NativeResampler {

    static final String PATH_PROPERTY = "lens.native.image-library";

    private static final BundledLibrary LIBRARY = new BundledLibrary("liblensimage.so", "the image resampler",
            PATH_PROPERTY, "is libstdc++6 installed?", IllegalStateException::new);

    private NativeResampler() {}

    /** Loads the library (once); throws {@link IllegalStateException} with the reason when it cannot. */
    static void load() {
        LIBRARY.load();
    }

    /**
     * Resizes {@code src} to {@code outW x outH}, keeps the window {@code [cropX, cropX + cropW) x [cropY, cropY + cropH)}
     * and writes it as CHW float32 through {@code lut} ({@code lut[c * 256 + value]}) into {@code out} from
     * {@code offset} on.
     */
    static void resizeCropNormalize(Mat src, int outW, int outH, int cropX, int cropY, int cropW, int cropH, float[] lut,
                                    float[] out, int offset) {
        if (src == null || src.empty() || src.dims() != 2 || src.type() != CvType.CV_8UC3) {
            throw new IllegalArgumentException("need a non-empty 2-D CV_8UC3 image, got " + src);
        }
        int w = src.cols();
        int h = src.rows();
        long step = src.step1(0) * src.elemSize1();
        if (step < 3L * w) {
            throw new IllegalArgumentException("rows " + step + " bytes apart cannot hold " + w + " RGB pixels");
        }
        if (outW < 1 || outH < 1 || cropW < 1 || cropH < 1 || cropX < 0 || cropY < 0
                || (long) cropX + cropW > outW || (long) cropY + cropH > outH) {
            throw new IllegalArgumentException("crop window " + cropW + "x" + cropH + " at " + cropX + "," + cropY
                    + " outside the resized " + outW + "x" + outH + " image");
        }
        if (lut == null || lut.length != 3 * 256) {
            throw new IllegalArgumentException("the normalisation table must hold 3 x 256 values");
        }
        long need = 3L * cropW * cropH;
        if (out == null || offset < 0 || offset + need > out.length) {
            throw new IllegalArgumentException("output of " + (out == null ? "null" : out.length + " values")
                    + " cannot take " + need + " values at " + offset);
        }
        PilResampler.Taps ht = outW != w ? PilResampler.taps(w, outW, cropX, cropX + cropW) : null;
        PilResampler.Taps vt = outH != h ? PilResampler.taps(h, outH, cropY, cropY + cropH) : null;
        load();
        resizeCropNormalize(src.dataAddr(), w, h, step, cropX, cropY, cropW, cropH,
                ht == null ? null : ht.first(), ht == null ? null : ht.count(), ht == null ? null : ht.flat(),
                ht == null ? 0 : ht.stride(),
                vt == null ? null : vt.first(), vt == null ? null : vt.count(), vt == null ? null : vt.flat(),
                vt == null ? 0 : vt.stride(), lut, out, offset);
    }

    /**
     * Lets the horizontal pass use its SSE4.1 form ({@code true}, the default) or only the scalar one, process-wide;
     * for tests, which check both against the Java reference. Returns whether the SSE4.1 form exists here.
     */
    static boolean simd(boolean enabled) {
        load();
        return useSimd(enabled);
    }

    private static native boolean useSimd(boolean enabled);

    private static native void resizeCropNormalize(long src, int w, int h, long step, int cropX, int cropY, int cropW,
                                                   int cropH, int[] hFirst, int[] hCount, int[] hWeights, int hStride,
                                                   int[] vFirst, int[] vCount, int[] vWeights, int vStride, float[] lut,
                                                   float[] out, int offset);
}
