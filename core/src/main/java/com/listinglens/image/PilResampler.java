package com.listinglens.image;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Antialiased bilinear resampling of interleaved 8-bit RGB, reproducing Pillow's {@code Image.resize(size,
 * BILINEAR)} (libImaging/Resample.c) bit for bit: a triangle filter whose support widens with the downscale factor,
 * 22-bit fixed-point weights, a horizontal pass rounded to 8 bits and then a vertical pass. That is what
 * torchvision's {@code Resize} does on PIL images, which is how the reference embeddings were made.
 *
 * <p>Only the outputs inside a crop window are computed, so resize-then-centre-crop costs what the crop needs.
 */
final class PilResampler {

    private static final int PRECISION_BITS = 32 - 8 - 2;

    private PilResampler() {}

    /**
     * Filter taps for output positions {@code from..to-1} of an {@code inSize -> outSize} resize on one axis: output
     * {@code o} reads inputs {@code first[o] .. first[o] + count[o] - 1} with the weights {@code flat[o * stride ..]}
     * (zero-padded to {@code stride}); the Java passes below and the native resampler read this same form.
     */
    record Taps(int[] first, int[] count, int[] flat, int stride) {

        int minInput() {
            int m = Integer.MAX_VALUE;
            for (int f : first) {
                m = Math.min(m, f);
            }
            return m;
        }

        int maxInputExclusive() {
            int m = 0;
            for (int i = 0; i < first.length; i++) {
                m = Math.max(m, first[i] + count[i]);
            }
            return m;
        }
    }

    private record TapsKey(int inSize, int outSize, int from, int to) {}

    /** Photos come in few sizes: the taps for the last sizes seen are kept (bounded, thread-safe). */
    private static final ConcurrentHashMap<TapsKey, Taps> CACHE =
            new ConcurrentHashMap<>();

    private static final int CACHE_LIMIT = 256;

    static Taps taps(int inSize, int outSize, int from, int to) {
        TapsKey key = new TapsKey(inSize, outSize, from, to);
        Taps cached = CACHE.get(key);
        if (cached != null) {
            return cached;
        }
        Taps taps = computeTaps(inSize, outSize, from, to);
        if (CACHE.size() >= CACHE_LIMIT) {
            CACHE.clear();
        }
        CACHE.put(key, taps);
        return taps;
    }

    static Taps computeTaps(int inSize, int outSize, int from, int to) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = 1.0 * filterScale; // bilinear filter support is 1
        double ss = 1.0 / filterScale;
        int n = to - from;
        int[] first = new int[n];
        int[] count = new int[n];
        int[][] weights = new int[n][];
        for (int o = 0; o < n; o++) {
            int xx = from + o;
            double center = (xx + 0.5) * scale;
            int xmin = (int) (center - support + 0.5); // C truncation, as in Pillow
            if (xmin < 0) {
                xmin = 0;
            }
            int xmax = (int) (center + support + 0.5);
            if (xmax > inSize) {
                xmax = inSize;
            }
            xmax -= xmin;
            double[] k = new double[Math.max(xmax, 0)];
            double ww = 0.0;
            for (int x = 0; x < xmax; x++) {
                double w = triangle((x + xmin - center + 0.5) * ss);
                k[x] = w;
                ww += w;
            }
            int[] fixed = new int[k.length];
            for (int x = 0; x < k.length; x++) {
                double w = ww != 0.0 ? k[x] / ww : k[x];
                fixed[x] = w < 0 ? (int) (-0.5 + w * (1 << PRECISION_BITS)) : (int) (0.5 + w * (1 << PRECISION_BITS));
            }
            first[o] = xmin;
            count[o] = fixed.length;
            weights[o] = fixed;
        }
        int stride = 1;
        for (int[] w : weights) {
            stride = Math.max(stride, w.length);
        }
        int[] flat = new int[n * stride];
        for (int o = 0; o < n; o++) {
            System.arraycopy(weights[o], 0, flat, o * stride, weights[o].length);
        }
        return new Taps(first, count, flat, stride);
    }

    private static double triangle(double x) {
        x = Math.abs(x);
        return x < 1.0 ? 1.0 - x : 0.0;
    }

    private static int clip8(int acc) {
        int v = acc >> PRECISION_BITS;
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /**
     * Resizes {@code src} ({@code w x h} interleaved RGB) to {@code outW x outH} and returns only the window
     * {@code [cropX, cropX + cropW) x [cropY, cropY + cropH)} of the result, as interleaved RGB.
     */
    static byte[] resizeCrop(byte[] src, int w, int h, int outW, int outH, int cropX, int cropY, int cropW, int cropH) {
        if (cropX < 0 || cropY < 0 || cropX + cropW > outW || cropY + cropH > outH) {
            throw new IllegalArgumentException("crop window outside the resized image");
        }
        boolean horizontal = outW != w;
        boolean vertical = outH != h;
        Taps vt = vertical ? taps(h, outH, cropY, cropY + cropH) : null;
        int rowFrom = vertical ? vt.minInput() : cropY;
        int rowTo = vertical ? vt.maxInputExclusive() : cropY + cropH;
        int rows = rowTo - rowFrom;

        // horizontal pass: rows [rowFrom, rowTo) -> cropW columns, rounded to 8 bits like Pillow's intermediate image
        byte[] tmp = new byte[rows * cropW * 3];
        if (horizontal) {
            Taps ht = taps(w, outW, cropX, cropX + cropW);
            for (int y = 0; y < rows; y++) {
                int srcRow = (rowFrom + y) * w * 3;
                int dstRow = y * cropW * 3;
                for (int x = 0; x < cropW; x++) {
                    int k = x * ht.stride;
                    int p = srcRow + ht.first[x] * 3;
                    int r = 1 << (PRECISION_BITS - 1);
                    int g = r;
                    int b = r;
                    for (int t = 0; t < ht.count[x]; t++, p += 3) {
                        int kt = ht.flat[k + t];
                        r += (src[p] & 0xFF) * kt;
                        g += (src[p + 1] & 0xFF) * kt;
                        b += (src[p + 2] & 0xFF) * kt;
                    }
                    int d = dstRow + x * 3;
                    tmp[d] = (byte) clip8(r);
                    tmp[d + 1] = (byte) clip8(g);
                    tmp[d + 2] = (byte) clip8(b);
                }
            }
        } else {
            for (int y = 0; y < rows; y++) {
                System.arraycopy(src, ((rowFrom + y) * w + cropX) * 3, tmp, y * cropW * 3, cropW * 3);
            }
        }
        if (!vertical) {
            return tmp;
        }

        // vertical pass, a whole output row at a time (taps outer, columns inner: vectorises)
        byte[] out = new byte[cropW * cropH * 3];
        int stride = cropW * 3;
        int[] acc = new int[stride];
        for (int y = 0; y < cropH; y++) {
            int k = y * vt.stride;
            Arrays.fill(acc, 1 << (PRECISION_BITS - 1));
            int base = (vt.first[y] - rowFrom) * stride;
            for (int t = 0; t < vt.count[y]; t++, base += stride) {
                int kt = vt.flat[k + t];
                for (int c = 0; c < stride; c++) {
                    acc[c] += (tmp[base + c] & 0xFF) * kt;
                }
            }
            int dstRow = y * stride;
            for (int c = 0; c < stride; c++) {
                out[dstRow + c] = (byte) clip8(acc[c]);
            }
        }
        return out;
    }
}
