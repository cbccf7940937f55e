package com.listinglens.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.imgcodecs.Imgcodecs;

class PreprocessorTest {

    private static final int CROP = 224;
    private final ImageSettings settings = ImageSettings.defaults();
    private final Preprocessor preprocessor = new Preprocessor(settings);

    @Test
    void tensorIsChw3x224x224() {
        try (DecodedImage image = rgbImage(TestImageFixtures.photoLike(300, 200, 1))) {
            float[] t = preprocessor.toTensor(image);
            assertThat(t).hasSize(3 * CROP * CROP);
            assertThat(preprocessor.tensorLength()).isEqualTo(3 * CROP * CROP);
        }
    }

    @Test
    void solidColourNormalisesToImageNetValues() {
        int[] rgb = {200, 100, 50};
        try (DecodedImage image = rgbImage(TestImageFixtures.solid(333, 500, rgb))) {
            float[] t = preprocessor.toTensor(image);
            float[] mean = ImageSettings.IMAGENET_MEAN;
            float[] std = ImageSettings.IMAGENET_STD;
            for (int c = 0; c < 3; c++) {
                double expected = (rgb[c] / 255.0 - mean[c]) / std[c];
                for (int i = c * CROP * CROP; i < (c + 1) * CROP * CROP; i++) {
                    assertThat((double) t[i]).isCloseTo(expected, within(1e-5));
                }
            }
            // e.g. R: (200/255 - 0.485) / 0.229 = 1.3071
            assertThat((double) t[0]).isCloseTo(1.30710, within(1e-4));
        }
    }

    /**
     * 512 x 256 needs no resize (its shorter side is already 256), so the crop is exact: columns 144..367, rows
     * 16..239. Each pixel encodes its own position.
     */
    @Test
    void centreCropsALandscapeImage() {
        int w = 512;
        int h = 256;
        try (DecodedImage image = rgbImage(positionCoded(w, h))) {
            byte[] crop = preprocessor.resizeAndCrop(image);
            assertThat(crop).hasSize(CROP * CROP * 3);
            assertPosition(crop, 0, 0, 144, 16);
            assertPosition(crop, CROP - 1, CROP - 1, 144 + CROP - 1, 16 + CROP - 1);
            assertPosition(crop, 100, 50, 244, 66);
        }
    }

    @Test
    void centreCropsAPortraitImageRoundingHalvesToEven() {
        // 256 x 513: (513 - 224) / 2 = 144.5, which Python's round() (and torchvision) takes to 144
        try (DecodedImage image = rgbImage(positionCoded(256, 513))) {
            byte[] crop = preprocessor.resizeAndCrop(image);
            assertPosition(crop, 0, 0, 16, 144);
        }
    }

    @Test
    void followsTorchvisionResizeRule() {
        assertThat(Preprocessor.targetSize(4000, 3000, 256)).containsExactly(341, 256);
        assertThat(Preprocessor.targetSize(3000, 4000, 256)).containsExactly(256, 341);
        assertThat(Preprocessor.targetSize(348, 348, 256)).containsExactly(256, 256);
        assertThat(Preprocessor.targetSize(100, 50, 256)).containsExactly(512, 256);
    }

    /** Pillow's bilinear on a hand-checked 1-D case: 4 -> 2 pixels, weights 3/7, 3/7, 1/7 for the first output. */
    @Test
    void resamplerMatchesPillowsWeights() {
        byte[] row = new byte[4 * 3];
        int[] values = {0, 100, 200, 255};
        for (int x = 0; x < 4; x++) {
            row[3 * x] = row[3 * x + 1] = row[3 * x + 2] = (byte) values[x];
        }
        byte[] out = PilResampler.resizeCrop(row, 4, 1, 2, 1, 0, 0, 2, 1);
        // first: (0*3 + 100*3 + 200*1) / 7 = 71.43 -> 71; second: (100*1 + 200*3 + 255*3) / 7 = 209.3 -> 209
        assertThat(out[0] & 0xFF).isEqualTo(71);
        assertThat(out[3] & 0xFF).isEqualTo(209);
    }

    @Test
    void largePhotosAreFastAndCloseToTheExactResize() {
        Mat big = TestImageFixtures.photoLike(4000, 3000, 2);
        byte[] jpeg = TestImageFixtures.encode(big, ".jpg", Imgcodecs.IMWRITE_JPEG_QUALITY, 90);
        big.release();
        ImageDecoder decoder = new ImageDecoder(settings);
        byte[] exact;
        try (DecodedImage full = decoder.decode(jpeg)) {
            int[] size = Preprocessor.targetSize(full.width(), full.height(), 256);
            int cx = (int) Math.rint((size[0] - CROP) / 2.0);
            int cy = (int) Math.rint((size[1] - CROP) / 2.0);
            exact = PilResampler.resizeCrop(full.rgbBytes(), full.width(), full.height(), size[0], size[1], cx, cy,
                    CROP, CROP);
        }
        long best = Long.MAX_VALUE;
        byte[] fast = null;
        for (int round = 0; round < 3; round++) {
            long start = System.nanoTime();
            try (DecodedImage image = decoder.decode(jpeg, settings.resizeShorter())) {
                preprocessor.toTensor(image);
                best = Math.min(best, System.nanoTime() - start);
                fast = preprocessor.resizeAndCrop(image);
            }
        }
        double diff = 0;
        for (int i = 0; i < exact.length; i++) {
            diff += Math.abs((exact[i] & 0xFF) - (fast[i] & 0xFF));
        }
        diff /= exact.length;
        System.out.printf("4000x3000 JPEG (%d KiB): decode + preprocess %.1f ms; mean |fast - exact| = %.2f / 255%n",
                jpeg.length / 1024, best / 1e6, diff);
        assertThat(best / 1e6).isLessThan(400);
        assertThat(diff).isLessThan(2.0);
    }

    @Test
    void otherResamplingModesGiveTheSameShape() {
        try (DecodedImage image = rgbImage(TestImageFixtures.photoLike(500, 375, 4))) {
            for (Preprocessor.Resampling mode : Preprocessor.Resampling.values()) {
                assertThat(new Preprocessor(settings, mode).toTensor(image)).hasSize(3 * CROP * CROP);
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    /** R = x mod 256, G = y mod 256, B = 64 * (x / 256) + (y / 256): every pixel tells where it came from. */
    private static Mat positionCoded(int w, int h) {
        OpenCv.ensureLoaded();
        byte[] px = new byte[w * h * 3];
        for (int y = 0, i = 0; y < h; y++) {
            for (int x = 0; x < w; x++, i += 3) {
                px[i] = (byte) (64 * (x / 256) + (y / 256)); // B (OpenCV order)
                px[i + 1] = (byte) (y % 256); // G
                px[i + 2] = (byte) (x % 256); // R
            }
        }
        Mat m = new Mat(h, w, CvType.CV_8UC3);
        m.put(0, 0, px);
        return m;
    }

    private static void assertPosition(byte[] crop, int cx, int cy, int x, int y) {
        int i = (cy * CROP + cx) * 3;
        assertThat(crop[i] & 0xFF).as("R at crop (%d, %d)", cx, cy).isEqualTo(x % 256);
        assertThat(crop[i + 1] & 0xFF).as("G at crop (%d, %d)", cx, cy).isEqualTo(y % 256);
        assertThat(crop[i + 2] & 0xFF).as("B at crop (%d, %d)", cx, cy).isEqualTo(64 * (x / 256) + (y / 256));
    }

    /** Wraps a BGR Mat (as the fixtures make them) as a decoded RGB image. */
    static DecodedImage rgbImage(Mat bgr) {
        Mat rgb = new Mat();
        org.opencv.imgproc.Imgproc.cvtColor(bgr, rgb, org.opencv.imgproc.Imgproc.COLOR_BGR2RGB);
        bgr.release();
        return new DecodedImage(rgb, ImageFormat.PNG);
    }
}
