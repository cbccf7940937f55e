package com.listinglens.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
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
 * <p>Regenerate all of them with {@code ./mvnw -B -q -DskipNative=true test-compile exec:java
 * -Dexec.mainClass=com.listinglens.image.TestImageFixtures -Dexec.classpathScope=test} (add
 * {@code -Dexec.args=DIR} to write elsewhere) or by running {@link #main}
 * from an IDE with the project root as working directory; an argument names another output folder. The bundled
 * OpenCV encodes deterministically, so regenerating gives the same bytes.
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
        return m;
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "test-images");
        Files.createDirectories(dir);
        for (Map.Entry<String, Supplier<byte[]>> e : all().entrySet()) {
            byte[] bytes = e.getValue().get();
            Files.write(dir.resolve(e.getKey()), bytes);
            System.out.printf("%-32s %7d bytes%n", e.getKey(), bytes.length);
        }
    }

    /** The committed fixture from {@code test-images/} (relative to the working directory, i.e. the project root). */
    public static byte[] read(String name) {
        Path file = fixtureDir().resolve(name);
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("fixture " + file.toAbsolutePath() + " missing: run TestImageFixtures.main", e);
        }
    }

    public static Path fixtureDir() {
        return Path.of(System.getProperty("lens.test-images", "test-images"));
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

    private static void putU32(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 24);
        b[i + 1] = (byte) (v >>> 16);
        b[i + 2] = (byte) (v >>> 8);
        b[i + 3] = (byte) v;
    }
}
