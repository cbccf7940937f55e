package com.listinglens.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Rect;

/**
 * The native resampler ({@code liblensimage.so}) against the Java reference ({@link PilResampler} via
 * {@link Preprocessor#resizeAndCrop}): the same tensor, float for float, for downscales, upscales, axes that keep their
 * size, odd sizes, integer pre-reduction and non-continuous sources; and a clear error, never a crash, for bad input.
 */
class NativeResamplerTest {

    private static final ImageSettings BASE = ImageSettings.defaults();

    @ParameterizedTest(name = "{0}x{1} -> crop {2} of shorter side {3}")
    @CsvSource({
        "512, 512, 224, 256", "512, 512, 320, 366", "640, 480, 224, 256", "480, 640, 320, 366", "1024, 768, 224, 256",
        "333, 500, 224, 256", "256, 256, 224, 256", "512, 256, 224, 256", "256, 513, 224, 256", "200, 150, 224, 256",
        "100, 50, 224, 256", "4000, 3000, 224, 256", "1365, 1024, 320, 366", "257, 1000, 160, 183", "7, 5, 32, 37"})
    void sameTensorAsTheJavaReference(int w, int h, int crop, int shorter) {
        ImageSettings s = new ImageSettings(shorter, crop, BASE.mean(), BASE.std(), BASE.maxBytes(), BASE.maxPixels(),
                BASE.maxSide(), BASE.reducedDecodeMargin());
        Preprocessor p = new Preprocessor(s);
        try (DecodedImage image = PreprocessorTest.rgbImage(TestImageFixtures.photoLike(w, h, w * 31L + h))) {
            assertSame(p.toTensor(image), reference(p, image), w + "x" + h);
        }
    }

    @Test
    void readsRowsOfANonContinuousSource() {
        Preprocessor p = new Preprocessor(BASE);
        try (DecodedImage whole = PreprocessorTest.rgbImage(TestImageFixtures.photoLike(700, 600, 5))) {
            Mat view = whole.mat().submat(new Rect(37, 21, 555, 470));
            Mat copy = view.clone();
            assertThat(view.isContinuous()).isFalse();
            float[] fromView = new float[3 * 224 * 224];
            float[] fromCopy = new float[3 * 224 * 224];
            NativeResampler.resizeCropNormalize(view, 302, 256, 39, 16, 224, 224, lut(p), fromView, 0);
            NativeResampler.resizeCropNormalize(copy, 302, 256, 39, 16, 224, 224, lut(p), fromCopy, 0);
            assertSame(fromView, fromCopy, "view against copy");
            try (DecodedImage copied = new DecodedImage(copy, ImageFormat.PNG)) {
                assertSame(p.toTensor(copied), fromCopy, "tensor of the copy");
                assertSame(fromCopy, reference(p, copied), "Java reference");
            }
            view.release();
        }
    }

    @Test
    void writesAtAnOffsetAndNothingElse() {
        Preprocessor p = new Preprocessor(BASE);
        try (DecodedImage image = PreprocessorTest.rgbImage(TestImageFixtures.photoLike(400, 300, 9))) {
            int n = p.tensorLength();
            float[] out = new float[2 * n + 10];
            java.util.Arrays.fill(out, 42f);
            p.toTensor(image, out, n + 5);
            for (int i = 0; i < n + 5; i++) {
                assertThat(out[i]).isEqualTo(42f);
            }
            assertSame(java.util.Arrays.copyOfRange(out, n + 5, 2 * n + 5), p.toTensor(image), "at an offset");
            for (int i = 2 * n + 5; i < out.length; i++) {
                assertThat(out[i]).isEqualTo(42f);
            }
        }
    }

    @Test
    void refusesBadArgumentsWithoutTouchingNativeMemory() {
        Preprocessor p = new Preprocessor(BASE);
        float[] lut = lut(p);
        float[] out = new float[3 * 224 * 224];
        Mat rgb = new Mat(300, 400, CvType.CV_8UC3);
        Mat grey = new Mat(300, 400, CvType.CV_8UC1);
        Mat empty = new Mat();
        try {
            assertThatThrownBy(() -> NativeResampler.resizeCropNormalize(grey, 341, 256, 0, 0, 224, 224, lut, out, 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CV_8UC3");
            assertThatThrownBy(() -> NativeResampler.resizeCropNormalize(empty, 341, 256, 0, 0, 224, 224, lut, out, 0))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> NativeResampler.resizeCropNormalize(rgb, 341, 256, 200, 0, 224, 224, lut, out, 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside");
            assertThatThrownBy(() -> NativeResampler.resizeCropNormalize(rgb, 341, 256, 0, -1, 224, 224, lut, out, 0))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> NativeResampler.resizeCropNormalize(rgb, 341, 256, 0, 0, 224, 224, lut, out, 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot take");
            assertThatThrownBy(() -> NativeResampler.resizeCropNormalize(rgb, 341, 256, 0, 0, 224, 224, lut, out, -1))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> NativeResampler.resizeCropNormalize(rgb, 341, 256, 0, 0, 224, 224, new float[767], out, 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 x 256");
            assertThatThrownBy(() -> NativeResampler.resizeCropNormalize(rgb, 341, 256, 0, 0, 224, 224, lut, null, 0))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> p.toTensor(null, out, 0)).isInstanceOf(NullPointerException.class);
        } finally {
            rgb.release();
            grey.release();
            empty.release();
        }
    }

    @ParameterizedTest(name = "SSE4.1 horizontal pass: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void randomGeometriesMatchTheReference(boolean simd) {
        boolean available = NativeResampler.simd(simd);
        try {
            randomGeometries(simd ? 7 : 11);
        } finally {
            NativeResampler.simd(true);
        }
        if (simd) {
            System.out.println("native resampler: SSE4.1 horizontal pass " + (available ? "available" : "not built here"));
        }
    }

    private static void randomGeometries(long seed) {
        Random random = new Random(seed);
        for (int i = 0; i < 40; i++) {
            int w = 16 + random.nextInt(900);
            int h = 16 + random.nextInt(900);
            int crop = 8 + random.nextInt(300);
            int shorter = crop + random.nextInt(200);
            ImageSettings s = new ImageSettings(shorter, crop, BASE.mean(), BASE.std(), BASE.maxBytes(),
                    BASE.maxPixels(), BASE.maxSide(), BASE.reducedDecodeMargin());
            Preprocessor p = new Preprocessor(s);
            try (DecodedImage image = PreprocessorTest.rgbImage(TestImageFixtures.photoLike(w, h, i))) {
                assertSame(p.toTensor(image), reference(p, image), w + "x" + h + " crop " + crop + " of " + shorter);
            }
        }
    }

    /** Float for float (bit patterns), naming the first value that differs. */
    private static void assertSame(float[] actual, float[] expected, String what) {
        assertThat(actual).as(what).hasSameSizeAs(expected);
        assertThat(java.util.Arrays.mismatch(actual, expected)).as("%s: index of the first differing value", what).isEqualTo(-1);
    }

    /** The Java path: Pillow's resize in Java, then the normalisation table. */
    private static float[] reference(Preprocessor p, DecodedImage image) {
        byte[] crop = p.resizeAndCrop(image);
        float[] lut = lut(p);
        int n = crop.length / 3;
        float[] t = new float[crop.length];
        for (int i = 0; i < n; i++) {
            t[i] = lut[crop[3 * i] & 0xFF];
            t[n + i] = lut[256 + (crop[3 * i + 1] & 0xFF)];
            t[2 * n + i] = lut[512 + (crop[3 * i + 2] & 0xFF)];
        }
        return t;
    }

    private static float[] lut(Preprocessor p) {
        return p.normalisation();
    }
}
