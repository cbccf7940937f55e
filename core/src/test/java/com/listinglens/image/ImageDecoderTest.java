package com.listinglens.image;

import static com.listinglens.image.TestImageFixtures.BOTTOM_LEFT;
import static com.listinglens.image.TestImageFixtures.BOTTOM_RIGHT;
import static com.listinglens.image.TestImageFixtures.TOP_LEFT;
import static com.listinglens.image.TestImageFixtures.TOP_RIGHT;
import static com.listinglens.image.TestImageFixtures.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.listinglens.image.ImageRejectedException.Reason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.opencv.core.MatOfByte;
import org.opencv.imgcodecs.Imgcodecs;

class ImageDecoderTest {

    private final ImageDecoder decoder = new ImageDecoder(ImageSettings.defaults());

    @ParameterizedTest
    @CsvSource({
        "quadrants-96x64.jpg, JPEG, 12",
        "quadrants-96x64.png, PNG, 0",
        "quadrants-96x64-lossless.webp, WEBP, 0",
        "quadrants-96x64-lossy.webp, WEBP, 24"
    })
    void decodesEachFormatToRgb(String file, ImageFormat format, int tolerance) {
        try (DecodedImage image = decoder.decode(read(file))) {
            assertThat(image.format()).isEqualTo(format);
            assertThat(image.width()).isEqualTo(96);
            assertThat(image.height()).isEqualTo(64);
            assertThat(image.sourceWidth()).isEqualTo(96);
            // sample the middle of each quadrant: RGB order, not OpenCV's BGR
            assertPixel(image, 24, 16, TOP_LEFT, tolerance);
            assertPixel(image, 72, 16, TOP_RIGHT, tolerance);
            assertPixel(image, 24, 48, BOTTOM_LEFT, tolerance);
            assertPixel(image, 72, 48, BOTTOM_RIGHT, tolerance);
        }
    }

    @Test
    void honoursExifOrientation6() {
        try (DecodedImage image = decoder.decode(read("exif-orientation-6.jpg"))) {
            assertThat(image.width()).isEqualTo(64);
            assertThat(image.height()).isEqualTo(96);
            assertThat(image.sourceWidth()).isEqualTo(64);
            assertThat(image.sourceHeight()).isEqualTo(96);
            // rotated 90 degrees clockwise: the stored left column becomes the displayed top row
            assertPixel(image, 16, 24, BOTTOM_LEFT, 12);
            assertPixel(image, 48, 24, TOP_LEFT, 12);
            assertPixel(image, 16, 72, BOTTOM_RIGHT, 12);
            assertPixel(image, 48, 72, TOP_RIGHT, 12);
        }
    }

    /** Records what the bundled OpenCV does by itself, the reason the decoder switches it off and applies EXIF itself. */
    @Test
    void openCv49AppliesExifItselfWithImreadColor() {
        OpenCv.ensureLoaded();
        var raw = Imgcodecs.imdecode(new MatOfByte(read("exif-orientation-6.jpg")), Imgcodecs.IMREAD_COLOR);
        var ignored = Imgcodecs.imdecode(new MatOfByte(read("exif-orientation-6.jpg")),
                Imgcodecs.IMREAD_COLOR | Imgcodecs.IMREAD_IGNORE_ORIENTATION);
        assertThat(raw.cols()).isEqualTo(64);
        assertThat(ignored.cols()).isEqualTo(96);
        raw.release();
        ignored.release();
    }

    /** Every EXIF orientation gives the same pixels as PIL's exif_transpose, computed here on plain arrays. */
    @ParameterizedTest
    @CsvSource({"1", "2", "3", "4", "5", "6", "7", "8"})
    void allEightOrientations(int orientation) {
        byte[] plainJpeg = TestImageFixtures.encode(TestImageFixtures.photoLike(40, 24, 3), ".jpg",
                Imgcodecs.IMWRITE_JPEG_QUALITY, 95);
        byte[] stored;
        try (DecodedImage plain = decoder.decode(plainJpeg)) {
            stored = plain.rgbBytes();
        }
        try (DecodedImage image = decoder.decode(TestImageFixtures.insertExifOrientation(plainJpeg, orientation))) {
            boolean swap = orientation >= 5;
            assertThat(image.width()).isEqualTo(swap ? 24 : 40);
            assertThat(image.height()).isEqualTo(swap ? 40 : 24);
            assertThat(image.rgbBytes()).isEqualTo(expectedOrientation(stored, 40, 24, orientation));
        }
    }

    @Test
    void refusesEmptyTextTruncatedAndHugeWithTheRightReason() {
        assertRejected(new byte[0], Reason.EMPTY);
        assertRejected(null, Reason.EMPTY);
        assertRejected(read("empty.jpg"), Reason.EMPTY);
        assertRejected(read("not-an-image.txt"), Reason.UNSUPPORTED_FORMAT);
        assertRejected(read("truncated.jpg"), Reason.CORRUPT);
        assertRejected(read("png-claims-30000x30000.png"), Reason.TOO_MANY_PIXELS);
        byte[] png = read("quadrants-96x64.png");
        assertRejected(Arrays.copyOf(png, png.length - 20), Reason.CORRUPT);
        byte[] webp = read("quadrants-96x64-lossy.webp");
        assertRejected(Arrays.copyOf(webp, webp.length - 20), Reason.CORRUPT);
    }

    @Test
    void refusesTooManyBytesBeforeLookingAtThem() {
        ImageDecoder strict = new ImageDecoder(ImageSettings.defaults().withMaxBytes(500));
        assertThatThrownBy(() -> strict.decode(read("quadrants-96x64.jpg")))
                .isInstanceOfSatisfying(ImageRejectedException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE_BYTES);
                    assertThat(e.getMessage()).contains("MiB");
                });
        byte[] text = new byte[600]; // over the limit and not an image: the size is what is reported
        assertThatThrownBy(() -> strict.decode(text))
                .isInstanceOfSatisfying(ImageRejectedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE_BYTES));
    }

    @Test
    void refusesALongSideOverTheLimit() {
        ImageDecoder strict = new ImageDecoder(ImageSettings.defaults().withMaxPixels(40_000_000L, 90));
        assertRejectedBy(strict, read("quadrants-96x64.png"), Reason.TOO_MANY_PIXELS);
        byte[] wide = TestImageFixtures.patchPngSize(read("quadrants-96x64.png"), 12_001, 10);
        assertRejected(wide, Reason.TOO_MANY_PIXELS);
    }

    @Test
    void transparentPixelsBecomeWhite() {
        try (DecodedImage image = decoder.decode(read("transparent-red-disc.png"))) {
            assertPixel(image, 2, 2, new int[] {255, 255, 255}, 0);
            assertPixel(image, 48, 48, new int[] {220, 30, 30}, 0);
        }
    }

    @Test
    void decodesLargeJpegsAtAReducedScaleWhenAsked() {
        byte[] jpeg = TestImageFixtures.encode(TestImageFixtures.photoLike(2400, 1800, 5), ".jpg",
                Imgcodecs.IMWRITE_JPEG_QUALITY, 85);
        try (DecodedImage full = decoder.decode(jpeg);
                DecodedImage reduced = decoder.decode(jpeg, 256)) {
            assertThat(full.width()).isEqualTo(2400);
            assertThat(reduced.width()).isEqualTo(600); // 1800 / 4 = 450 >= 256 (margin 1), 1800 / 8 = 225 is not
            assertThat(reduced.height()).isEqualTo(450);
            assertThat(reduced.sourceWidth()).isEqualTo(2400);
            assertThat(reduced.sourceHeight()).isEqualTo(1800);
        }
        assertThat(ImageDecoder.reduction(new ImageHeader(ImageFormat.JPEG, 4000, 3000, false), 256)).isEqualTo(8);
        assertThat(ImageDecoder.reduction(new ImageHeader(ImageFormat.JPEG, 4000, 3000, false), 256, 2.0)).isEqualTo(4);
        assertThat(ImageDecoder.reduction(new ImageHeader(ImageFormat.JPEG, 348, 348, false), 256)).isEqualTo(1);
        // the margin: 1024 px for a 366-px target is not reduced at margin 2 (512 < 732), halved at margin 1 (512 >= 366)
        ImageHeader k1 = new ImageHeader(ImageFormat.JPEG, 1024, 1024, false);
        assertThat(ImageDecoder.reduction(k1, 366, 2.0)).isEqualTo(1);
        assertThat(ImageDecoder.reduction(k1, 366, 1.0)).isEqualTo(2);
        assertThat(ImageDecoder.reduction(new ImageHeader(ImageFormat.JPEG, 4000, 3000, false), 366, 1.0)).isEqualTo(8);
        assertThatThrownBy(() -> ImageSettings.defaults().withReducedDecodeMargin(0.5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void damagedBytesAreRefusedOrDecodedButNeverCrash() {
        byte[] jpeg = TestImageFixtures.encode(TestImageFixtures.photoLike(64, 48, 9), ".jpg",
                Imgcodecs.IMWRITE_JPEG_QUALITY, 90);
        byte[] png = TestImageFixtures.encode(TestImageFixtures.photoLike(64, 48, 9), ".png");
        Random random = new Random(11);
        int refused = 0;
        for (byte[] original : List.of(jpeg, png)) {
            for (int round = 0; round < 40; round++) {
                byte[] damaged = original.clone();
                for (int k = 0; k < 1 + random.nextInt(6); k++) {
                    damaged[random.nextInt(damaged.length)] = (byte) random.nextInt(256);
                }
                try (DecodedImage image = decoder.decode(damaged)) {
                    assertThat(image.width()).isPositive();
                } catch (ImageRejectedException e) {
                    refused++;
                    assertThat(e.getMessage()).isNotBlank();
                }
            }
        }
        assertThat(refused).isPositive();
    }

    @Test
    void isSafeToShareBetweenThreads() throws Exception {
        List<byte[]> inputs = List.of(read("quadrants-96x64.jpg"), read("quadrants-96x64.png"),
                read("quadrants-96x64-lossless.webp"), read("exif-orientation-6.jpg"));
        List<byte[]> expected = new ArrayList<>();
        for (byte[] in : inputs) {
            try (DecodedImage image = decoder.decode(in)) {
                expected.add(image.rgbBytes());
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(pool.submit(() -> {
                    for (int round = 0; round < 50; round++) {
                        for (int i = 0; i < inputs.size(); i++) {
                            try (DecodedImage image = decoder.decode(inputs.get(i))) {
                                if (!Arrays.equals(image.rgbBytes(), expected.get(i))) {
                                    return false;
                                }
                            }
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : results) {
                assertThat(f.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void closeReleasesTheMat() {
        DecodedImage image = decoder.decode(read("quadrants-96x64.png"));
        image.close();
        image.close();
        assertThat(image.isClosed()).isTrue();
        assertThatThrownBy(image::mat).isInstanceOf(IllegalStateException.class);
    }

    // ---------------------------------------------------------------- helpers

    private void assertRejected(byte[] bytes, Reason reason) {
        assertRejectedBy(decoder, bytes, reason);
    }

    private static void assertRejectedBy(ImageDecoder d, byte[] bytes, Reason reason) {
        assertThatThrownBy(() -> d.decode(bytes).close())
                .isInstanceOfSatisfying(ImageRejectedException.class, e -> {
                    assertThat(e.reason()).isEqualTo(reason);
                    assertThat(e.getMessage()).isNotBlank();
                });
    }

    static void assertPixel(DecodedImage image, int x, int y, int[] rgb, int tolerance) {
        double[] px = image.mat().get(y, x);
        for (int c = 0; c < 3; c++) {
            assertThat(px[c]).as("channel %d at (%d, %d)", c, x, y).isCloseTo(rgb[c], org.assertj.core.data.Offset.offset((double) tolerance));
        }
    }

    /** PIL's exif_transpose on an interleaved RGB array of {@code w x h}. */
    static byte[] expectedOrientation(byte[] src, int w, int h, int orientation) {
        boolean swap = orientation >= 5;
        int ow = swap ? h : w;
        int oh = swap ? w : h;
        byte[] out = new byte[src.length];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                int sx;
                int sy;
                switch (orientation) {
                    case 2 -> { sx = w - 1 - x; sy = y; }
                    case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }
                    case 4 -> { sx = x; sy = h - 1 - y; }
                    case 5 -> { sx = y; sy = x; } // transpose
                    case 6 -> { sx = y; sy = h - 1 - x; } // rotate 90 clockwise
                    case 7 -> { sx = w - 1 - y; sy = h - 1 - x; } // transverse
                    case 8 -> { sx = w - 1 - y; sy = x; } // rotate 90 counter-clockwise
                    default -> { sx = x; sy = y; }
                }
                System.arraycopy(src, (sy * w + sx) * 3, out, (y * ow + x) * 3, 3);
            }
        }
        return out;
    }
}
