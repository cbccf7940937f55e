package com.listinglens.fuzz;

import com.listinglens.image.DecodedImage;
import com.listinglens.image.ImageDecoder;
import com.listinglens.image.ImageFormat;
import com.listinglens.image.ImageRejectedException;
import com.listinglens.image.ImageSettings;
import com.listinglens.image.MultiScale;
import java.util.List;

/**
 * Jazzer target for the decode path: header sniffing, structural checks, decoding (TurboJPEG and OpenCV for JPEG,
 * OpenCV for PNG/WebP/BMP, the JDK for GIF) and orientation, at the reduced scale the service asks for. Resizing and
 * normalising a decoded image into tensors reads no input bytes and is left to the unit tests (fuzzing it only
 * slowed the executions tenfold). The only accepted
 * outcome besides a decoded image is {@link ImageRejectedException} with a message; any other exception is a
 * finding, and a crash in native code kills the fuzzer (reported as a deadly signal).
 *
 * <p>The pixel limit is 4 MP instead of the service's 40 MP so that executions stay fast; every check runs the same.
 * Run by {@code FuzzTest} (short) and {@code bench/fuzz.sh} (long).
 */
public final class DecodeFuzz {

    private static ImageDecoder turbo;
    private static ImageDecoder opencv;
    private static MultiScale views;

    private DecodeFuzz() {}

    public static void fuzzerInitialize() {
        ImageSettings settings = ImageSettings.defaults().withMaxPixels(4_000_000, 12_000);
        turbo = new ImageDecoder(settings, ImageDecoder.JpegDecoding.AUTO);
        opencv = new ImageDecoder(settings, ImageDecoder.JpegDecoding.OPENCV);
        views = new MultiScale(settings, List.of(224, 320));
    }

    public static void fuzzerTestOneInput(byte[] data) {
        for (ImageDecoder decoder : new ImageDecoder[] {turbo, opencv}) {
            try (DecodedImage image = decoder.decode(data, views.decodeShorter())) {
                if (image.width() < 1 || image.height() < 1 || image.mat().channels() != 3) {
                    throw new IllegalStateException("decoded to " + image.width() + " x " + image.height() + " x "
                            + image.mat().channels());
                }
                if (image.format() != ImageFormat.JPEG) {
                    return; // only JPEGs take another path through the second decoder
                }
            } catch (ImageRejectedException e) {
                if (e.getMessage() == null || e.getMessage().isBlank()) {
                    throw new IllegalStateException("refusal without a message: " + e.reason(), e);
                }
                if (data.length < 3 || (data[0] & 0xFF) != 0xFF || (data[1] & 0xFF) != 0xD8) {
                    return; // refused before any JPEG-specific decoding: the second decoder would do the same
                }
            }
        }
    }
}
