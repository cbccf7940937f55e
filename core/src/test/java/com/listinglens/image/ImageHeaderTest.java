package com.listinglens.image;

import static com.listinglens.image.TestImageFixtures.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.listinglens.image.ImageRejectedException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ImageHeaderTest {

    @Test
    void readsJpegPngAndBothWebpFlavoursWithoutDecoding() {
        assertThat(ImageHeader.read(read("quadrants-96x64.jpg"))).isEqualTo(new ImageHeader(ImageFormat.JPEG, 96, 64, false));
        assertThat(ImageHeader.read(read("quadrants-96x64.png"))).isEqualTo(new ImageHeader(ImageFormat.PNG, 96, 64, false));
        assertThat(ImageHeader.read(read("quadrants-96x64-lossless.webp")))
                .isEqualTo(new ImageHeader(ImageFormat.WEBP, 96, 64, false)); // VP8L
        assertThat(ImageHeader.read(read("quadrants-96x64-lossy.webp")))
                .isEqualTo(new ImageHeader(ImageFormat.WEBP, 96, 64, false)); // VP8
        assertThat(ImageHeader.read(read("transparent-red-disc.png")).hasAlpha()).isTrue();
    }

    @Test
    void jpegHeaderIsTheStoredSizeEvenWithExifRotation() {
        assertThat(ImageHeader.read(read("exif-orientation-6.jpg"))).isEqualTo(new ImageHeader(ImageFormat.JPEG, 96, 64, false));
        assertThat(EncodedStructure.jpegExifOrientation(read("exif-orientation-6.jpg"))).isEqualTo(6);
        assertThat(EncodedStructure.jpegExifOrientation(read("quadrants-96x64.jpg"))).isEqualTo(1);
    }

    @Test
    void readsTheClaimedSizeOfAPatchedPng() {
        ImageHeader h = ImageHeader.read(read("png-claims-30000x30000.png"));
        assertThat(h.width()).isEqualTo(30_000);
        assertThat(h.height()).isEqualTo(30_000);
        assertThat(h.pixels()).isEqualTo(900_000_000L);
    }

    @Test
    void vp8xCanvasSizeAndAnimationFlag() {
        byte[] still = vp8x(0x10, 4000, 3000);
        assertThat(ImageHeader.read(still)).isEqualTo(new ImageHeader(ImageFormat.WEBP, 4000, 3000, true));
        assertThatThrownBy(() -> ImageHeader.read(vp8x(0x02, 10, 10)))
                .isInstanceOfSatisfying(ImageRejectedException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_FORMAT));
    }

    @Test
    void bmpAndGifSizesFromTheirHeaders() {
        assertThat(ImageHeader.read(read("variants/quadrants-24bit.bmp")))
                .isEqualTo(new ImageHeader(ImageFormat.BMP, 96, 64, false));
        assertThat(ImageHeader.read(read("variants/quadrants-top-down.bmp")))
                .isEqualTo(new ImageHeader(ImageFormat.BMP, 96, 64, false));
        assertThat(ImageHeader.read(read("variants/quadrants.gif")))
                .isEqualTo(new ImageHeader(ImageFormat.GIF, 96, 64, false));
        assertThat(ImageHeader.read(read("transparent-red-disc.gif")))
                .isEqualTo(new ImageHeader(ImageFormat.GIF, 96, 96, true));
    }

    @Test
    void refusesWhatIsNotAnImage() {
        assertReason(new byte[0], Reason.EMPTY);
        assertReason(read("empty.jpg"), Reason.EMPTY);
        assertReason(read("not-an-image.txt"), Reason.UNSUPPORTED_FORMAT);
        assertReason("GIF89a........".getBytes(StandardCharsets.ISO_8859_1), Reason.CORRUPT); // a GIF without an image
        assertReason("GIF90a........".getBytes(StandardCharsets.ISO_8859_1), Reason.UNSUPPORTED_FORMAT);
        assertReason(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF}, Reason.CORRUPT); // SOI and nothing else
        byte[] png = read("quadrants-96x64.png");
        byte[] badCrc = png.clone();
        badCrc[17] ^= 0x01; // width changed, CRC not
        assertReason(badCrc, Reason.CORRUPT);
        assertReason(Arrays.copyOf(png, 20), Reason.CORRUPT);
    }

    @Test
    void structureChecksSpotTruncationButAcceptTrailers() {
        byte[] jpeg = read("quadrants-96x64.jpg");
        assertThat(EncodedStructure.jpegHasEndOfImage(jpeg)).isTrue();
        assertThat(EncodedStructure.jpegHasEndOfImage(read("exif-orientation-6.jpg"))).isTrue();
        assertThat(EncodedStructure.jpegHasEndOfImage(read("truncated.jpg"))).isFalse();
        assertThat(EncodedStructure.jpegHasEndOfImage(Arrays.copyOf(jpeg, jpeg.length - 2))).isFalse();
        byte[] withTrailer = Arrays.copyOf(jpeg, jpeg.length + 100); // e.g. a camera's trailer after EOI
        assertThat(EncodedStructure.jpegHasEndOfImage(withTrailer)).isTrue();

        byte[] png = read("quadrants-96x64.png");
        assertThat(EncodedStructure.pngHasEnd(png)).isTrue();
        assertThat(EncodedStructure.pngHasEnd(Arrays.copyOf(png, png.length - 5))).isFalse();

        for (String webp : new String[] {"quadrants-96x64-lossless.webp", "quadrants-96x64-lossy.webp"}) {
            byte[] b = read(webp);
            assertThat(EncodedStructure.webpHasAllChunks(b)).as(webp).isTrue();
            assertThat(EncodedStructure.webpHasAllChunks(Arrays.copyOf(b, b.length - 10))).as(webp).isFalse();
        }
    }

    @Test
    void littleEndianExifIsReadToo() {
        byte[] jpeg = read("quadrants-96x64.jpg");
        byte[] big = TestImageFixtures.insertExifOrientation(jpeg, 8);
        assertThat(EncodedStructure.jpegExifOrientation(big)).isEqualTo(8);
        // rewrite the TIFF block as little-endian by hand
        byte[] le = big.clone();
        int tiff = indexOf(le, "MM".getBytes(StandardCharsets.ISO_8859_1));
        byte[] block = {'I', 'I', 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01, 0x00, 0x12, 0x01, 0x03, 0x00, 0x01, 0x00,
            0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
        System.arraycopy(block, 0, le, tiff, block.length);
        assertThat(EncodedStructure.jpegExifOrientation(le)).isEqualTo(3);
    }

    private static void assertReason(byte[] bytes, Reason reason) {
        assertThatThrownBy(() -> ImageHeader.read(bytes))
                .isInstanceOfSatisfying(ImageRejectedException.class, e -> {
                    assertThat(e.reason()).isEqualTo(reason);
                    assertThat(e.getMessage()).isNotBlank();
                });
    }

    private static byte[] vp8x(int flags, int w, int h) {
        byte[] b = new byte[30];
        System.arraycopy("RIFF".getBytes(StandardCharsets.ISO_8859_1), 0, b, 0, 4);
        b[4] = 22;
        System.arraycopy("WEBPVP8X".getBytes(StandardCharsets.ISO_8859_1), 0, b, 8, 8);
        b[16] = 10;
        b[20] = (byte) flags;
        int wm = w - 1;
        int hm = h - 1;
        b[24] = (byte) wm;
        b[25] = (byte) (wm >> 8);
        b[26] = (byte) (wm >> 16);
        b[27] = (byte) hm;
        b[28] = (byte) (hm >> 8);
        b[29] = (byte) (hm >> 16);
        return b;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
