package com.listinglens.image;

import com.listinglens.image.ImageRejectedException.Reason;
import org.opencv.core.CvType;
import org.opencv.core.Mat;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * The first frame of a GIF, read by the JDK's GIF reader (OpenCV 4.9 has no GIF codec) into an RGB Mat, transparent
 * pixels composited over white as for PNG and WebP. The reader is pure Java, so a hostile file can at worst throw;
 * every failure is a CORRUPT refusal. Size limits are checked from the header before this runs.
 */
final class GifDecoder {

    private GifDecoder() {}

    static Mat decodeFirstFrame(byte[] bytes, ImageHeader header) {
        BufferedImage image = read(bytes);
        if (image.getWidth() != header.width() || image.getHeight() != header.height()) {
            throw new ImageRejectedException(Reason.CORRUPT, "The GIF decoded to " + image.getWidth() + " x "
                    + image.getHeight() + " pixels although its first image descriptor says " + header.width()
                    + " x " + header.height() + ".");
        }
        int w = image.getWidth();
        int h = image.getHeight();
        // row by row from the reader's raster (1 byte per pixel for GIF's indexed image) into the Mat: no full-frame
        // int[] of ARGB and no second full-frame byte[] (what those cost: docs/benchmarks.md#large-decodes)
        Mat mat = new Mat(h, w, CvType.CV_8UC3);
        try {
            byte[] row = new byte[w * 3];
            Raster raster = image.getRaster();
            ColorModel model = image.getColorModel();
            if (model instanceof IndexColorModel palette && raster.getNumBands() == 1) {
                int size = palette.getMapSize();
                byte[] lut = new byte[size * 3];
                for (int i = 0; i < size; i++) {
                    int[] px = composite(palette.getRGB(i));
                    lut[3 * i] = (byte) px[0];
                    lut[3 * i + 1] = (byte) px[1];
                    lut[3 * i + 2] = (byte) px[2];
                }
                int[] indices = new int[w];
                for (int y = 0; y < h; y++) {
                    raster.getSamples(0, y, w, 1, 0, indices);
                    for (int x = 0, p = 0; x < w; x++, p += 3) {
                        int i = Math.min(indices[x], size - 1) * 3;
                        row[p] = lut[i];
                        row[p + 1] = lut[i + 1];
                        row[p + 2] = lut[i + 2];
                    }
                    mat.put(y, 0, row);
                }
            } else {
                int[] argb = new int[w];
                for (int y = 0; y < h; y++) {
                    image.getRGB(0, y, w, 1, argb, 0, w);
                    for (int x = 0, p = 0; x < w; x++, p += 3) {
                        int[] px = composite(argb[x]);
                        row[p] = (byte) px[0];
                        row[p + 1] = (byte) px[1];
                        row[p + 2] = (byte) px[2];
                    }
                    mat.put(y, 0, row);
                }
            }
            return mat;
        } catch (RuntimeException e) {
            mat.release();
            throw e;
        }
    }

    /** An ARGB colour composited over white: r, g, b. */
    private static int[] composite(int c) {
        int a = c >>> 24;
        int r = (c >> 16) & 0xFF;
        int g = (c >> 8) & 0xFF;
        int b = c & 0xFF;
        if (a != 255) { // GIF transparency is all or nothing; composite anyway for any other value
            r = (r * a + 255 * (255 - a) + 127) / 255;
            g = (g * a + 255 * (255 - a) + 127) / 255;
            b = (b * a + 255 * (255 - a) + 127) / 255;
        }
        return new int[]{r, g, b};
    }

    private static BufferedImage read(byte[] bytes) {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName("gif");
        if (!readers.hasNext()) {
            throw new IllegalStateException("this JDK has no GIF reader (javax.imageio)");
        }
        ImageReader reader = readers.next();
        // a memory-cached stream: ImageIO.createImageInputStream could spill to a temporary file
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            reader.setInput(in, true, true);
            BufferedImage image = reader.read(0);
            if (image == null) {
                throw new ImageRejectedException(Reason.CORRUPT, "The GIF has no readable first frame.");
            }
            return image;
        } catch (IOException | RuntimeException e) {
            if (e instanceof ImageRejectedException r) {
                throw r;
            }
            throw new ImageRejectedException(Reason.CORRUPT, "The GIF file could not be decoded.", e);
        } finally {
            reader.dispose();
        }
    }
}
