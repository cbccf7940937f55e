package com.listinglens.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import java.util.zip.CRC32;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.MatOfInt;
import org.opencv.core.Point;
import org.opencv.core.Scalar;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/**
 * Makes the image fixtures in {@code test-images/}: every one of them is generated here, none is a real photo.
 *
 * <p>Regenerate all of them with {@code bench/test-images.sh [DIR]} (the bench module's {@code TestImages}, from the
 * project root; DIR names another output folder). The bundled OpenCV encodes deterministically, so regenerating gives
 * the same bytes.
 */
public final class TestImageFixtures {

    /** Colours of the quadrant images, RGB. */
    public static final int[] TOP_LEFT = {230, 30, 30}; // red
    public static final int[] TOP_RIGHT = {30, 200, 30}; // green
    public static final int[] BOTTOM_LEFT = {30, 30, 230}; // blue
    public static final int[] BOTTOM_RIGHT = {240, 220, 20}; // yellow

    public static final int QUAD_W = 96;
    public static final int QUAD_H = 64;
    public static final int CLAIMED_SIDE = 30_000;

    private TestImageFixtures() {}

    /** File name to generator, in the order the README lists them. */
    public static Map<String, Supplier<byte[]>> all() {
        Map<String, Supplier<byte[]>> m = new LinkedHashMap<>();
        m.put("quadrants-96x64.jpg", () -> encode(quadrants(QUAD_W, QUAD_H), ".jpg", Imgcodecs.IMWRITE_JPEG_QUALITY, 95));
        m.put("quadrants-96x64.png", () -> encode(quadrants(QUAD_W, QUAD_H), ".png"));
        m.put("quadrants-96x64-lossless.webp",
                () -> encode(quadrants(QUAD_W, QUAD_H), ".webp", Imgcodecs.IMWRITE_WEBP_QUALITY, 101));
        m.put("quadrants-96x64-lossy.webp",
                () -> encode(quadrants(QUAD_W, QUAD_H), ".webp", Imgcodecs.IMWRITE_WEBP_QUALITY, 90));
        m.put("exif-orientation-6.jpg", TestImageFixtures::exifOrientation6);
        m.put("truncated.jpg", TestImageFixtures::truncatedJpeg);
        m.put("not-an-image.txt", () -> "This is a text file, not a photo.\n".getBytes(StandardCharsets.UTF_8));
        m.put("empty.jpg", () -> new byte[0]);
        m.put("png-claims-30000x30000.png", TestImageFixtures::pngClaimingHugeSize);
        m.put("red-square-on-white.png", () -> encode(squareOnBackground(128, 64, new int[] {210, 25, 35},
                new int[] {255, 255, 255}), ".png"));
        m.put("transparent-red-disc.png", TestImageFixtures::transparentDisc);
        m.put("transparent-red-disc.gif", TestImageFixtures::transparentGif);
        // the other ways a phone, a scanner or an editor stores the quadrants: see VARIANTS
        for (Variant v : VARIANTS) {
            m.put(v.file(), v.bytes());
        }
        for (int o = 1; o <= 8; o++) {
            int orientation = o;
            m.put("exif/orientation-" + o + ".jpg", () -> insertExifOrientation(
                    encode(quadrants(QUAD_W, QUAD_H), ".jpg", Imgcodecs.IMWRITE_JPEG_QUALITY, 95), orientation));
        }
        for (HostileUploads.Case c : HostileUploads.all()) {
            m.put("hostile/" + c.file(), c.bytes());
        }
        return m;
    }

    /**
     * A supported but less common encoding of the 96 x 64 quadrants.
     *
     * @param tolerance how far from the quadrant colours decoded pixels may be (lossy encodings, CMYK round trips)
     * @param grey whether only the luma survives (compare against the quadrants' grey values)
     */
    public record Variant(String file, ImageFormat format, int tolerance, boolean grey, Supplier<byte[]> bytes) {}

    public static final List<Variant> VARIANTS = List.of(
            new Variant("variants/quadrants-cmyk.jpg", ImageFormat.JPEG, 14, false, () -> cmykJpeg(quadrants(QUAD_W, QUAD_H))),
            new Variant("variants/quadrants-grey.jpg", ImageFormat.JPEG, 6, true,
                    () -> encode(grey(quadrants(QUAD_W, QUAD_H)), ".jpg", Imgcodecs.IMWRITE_JPEG_QUALITY, 95)),
            new Variant("variants/quadrants-progressive.jpg", ImageFormat.JPEG, 12, false,
                    () -> encode(quadrants(QUAD_W, QUAD_H), ".jpg", Imgcodecs.IMWRITE_JPEG_QUALITY, 95,
                            Imgcodecs.IMWRITE_JPEG_PROGRESSIVE, 1)),
            new Variant("variants/quadrants-grey.png", ImageFormat.PNG, 0, true,
                    () -> encode(grey(quadrants(QUAD_W, QUAD_H)), ".png")),
            new Variant("variants/quadrants-16bit.png", ImageFormat.PNG, 0, false,
                    () -> encode(sixteenBit(quadrants(QUAD_W, QUAD_H)), ".png")),
            new Variant("variants/quadrants-grey-16bit.png", ImageFormat.PNG, 0, true,
                    () -> encode(sixteenBit(grey(quadrants(QUAD_W, QUAD_H))), ".png")),
            new Variant("variants/quadrants-opaque-alpha.png", ImageFormat.PNG, 0, false,
                    () -> encode(withOpaqueAlpha(quadrants(QUAD_W, QUAD_H)), ".png")),
            new Variant("variants/quadrants-alpha-lossless.webp", ImageFormat.WEBP, 0, false,
                    () -> encode(withOpaqueAlpha(quadrants(QUAD_W, QUAD_H)), ".webp", Imgcodecs.IMWRITE_WEBP_QUALITY, 101)),
            new Variant("variants/quadrants-24bit.bmp", ImageFormat.BMP, 0, false, () -> encode(quadrants(QUAD_W, QUAD_H), ".bmp")),
            new Variant("variants/quadrants-8bit-grey.bmp", ImageFormat.BMP, 0, true,
                    () -> encode(grey(quadrants(QUAD_W, QUAD_H)), ".bmp")),
            new Variant("variants/quadrants-top-down.bmp", ImageFormat.BMP, 0, false,
                    () -> topDownBmp(encode(quadrants(QUAD_W, QUAD_H), ".bmp"))),
            new Variant("variants/quadrants.gif", ImageFormat.GIF, 0, false, () -> gif(quadrantsImage(), null)),
            new Variant("variants/quadrants-animated.gif", ImageFormat.GIF, 0, false,
                    () -> gif(quadrantsImage(), solidImage(QUAD_W, QUAD_H, 0x000000))));

    /** Grey value of an RGB colour as OpenCV's BGR2GRAY computes it. */
    public static int greyOf(int[] rgb) {
        return (int) Math.round(0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]);
    }

    /** The committed fixture from {@code test-images/} (relative to the working directory, i.e. the project root). */
    public static byte[] read(String name) {
        Path file = fixtureDir().resolve(name);
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("fixture " + file.toAbsolutePath() + " missing: run bench/test-images.sh", e);
        }
    }

    public static Path fixtureDir() {
        return Path.of(System.getProperty("lens.test-images", com.listinglens.support.Root.path().resolve("test-images").toString()));
    }

    // ---------------------------------------------------------------- images (BGR Mats, as OpenCV encodes them)

    /** Four flat quadrants, see {@link #TOP_LEFT} etc. */
    public static Mat quadrants(int w, int h) {
        OpenCv.ensureLoaded();
        Mat m = new Mat(h, w, CvType.CV_8UC3);
        fill(m, 0, 0, w / 2, h / 2, TOP_LEFT);
        fill(m, w / 2, 0, w, h / 2, TOP_RIGHT);
        fill(m, 0, h / 2, w / 2, h, BOTTOM_LEFT);
        fill(m, w / 2, h / 2, w, h, BOTTOM_RIGHT);
        return m;
    }

    /** A centred square of {@code squareSide} in {@code fg} on a {@code side x side} {@code bg}. RGB colours. */
    public static Mat squareOnBackground(int side, int squareSide, int[] fg, int[] bg) {
        OpenCv.ensureLoaded();
        Mat m = new Mat(side, side, CvType.CV_8UC3, bgr(bg));
        int o = (side - squareSide) / 2;
        fill(m, o, o, o + squareSide, o + squareSide, fg);
        return m;
    }

    /** A solid {@code w x h} image of one RGB colour. */
    public static Mat solid(int w, int h, int[] rgb) {
        OpenCv.ensureLoaded();
        return new Mat(h, w, CvType.CV_8UC3, bgr(rgb));
    }

    /** Smooth gradients plus seeded noise: compresses like a photo, so a JPEG of it has real entropy-coded data. */
    public static Mat photoLike(int w, int h, long seed) {
        OpenCv.ensureLoaded();
        Random random = new Random(seed);
        byte[] px = new byte[w * h * 3];
        for (int y = 0, i = 0; y < h; y++) {
            for (int x = 0; x < w; x++, i += 3) {
                int n = random.nextInt(24) - 12;
                px[i] = (byte) clamp(255 * x / w + n); // B
                px[i + 1] = (byte) clamp(255 * y / h + n); // G
                px[i + 2] = (byte) clamp(128 + (int) (100 * Math.sin((x + y) / 17.0)) + n); // R
            }
        }
        Mat m = new Mat(h, w, CvType.CV_8UC3);
        m.put(0, 0, px);
        return m;
    }

    // ---------------------------------------------------------------- byte-level fixtures

    /**
     * The 96 x 64 quadrant JPEG with an EXIF APP1 segment (big-endian TIFF, IFD0 with Orientation = 6, "rotate 90
     * degrees clockwise to display") inserted after the JFIF APP0 segment. Displayed, it is 64 x 96 with blue top
     * left, red top right, yellow bottom left and green bottom right.
     */
    static byte[] exifOrientation6() {
        byte[] jpeg = encode(quadrants(QUAD_W, QUAD_H), ".jpg", Imgcodecs.IMWRITE_JPEG_QUALITY, 95);
        return insertExifOrientation(jpeg, 6);
    }

    public static byte[] insertExifOrientation(byte[] jpeg, int orientation) {
        ByteArrayOutputStream app1 = new ByteArrayOutputStream();
        byte[] tiff = {
            'M', 'M', 0x00, 0x2A, 0x00, 0x00, 0x00, 0x08, // header, IFD0 at offset 8
            0x00, 0x01, // one entry
            0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, (byte) orientation, 0x00, 0x00, // Orientation, SHORT
            0x00, 0x00, 0x00, 0x00 // no next IFD
        };
        int length = 2 + 6 + tiff.length;
        app1.write(0xFF);
        app1.write(0xE1);
        app1.write(length >> 8);
        app1.write(length & 0xFF);
        app1.writeBytes("Exif\0\0".getBytes(StandardCharsets.ISO_8859_1));
        app1.writeBytes(tiff);
        int at = 2;
        if ((jpeg[2] & 0xFF) == 0xFF && (jpeg[3] & 0xFF) == 0xE0) { // keep JFIF APP0 first
            at = 4 + (((jpeg[4] & 0xFF) << 8) | (jpeg[5] & 0xFF));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, at);
        out.writeBytes(app1.toByteArray());
        out.write(jpeg, at, jpeg.length - at);
        return out.toByteArray();
    }

    /** A 320 x 240 photo-like JPEG cut after 55 % of its bytes (in the middle of its entropy-coded data). */
    static byte[] truncatedJpeg() {
        byte[] full = encode(photoLike(320, 240, 7), ".jpg", Imgcodecs.IMWRITE_JPEG_QUALITY, 90);
        return java.util.Arrays.copyOf(full, full.length * 55 / 100);
    }

    /** A valid 8 x 8 PNG whose IHDR is patched to claim 30000 x 30000 pixels, with the IHDR CRC recomputed. */
    static byte[] pngClaimingHugeSize() {
        byte[] png = encode(solid(8, 8, new int[] {128, 128, 128}), ".png");
        return patchPngSize(png, CLAIMED_SIDE, CLAIMED_SIDE);
    }

    public static byte[] patchPngSize(byte[] png, int width, int height) {
        byte[] out = png.clone();
        putU32(out, 16, width);
        putU32(out, 20, height);
        CRC32 crc = new CRC32();
        crc.update(out, 12, 17); // "IHDR" + 13 data bytes
        putU32(out, 29, (int) crc.getValue());
        return out;
    }

    /** 96 x 96 RGBA PNG: a red disc (radius 30) on fully transparent black; decoded over white the corners are white. */
    static byte[] transparentDisc() {
        OpenCv.ensureLoaded();
        Mat m = new Mat(96, 96, CvType.CV_8UC4, new Scalar(0, 0, 0, 0));
        Imgproc.circle(m, new Point(48, 48), 30, new Scalar(30, 30, 220, 255), -1, Imgproc.LINE_8);
        return encode(m, ".png");
    }

    /** Pixels with their rows stored top-down: the BMP's height negated and its rows reversed. */
    static byte[] topDownBmp(byte[] bmp) {
        byte[] out = bmp.clone();
        int offset = u32le(bmp, 10);
        int w = u32le(bmp, 18);
        int h = u32le(bmp, 22);
        int bpp = ((bmp[29] & 0xFF) << 8) | (bmp[28] & 0xFF);
        int stride = ((bpp * w + 31) / 32) * 4;
        for (int y = 0; y < h; y++) {
            System.arraycopy(bmp, offset + y * stride, out, offset + (h - 1 - y) * stride, stride);
        }
        putU32le(out, 22, -h);
        return out;
    }

    /** A four-component (CMYK, as Adobe writes: not inverted) JPEG of an RGB Mat, by the JDK's encoder. */
    public static byte[] cmykJpeg(Mat bgr) {
        int w = bgr.cols();
        int h = bgr.rows();
        byte[] px = new byte[w * h * 3];
        bgr.get(0, 0, px);
        java.awt.image.WritableRaster raster = java.awt.image.Raster.createInterleavedRaster(
                java.awt.image.DataBuffer.TYPE_BYTE, w, h, 4, null);
        for (int y = 0, i = 0; y < h; y++) {
            for (int x = 0; x < w; x++, i += 3) {
                int b = px[i] & 0xFF;
                int g = px[i + 1] & 0xFF;
                int r = px[i + 2] & 0xFF;
                int k = 255 - Math.max(r, Math.max(g, b));
                int c = k == 255 ? 0 : (255 - r - k) * 255 / (255 - k);
                int mg = k == 255 ? 0 : (255 - g - k) * 255 / (255 - k);
                int yl = k == 255 ? 0 : (255 - b - k) * 255 / (255 - k);
                // libjpeg reads 4-component JPEGs without an Adobe marker as inverted CMYK (Photoshop's habit)
                raster.setPixel(x, y, new int[] {255 - c, 255 - mg, 255 - yl, 255 - k});
            }
        }
        javax.imageio.ImageWriter writer = javax.imageio.ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (javax.imageio.stream.ImageOutputStream ios = javax.imageio.ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            javax.imageio.ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(javax.imageio.ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(0.95f);
            writer.write(null, new javax.imageio.IIOImage(raster, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /** The quadrants as a Java image (for the JDK's GIF writer). */
    static java.awt.image.BufferedImage quadrantsImage() {
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(QUAD_W, QUAD_H,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < QUAD_H; y++) {
            for (int x = 0; x < QUAD_W; x++) {
                int[] c = y < QUAD_H / 2 ? (x < QUAD_W / 2 ? TOP_LEFT : TOP_RIGHT) : (x < QUAD_W / 2 ? BOTTOM_LEFT : BOTTOM_RIGHT);
                img.setRGB(x, y, (c[0] << 16) | (c[1] << 8) | c[2]);
            }
        }
        return img;
    }

    static java.awt.image.BufferedImage solidImage(int w, int h, int rgb) {
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(w, h, java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }

    /** A GIF of {@code first}, and of {@code second} as a second frame when not null (an animated GIF). */
    static byte[] gif(java.awt.image.BufferedImage first, java.awt.image.BufferedImage second) {
        javax.imageio.ImageWriter writer = javax.imageio.ImageIO.getImageWritersByFormatName("gif").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (javax.imageio.stream.ImageOutputStream ios = javax.imageio.ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            writer.prepareWriteSequence(null);
            writer.writeToSequence(new javax.imageio.IIOImage(first, null, null), null);
            if (second != null) {
                writer.writeToSequence(new javax.imageio.IIOImage(second, null, null), null);
            }
            writer.endWriteSequence();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /** A 96 x 96 GIF: a red disc (radius 30) on transparent pixels (palette index 0, flagged transparent). */
    static byte[] transparentGif() {
        byte[] r = {0, (byte) 220};
        byte[] g = {0, 30};
        byte[] b = {0, 30};
        java.awt.image.IndexColorModel cm = new java.awt.image.IndexColorModel(1, 2, r, g, b, 0);
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(96, 96,
                java.awt.image.BufferedImage.TYPE_BYTE_BINARY, cm);
        for (int y = 0; y < 96; y++) {
            for (int x = 0; x < 96; x++) {
                boolean in = (x - 48) * (x - 48) + (y - 48) * (y - 48) <= 30 * 30;
                img.getRaster().setSample(x, y, 0, in ? 1 : 0);
            }
        }
        return gif(img, null);
    }

    static Mat grey(Mat bgr) {
        Mat g = new Mat();
        Imgproc.cvtColor(bgr, g, Imgproc.COLOR_BGR2GRAY);
        return g;
    }

    static Mat sixteenBit(Mat m) {
        Mat out = new Mat();
        m.convertTo(out, m.channels() == 1 ? CvType.CV_16UC1 : CvType.CV_16UC3, 257.0);
        return out;
    }

    static Mat withOpaqueAlpha(Mat bgr) {
        Mat out = new Mat();
        Imgproc.cvtColor(bgr, out, Imgproc.COLOR_BGR2BGRA);
        return out;
    }

    // ---------------------------------------------------------------- helpers

    public static byte[] encode(Mat bgr, String ext, int... params) {
        OpenCv.ensureLoaded();
        MatOfByte buf = new MatOfByte();
        MatOfInt p = new MatOfInt(params);
        if (!Imgcodecs.imencode(ext, bgr, buf, p)) {
            throw new IllegalStateException("OpenCV could not encode " + ext);
        }
        byte[] bytes = buf.toArray();
        buf.release();
        p.release();
        return bytes;
    }

    private static void fill(Mat m, int x0, int y0, int x1, int y1, int[] rgb) {
        Mat roi = m.submat(y0, y1, x0, x1);
        roi.setTo(bgr(rgb));
        roi.release();
    }

    private static Scalar bgr(int[] rgb) {
        return new Scalar(rgb[2], rgb[1], rgb[0]);
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    static int u32le(byte[] b, int i) {
        return (b[i] & 0xFF) | ((b[i + 1] & 0xFF) << 8) | ((b[i + 2] & 0xFF) << 16) | ((b[i + 3] & 0xFF) << 24);
    }

    static void putU32le(byte[] b, int i, int v) {
        b[i] = (byte) v;
        b[i + 1] = (byte) (v >>> 8);
        b[i + 2] = (byte) (v >>> 16);
        b[i + 3] = (byte) (v >>> 24);
    }

    static void putU32(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 24);
        b[i + 1] = (byte) (v >>> 16);
        b[i + 2] = (byte) (v >>> 8);
        b[i + 3] = (byte) v;
    }
}
