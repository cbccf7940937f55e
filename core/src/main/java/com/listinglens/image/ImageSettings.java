package com.listinglens.image;

import java.util.Arrays;

/**
 * Limits and preprocessing parameters for photos.
 *
 * @param resizeShorter the shorter side is resized to this many pixels before cropping (256)
 * @param cropSize side of the square centre crop fed to the model (224)
 * @param mean per-channel RGB mean of {@code x/255} (ImageNet)
 * @param std per-channel RGB standard deviation of {@code x/255} (ImageNet)
 * @param maxBytes largest accepted encoded file, in bytes (20 MiB)
 * @param maxPixels largest accepted width x height, read from the header before decoding (40 M)
 * @param maxSide largest accepted width or height (12000)
 */
public record ImageSettings(
        int resizeShorter, int cropSize, float[] mean, float[] std, long maxBytes, long maxPixels, int maxSide,
        double reducedDecodeMargin) {

    /** A large JPEG is decoded at reduced DCT scale only while its shorter side stays this many times the target. */
    public static final double DEFAULT_REDUCED_DECODE_MARGIN = 1.0;

    public ImageSettings(int resizeShorter, int cropSize, float[] mean, float[] std, long maxBytes, long maxPixels, int maxSide) {
        this(resizeShorter, cropSize, mean, std, maxBytes, maxPixels, maxSide, DEFAULT_REDUCED_DECODE_MARGIN);
    }

    public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    public static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    public ImageSettings {
        if (resizeShorter < 1 || cropSize < 1 || cropSize > resizeShorter) {
            throw new IllegalArgumentException(
                    "need 1 <= cropSize <= resizeShorter, got cropSize=" + cropSize + ", resizeShorter=" + resizeShorter);
        }
        if (mean == null || mean.length != 3 || std == null || std.length != 3) {
            throw new IllegalArgumentException("mean and std need 3 values (R, G, B)");
        }
        for (float s : std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("std values must be > 0: " + Arrays.toString(std));
            }
        }
        if (maxBytes < 1 || maxPixels < 1 || maxSide < 1) {
            throw new IllegalArgumentException("maxBytes, maxPixels and maxSide must be positive");
        }
        if (!(reducedDecodeMargin >= 1)) {
            throw new IllegalArgumentException("the reduced-decode margin must be >= 1, got " + reducedDecodeMargin);
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** 256 / 224, ImageNet mean and std, 20 MiB, 40 M pixels, 12000 px per side. */
    public static ImageSettings defaults() {
        return new ImageSettings(256, 224, IMAGENET_MEAN, IMAGENET_STD, 20L * 1024 * 1024, 40_000_000L, 12_000);
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    /** Number of floats in one CHW tensor: {@code 3 * cropSize * cropSize}. */
    public int tensorLength() {
        return 3 * cropSize * cropSize;
    }

    public ImageSettings withMaxBytes(long newMaxBytes) {
        return new ImageSettings(resizeShorter, cropSize, mean, std, newMaxBytes, maxPixels, maxSide, reducedDecodeMargin);
    }

    public ImageSettings withMaxPixels(long newMaxPixels, int newMaxSide) {
        return new ImageSettings(resizeShorter, cropSize, mean, std, maxBytes, newMaxPixels, newMaxSide, reducedDecodeMargin);
    }

    public ImageSettings withReducedDecodeMargin(double margin) {
        return new ImageSettings(resizeShorter, cropSize, mean, std, maxBytes, maxPixels, maxSide, margin);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageSettings s
                && resizeShorter == s.resizeShorter
                && cropSize == s.cropSize
                && Arrays.equals(mean, s.mean)
                && Arrays.equals(std, s.std)
                && maxBytes == s.maxBytes
                && maxPixels == s.maxPixels
                && maxSide == s.maxSide
                && reducedDecodeMargin == s.reducedDecodeMargin;
    }

    @Override
    public int hashCode() {
        int h = Integer.hashCode(resizeShorter);
        h = 31 * h + cropSize;
        h = 31 * h + Arrays.hashCode(mean);
        h = 31 * h + Arrays.hashCode(std);
        h = 31 * h + Long.hashCode(maxBytes);
        h = 31 * h + Long.hashCode(maxPixels);
        h = 31 * h + maxSide;
        return 31 * h + Double.hashCode(reducedDecodeMargin);
    }

    @Override
    public String toString() {
        return "ImageSettings[resizeShorter=" + resizeShorter + ", cropSize=" + cropSize
                + ", mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std)
                + ", maxBytes=" + maxBytes + ", maxPixels=" + maxPixels + ", maxSide=" + maxSide
                + ", reducedDecodeMargin=" + reducedDecodeMargin + "]";
    }
}
