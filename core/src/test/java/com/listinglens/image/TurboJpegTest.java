package com.listinglens.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;





import java.util.List;
import java.util.Random;




import org.junit.jupiter.api.Test;
import org.opencv.core.Mat;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/**
 * JPEG decoding through the system's TurboJPEG (bin/setup installs libturbojpeg0): the same pixels as OpenCV's own
 * decoder at every DCT scale, for baseline, progressive, 4:4:4 and grayscale JPEGs and EXIF rotations; CMYK left to
 * OpenCV; damaged files refused or decoded, never a crash; arguments checked before the C library sees them.
 */
class TurboJpegTest {

    private final ImageDecoder opencv = new ImageDecoder(ImageSettings.defaults(), ImageDecoder.JpegDecoding.OPENCV);
    private final ImageDecoder turbo = new ImageDecoder(ImageSettings.defaults(), ImageDecoder.JpegDecoding.TURBOJPEG);

    @Test
    void theSystemLibraryIsUsedByDefault() {
        assertThat(TurboJpeg.instance()).as("libturbojpeg.so.0 (%s)", TurboJpeg.loadFailure()).isPresent();
        assertThat(new ImageDecoder(ImageSettings.defaults()).jpegDecoder()).isEqualTo("turbojpeg");
        assertThat(opencv.jpegDecoder()).isEqualTo("opencv");
        assertThat(ImageDecoder.JpegDecoding.parse(" TurboJPEG ")).isEqualTo(ImageDecoder.JpegDecoding.TURBOJPEG);
        assertThatThrownBy(() -> ImageDecoder.JpegDecoding.parse("libjpeg")).hasMessageContaining("auto, turbojpeg or opencv");
    }

    @Test
    void decodesTheSamePixelsAsOpenCvAtEveryScale() {
        Mat photo = TestImageFixtures.photoLike(1333, 1001, 7); // odd sides: the scaled sizes round up
        Mat gray = new Mat();
        Imgproc.cvtColor(photo, gray, Imgproc.COLOR_BGR2GRAY);
        List<byte[]> jpegs = List.of(
                TestImageFixtures.encode(photo, ".jpg", Imgcodecs.IMWRITE_JPEG_QUALITY, 90),
                TestImageFixtures.encode(photo, ".jpg", Imgcodecs.IMWRITE_JPEG_QUALITY, 75, Imgcodecs.IMWRITE_JPEG_PROGRESSIVE, 1),
                TestImageFixtures.encode(photo, ".jpg", Imgcodecs.IMWRITE_JPEG_QUALITY, 95,
                        Imgcodecs.IMWRITE_JPEG_SAMPLING_FACTOR, Imgcodecs.IMWRITE_JPEG_SAMPLING_FACTOR_444),
                TestImageFixtures.encode(gray, ".jpg", Imgcodecs.IMWRITE_JPEG_QUALITY, 90),
                TestImageFixtures.insertExifOrientation(TestImageFixtures.encode(photo, ".jpg"), 6),
                TestImageFixtures.insertExifOrientation(TestImageFixtures.encode(photo, ".jpg"), 3),
                TestImageFixtures.read("quadrants-96x64.jpg"));
        gray.release();
        photo.release();
        int compared = 0;
        for (byte[] jpeg : jpegs) {
            for (int shorter : new int[] {0, 366, 200, 120, 40}) {
                try (DecodedImage a = opencv.decode(jpeg, shorter); DecodedImage b = turbo.decode(jpeg, shorter)) {
                    assertThat(b.width()).isEqualTo(a.width());
                    assertThat(b.height()).isEqualTo(a.height());
                    assertThat(b.sourceWidth()).isEqualTo(a.sourceWidth());
                    assertThat(b.rgbBytes()).as("pixels at shorter side %d", shorter).isEqualTo(a.rgbBytes());
                    compared++;
                }
            }
        }
        assertThat(compared).isEqualTo(jpegs.size() * 5);
    }

    @Test
    void leavesCmykToOpenCv() throws Exception {
        byte[] cmyk = TestImageFixtures.cmykJpeg(TestImageFixtures.photoLike(80, 60, 5));
        ImageHeader header = ImageHeader.read(cmyk);
        TurboJpeg.Result r = TurboJpeg.instance().orElseThrow().decode(cmyk, header.width(), header.height(), 1);
        assertThat(r.rgb()).isNull();
        assertThat(r.declined()).isEqualTo("CMYK JPEG");
        try (DecodedImage a = opencv.decode(cmyk); DecodedImage b = turbo.decode(cmyk)) {
            assertThat(b.width()).isEqualTo(80);
            assertThat(b.rgbBytes()).isEqualTo(a.rgbBytes());
        }
    }

    @Test
    void checksItsArgumentsBeforeTheLibrary() {
        TurboJpeg tj = TurboJpeg.instance().orElseThrow();
        byte[] jpeg = TestImageFixtures.read("quadrants-96x64.jpg");
        assertThatThrownBy(() -> tj.decode(jpeg, 96, 64, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tj.decode(jpeg, 0, 64, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> tj.decode(jpeg, 200_000, 200_000, 1)).isInstanceOf(IllegalArgumentException.class);
        // the caller's idea of the size must be the JPEG's own: no buffer is sized from a wrong header
        TurboJpeg.Result wrong = tj.decode(jpeg, 960, 640, 1);
        assertThat(wrong.rgb()).isNull();
        assertThat(wrong.declined()).contains("96 x 64");
        assertThat(tj.decode(new byte[] {1, 2}, 96, 64, 1).declined()).isNotBlank();
        assertThat(tj.decode("not a jpeg at all".getBytes(), 96, 64, 1).declined()).startsWith("header");
        TurboJpeg.Result ok = tj.decode(jpeg, 96, 64, 2);
        try {
            assertThat(ok.rgb().cols()).isEqualTo(48);
            assertThat(ok.rgb().rows()).isEqualTo(32);
        } finally {
            ok.rgb().release();
        }
    }

    @Test
    void damagedJpegsAreRefusedOrDecodedNeverACrash() {
        byte[] jpeg = TestImageFixtures.encode(TestImageFixtures.photoLike(160, 120, 3), ".jpg",
                Imgcodecs.IMWRITE_JPEG_QUALITY, 85);
        Random random = new Random(5);
        int decoded = 0;
        int refused = 0;
        for (int round = 0; round < 300; round++) {
            byte[] damaged = jpeg.clone();
            for (int k = 0; k < 1 + random.nextInt(8); k++) {
                damaged[2 + random.nextInt(damaged.length - 2)] = (byte) random.nextInt(256);
            }
            try (DecodedImage image = turbo.decode(damaged, round % 2 == 0 ? 0 : 40)) {
                assertThat(image.width()).isPositive();
                decoded++;
            } catch (ImageRejectedException e) {
                assertThat(e.getMessage()).isNotBlank();
                refused++;
            }
        }
        assertThat(decoded + refused).isEqualTo(300);
        assertThat(decoded).isPositive();
    }
}
