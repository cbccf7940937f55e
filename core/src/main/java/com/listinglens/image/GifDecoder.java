package com.listinglens.image;

import com.listinglens.image.ImageRejectedException.Reason;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.opencv.core.CvType;
import org.opencv.core.Mat;

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
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        byte[] rgb = new byte[w * h * 3];
        for (int i = 0, p = 0; i < argb.length; i++, p += 3) {
            int c = argb[i];
            int a = c >>> 24;
            int r = (c >> 16) & 0xFF;
            int g = (c >> 8) & 0xFF;
            int b = c & 0xFF;
            if (a != 255) { // GIF transparency is all or nothing; composite anyway for any other value
                r = (r * a + 255 * (255 - a) + 127) / 255;
                g = (g * a + 255 * (255 - a) + 127) / 255;
                b = (b * a + 255 * (255 - a) + 127) / 255;
            }
            rgb[p] = (byte) r;
            rgb[p + 1] = (byte) g;
            rgb[p + 2] = (byte) b;
        }
        Mat mat = new Mat(h, w, CvType.CV_8UC3);
        mat.put(0, 0, rgb);
        return mat;
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
