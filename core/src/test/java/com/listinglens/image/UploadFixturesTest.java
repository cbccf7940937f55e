package com.listinglens.image;

import static com.listinglens.image.TestImageFixtures.BOTTOM_LEFT;
import static com.listinglens.image.TestImageFixtures.BOTTOM_RIGHT;
import static com.listinglens.image.TestImageFixtures.TOP_LEFT;
import static com.listinglens.image.TestImageFixtures.TOP_RIGHT;
import static com.listinglens.image.TestImageFixtures.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every file in {@code test-images/}: it is what {@link TestImageFixtures} generates, and each one is decoded (the
 * variants, the EXIF orientations) or refused with its reason (the hostile uploads) by the decoder, with TurboJPEG
 * and with OpenCV alone.
 */
class UploadFixturesTest {

    private final ImageDecoder decoder = new ImageDecoder(ImageSettings.defaults());
    private final ImageDecoder opencv = new ImageDecoder(ImageSettings.defaults(), ImageDecoder.JpegDecoding.OPENCV);

    static Stream<Arguments> fixtures() {
        return TestImageFixtures.all().entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void committedFixtureIsWhatTheGeneratorMakes(String file, Supplier<byte[]> generator) {
        assertThat(read(file)).as("test-images/%s is stale: run bench/test-images.sh", file).isEqualTo(generator.get());
    }

    @Test
    void atLeastThirtyKindsOfHostileUpload() {
        assertThat(HostileUploads.all()).hasSizeGreaterThanOrEqualTo(30);
        assertThat(HostileUploads.all().stream().map(HostileUploads.Case::file).distinct()).hasSameSizeAs(HostileUploads.all());
    }

    static Stream<HostileUploads.Case> hostile() {
        return HostileUploads.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void hostileUploadIsRefusedWithItsReason(HostileUploads.Case c) {
        byte[] bytes = read("hostile/" + c.file());
        for (ImageDecoder d : new ImageDecoder[] {decoder, opencv}) {
            assertThatThrownBy(() -> d.decode(bytes, 256).close())
                    .as("%s (%s) via %s", c.file(), c.what(), d.jpegDecoder())
                    .isInstanceOfSatisfying(ImageRejectedException.class, e -> {
                        assertThat(e.reason()).as(c.file() + ": " + e.getMessage()).isEqualTo(c.reason());
                        assertThat(e.getMessage()).isNotBlank();
                    });
        }
    }

    static Stream<TestImageFixtures.Variant> variants() {
        return TestImageFixtures.VARIANTS.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void variantDecodesToTheQuadrants(TestImageFixtures.Variant v) {
        byte[] bytes = read(v.file());
        for (ImageDecoder d : new ImageDecoder[] {decoder, opencv}) {
            try (DecodedImage image = d.decode(bytes)) {
                assertThat(image.format()).isEqualTo(v.format());
                assertThat(image.width()).isEqualTo(TestImageFixtures.QUAD_W);
                assertThat(image.height()).isEqualTo(TestImageFixtures.QUAD_H);
                assertThat(image.mat().channels()).isEqualTo(3);
                Map<int[], int[]> at = Map.of(new int[] {24, 16}, TOP_LEFT, new int[] {72, 16}, TOP_RIGHT,
                        new int[] {24, 48}, BOTTOM_LEFT, new int[] {72, 48}, BOTTOM_RIGHT);
                at.forEach((xy, rgb) -> {
                    int[] expected = v.grey() ? greyRgb(rgb) : rgb;
                    ImageDecoderTest.assertPixel(image, xy[0], xy[1], expected, v.tolerance());
                });
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void exifOrientationFileIsDisplayedUpright(int orientation) {
        byte[] upright;
        try (DecodedImage plain = decoder.decode(read("exif/orientation-1.jpg"))) {
            upright = plain.rgbBytes();
        }
        try (DecodedImage image = decoder.decode(read("exif/orientation-" + orientation + ".jpg"))) {
            boolean swap = orientation >= 5;
            assertThat(image.width()).isEqualTo(swap ? TestImageFixtures.QUAD_H : TestImageFixtures.QUAD_W);
            assertThat(image.rgbBytes()).isEqualTo(ImageDecoderTest.expectedOrientation(upright,
                    TestImageFixtures.QUAD_W, TestImageFixtures.QUAD_H, orientation));
        }
    }

    @Test
    void transparentGifPixelsBecomeWhite() {
        try (DecodedImage image = decoder.decode(read("transparent-red-disc.gif"))) {
            assertThat(image.format()).isEqualTo(ImageFormat.GIF);
            ImageDecoderTest.assertPixel(image, 2, 2, new int[] {255, 255, 255}, 0);
            ImageDecoderTest.assertPixel(image, 48, 48, new int[] {220, 30, 30}, 0);
        }
    }

    @Test
    void animatedGifGivesItsFirstFrame() {
        ImageHeader header = ImageHeader.read(read("variants/quadrants-animated.gif"));
        assertThat(header.format()).isEqualTo(ImageFormat.GIF);
        assertThat(header.width()).isEqualTo(TestImageFixtures.QUAD_W);
    }

    private static int[] greyRgb(int[] rgb) {
        int g = TestImageFixtures.greyOf(rgb);
        return new int[] {g, g, g};
    }
}
