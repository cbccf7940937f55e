package com.listinglens.image;

import static com.listinglens.image.TestImageFixtures.encode;
import static com.listinglens.image.TestImageFixtures.photoLike;

import com.listinglens.image.ImageRejectedException.Reason;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import java.util.zip.CRC32;
import org.opencv.imgcodecs.Imgcodecs;

/**
 * Uploads that must be refused: damaged, cut off, lying about their size, or not a supported format. Written to
 * {@code test-images/hostile/} with the other fixtures ({@link TestImageFixtures#all}, {@code bench/test-images.sh},
 * which also prints the table of test-images/README.md); each carries the refusal it must get from the decoder and
 * the HTTP status the service answers with ({@code ImageDecoderTest}, {@code HostileUploadTest}).
 * Every one starts from a small valid file made here and breaks one thing, so each tests one check.
 */
public final class HostileUploads {

    /**
     * One hostile upload.
     *
     * @param file name under {@code test-images/hostile/}
     * @param reason the decoder's refusal
     * @param what what is wrong with it, for the README and failure messages
     */
    public record Case(String file, Reason reason, String what, Supplier<byte[]> bytes) {

        /** The HTTP status this refusal maps to (ProblemMapper). */
        public int status() {
            return switch (reason) {
                case EMPTY -> 400;
                case UNSUPPORTED_FORMAT -> 415;
                case TOO_LARGE_BYTES, TOO_MANY_PIXELS -> 413;
                case CORRUPT -> 422;
            };
        }

        /** The problem type's last part. */
        public String slug() {
            return "photo-" + reason.name().toLowerCase().replace('_', '-');
        }
    }

    private HostileUploads() {}

    public static List<Case> all() {
        List<Case> c = new ArrayList<>();
        // ------------------------------------------------------------ not a photo we accept
        c.add(new Case("empty.jpg", Reason.EMPTY, "0 bytes", () -> new byte[0]));
        c.add(new Case("text.jpg", Reason.UNSUPPORTED_FORMAT, "a line of text named .jpg", () -> ascii("not a photo at all\n")));
        c.add(new Case("photo.heic", Reason.UNSUPPORTED_FORMAT, "an ISO-BMFF 'ftyp heic' box, as iPhones save", () -> isoBmff("heic")));
        c.add(new Case("photo.avif", Reason.UNSUPPORTED_FORMAT, "an ISO-BMFF 'ftyp avif' box", () -> isoBmff("avif")));
        c.add(new Case("clip.mp4", Reason.UNSUPPORTED_FORMAT, "an ISO-BMFF 'ftyp isom' box (video)", () -> isoBmff("isom")));
        c.add(new Case("scan.tif", Reason.UNSUPPORTED_FORMAT, "a little-endian TIFF header", () -> concat(ascii("II*\0"), new byte[60])));
        c.add(new Case("invoice.pdf", Reason.UNSUPPORTED_FORMAT, "a PDF header", () -> ascii("%PDF-1.7\n%\u00e2\u00e3\n1 0 obj\n<<>>\nendobj\n")));
        c.add(new Case("logo.svg", Reason.UNSUPPORTED_FORMAT, "an SVG document", () -> ascii("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>")));
        c.add(new Case("photos.zip", Reason.UNSUPPORTED_FORMAT, "a ZIP local file header", () -> concat(ascii("PK\u0003\u0004"), new byte[40])));
        c.add(new Case("sound.wav", Reason.UNSUPPORTED_FORMAT, "a RIFF WAVE header", () -> concat(ascii("RIFF\u0024\0\0\0WAVEfmt "), new byte[28])));
        c.add(new Case("gif88.gif", Reason.UNSUPPORTED_FORMAT, "a GIF signature with an unknown version (GIF88a)", () -> {
            byte[] g = validGif();
            g[4] = '8';
            return g;
        }));
        c.add(new Case("random.bin", Reason.UNSUPPORTED_FORMAT, "4 KiB of random bytes", () -> random(4096, 3)));

        // ------------------------------------------------------------ JPEG
        c.add(new Case("jpeg-soi-only.jpg", Reason.CORRUPT, "the start-of-image marker and nothing else", () -> new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF}));
        c.add(new Case("jpeg-no-frame-header.jpg", Reason.CORRUPT, "JFIF header then end-of-image, no SOF", () -> {
            byte[] j = validJpeg();
            int app0 = 4 + u16be(j, 4);
            return concat(Arrays.copyOf(j, app0), new byte[] {(byte) 0xFF, (byte) 0xD9});
        }));
        c.add(new Case("jpeg-cut-in-header.jpg", Reason.CORRUPT, "cut off after 40 bytes, before the frame header", () -> Arrays.copyOf(validJpeg(), 40)));
        c.add(new Case("jpeg-cut-in-scan.jpg", Reason.CORRUPT, "cut off in the middle of its entropy-coded data", () -> {
            byte[] j = validJpeg();
            return Arrays.copyOf(j, j.length * 2 / 3);
        }));
        c.add(new Case("jpeg-no-end-marker.jpg", Reason.CORRUPT, "complete scan data but no EOI marker", () -> {
            byte[] j = validJpeg();
            return Arrays.copyOf(j, j.length - 2);
        }));
        c.add(new Case("jpeg-zero-width.jpg", Reason.CORRUPT, "SOF gives width 0", () -> patchSof(validJpeg(), 0, 48)));
        c.add(new Case("jpeg-claims-65535x65535.jpg", Reason.TOO_MANY_PIXELS, "SOF claims 65535 x 65535 (4.3 gigapixels)", () -> patchSof(validJpeg(), 65535, 65535)));
        c.add(new Case("jpeg-claims-12500x40.jpg", Reason.TOO_MANY_PIXELS, "SOF claims a side of 12500 px (limit 12000) but only 0.5 MP", () -> patchSof(validJpeg(), 12500, 40)));
        c.add(new Case("jpeg-segment-length-1.jpg", Reason.CORRUPT, "the APP0 segment's length is 1 (less than its own 2 bytes)", () -> {
            byte[] j = validJpeg();
            j[4] = 0;
            j[5] = 1;
            return j;
        }));
        c.add(new Case("jpeg-segment-past-end.jpg", Reason.CORRUPT, "the APP0 segment's length runs past the end of the file", () -> {
            byte[] j = Arrays.copyOf(validJpeg(), 300);
            j[4] = (byte) 0xFF;
            j[5] = (byte) 0xF0;
            return j;
        }));
        c.add(new Case("jpeg-lossless.jpg", Reason.UNSUPPORTED_FORMAT, "a lossless (SOF3) frame header", () -> {
            byte[] j = validJpeg();
            j[sofOffset(j) - 1] = (byte) 0xC3;
            return j;
        }));
        c.add(new Case("jpeg-no-quantisation-table.jpg", Reason.CORRUPT, "its DQT segments removed: the scan references undefined tables", () -> removeSegments(validJpeg(), 0xDB)));
        c.add(new Case("jpeg-no-components.jpg", Reason.CORRUPT, "SOF declares 0 colour components", () -> {
            byte[] j = validJpeg();
            j[sofOffset(j) + 7] = 0;
            return j;
        }));

        // ------------------------------------------------------------ PNG
        c.add(new Case("png-signature-only.png", Reason.CORRUPT, "the 8-byte PNG signature and nothing else", () -> Arrays.copyOf(validPng(), 8)));
        c.add(new Case("png-bad-header-crc.png", Reason.CORRUPT, "the IHDR chunk fails its CRC", () -> {
            byte[] p = validPng();
            p[29] ^= 0x55;
            return p;
        }));
        c.add(new Case("png-first-chunk-not-ihdr.png", Reason.CORRUPT, "the first chunk is renamed from IHDR", () -> {
            byte[] p = validPng();
            p[12] = 'X';
            return p;
        }));
        c.add(new Case("png-zero-width.png", Reason.CORRUPT, "IHDR gives width 0 (CRC correct)", () -> TestImageFixtures.patchPngSize(validPng(), 0, 48)));
        c.add(new Case("png-claims-30000x30000.png", Reason.TOO_MANY_PIXELS, "IHDR claims 30000 x 30000 (CRC correct): a decompression bomb's header", () -> TestImageFixtures.patchPngSize(validPng(), 30000, 30000)));
        c.add(new Case("png-cut-in-data.png", Reason.CORRUPT, "cut off in the middle of its IDAT chunk", () -> {
            byte[] p = validPng();
            return Arrays.copyOf(p, p.length / 2);
        }));
        c.add(new Case("png-corrupt-zlib.png", Reason.CORRUPT, "IDAT's deflate stream overwritten (chunk CRC recomputed)", () -> {
            byte[] p = validPng();
            int idat = pngChunk(p, "IDAT");
            int len = u32be(p, idat);
            byte[] noise = random(len - 2, 5);
            System.arraycopy(noise, 0, p, idat + 10, len - 2); // keep the 2-byte zlib header, break the rest
            fixPngCrc(p, idat);
            return p;
        }));
        c.add(new Case("png-bad-data-crc.png", Reason.CORRUPT, "the IDAT chunk fails its CRC", () -> {
            byte[] p = validPng();
            int idat = pngChunk(p, "IDAT");
            p[idat + 8 + u32be(p, idat)] ^= 0x55;
            return p;
        }));
        c.add(new Case("png-bit-depth-3.png", Reason.CORRUPT, "IHDR gives bit depth 3 (not a PNG bit depth; CRC correct)", () -> {
            byte[] p = validPng();
            p[24] = 3;
            fixPngCrc(p, 8);
            return p;
        }));
        c.add(new Case("png-colour-type-5.png", Reason.CORRUPT, "IHDR gives colour type 5 (undefined; CRC correct)", () -> {
            byte[] p = validPng();
            p[25] = 5;
            fixPngCrc(p, 8);
            return p;
        }));

        // ------------------------------------------------------------ WebP
        c.add(new Case("webp-riff-header-only.webp", Reason.CORRUPT, "RIFF....WEBP and nothing else", () -> Arrays.copyOf(validWebp(), 12)));
        c.add(new Case("webp-unknown-chunk.webp", Reason.CORRUPT, "the first chunk is neither VP8, VP8L nor VP8X", () -> {
            byte[] w = validWebp();
            System.arraycopy(ascii("JUNK"), 0, w, 12, 4);
            return w;
        }));
        c.add(new Case("webp-bad-frame-signature.webp", Reason.CORRUPT, "the VP8 frame's start code is wrong", () -> {
            byte[] w = validWebp();
            w[23] = 0;
            return w;
        }));
        c.add(new Case("webp-riff-size-past-end.webp", Reason.CORRUPT, "the RIFF size says the file is 1 MiB longer than it is", () -> {
            byte[] w = validWebp();
            putU32le(w, 4, u32le(w, 4) + (1 << 20));
            return w;
        }));
        c.add(new Case("webp-animated.webp", Reason.UNSUPPORTED_FORMAT, "a VP8X header with the animation flag", () -> vp8x(0x02, 640, 480)));
        c.add(new Case("webp-claims-16384x16384.webp", Reason.TOO_MANY_PIXELS, "a VP8X canvas of 16384 x 16384", () -> vp8x(0x00, 16384, 16384)));
        c.add(new Case("webp-cut-in-data.webp", Reason.CORRUPT, "cut off in the middle of its VP8 data", () -> {
            byte[] w = validWebp();
            return Arrays.copyOf(w, w.length * 2 / 3);
        }));

        // ------------------------------------------------------------ BMP
        c.add(new Case("bmp-header-only.bmp", Reason.CORRUPT, "file and DIB headers, no pixel rows", () -> Arrays.copyOf(validBmp(), 54)));
        c.add(new Case("bmp-cut-in-rows.bmp", Reason.CORRUPT, "cut off after half of its pixel rows", () -> {
            byte[] b = validBmp();
            return Arrays.copyOf(b, 54 + (b.length - 54) / 2);
        }));
        c.add(new Case("bmp-claims-50000x50000.bmp", Reason.TOO_MANY_PIXELS, "the DIB header claims 50000 x 50000", () -> {
            byte[] b = validBmp();
            putU32le(b, 18, 50000);
            putU32le(b, 22, 50000);
            return b;
        }));
        c.add(new Case("bmp-zero-width.bmp", Reason.CORRUPT, "the DIB header gives width 0", () -> {
            byte[] b = validBmp();
            putU32le(b, 18, 0);
            return b;
        }));
        c.add(new Case("bmp-negative-width.bmp", Reason.CORRUPT, "the DIB header gives width -64", () -> {
            byte[] b = validBmp();
            putU32le(b, 18, -64);
            return b;
        }));
        c.add(new Case("bmp-7-bits-per-pixel.bmp", Reason.CORRUPT, "7 bits per pixel", () -> {
            byte[] b = validBmp();
            b[28] = 7;
            return b;
        }));
        c.add(new Case("bmp-jpeg-inside.bmp", Reason.UNSUPPORTED_FORMAT, "compression BI_JPEG (a JPEG wrapped in a BMP)", () -> {
            byte[] b = validBmp();
            putU32le(b, 30, 4);
            return b;
        }));
        c.add(new Case("bmp-unknown-header.bmp", Reason.CORRUPT, "a DIB header size of 7 bytes", () -> {
            byte[] b = validBmp();
            putU32le(b, 14, 7);
            return b;
        }));
        c.add(new Case("bmp-pixels-past-end.bmp", Reason.CORRUPT, "the pixel data offset points past the end of the file", () -> {
            byte[] b = validBmp();
            putU32le(b, 10, b.length + 100);
            return b;
        }));

        // ------------------------------------------------------------ GIF
        c.add(new Case("gif-header-only.gif", Reason.CORRUPT, "signature and logical screen descriptor, nothing else", () -> Arrays.copyOf(validGif(), 13)));
        c.add(new Case("gif-trailer-before-image.gif", Reason.CORRUPT, "the trailer (0x3B) where the first image should be", () -> {
            byte[] g = validGif();
            int frame = ImageHeader.gifFirstFrame(g)[0];
            return concat(Arrays.copyOf(g, frame), new byte[] {0x3B});
        }));
        c.add(new Case("gif-claims-65535x65535.gif", Reason.TOO_MANY_PIXELS, "the first image descriptor claims 65535 x 65535", () -> {
            byte[] g = validGif();
            int frame = ImageHeader.gifFirstFrame(g)[0];
            g[frame + 5] = (byte) 0xFF;
            g[frame + 6] = (byte) 0xFF;
            g[frame + 7] = (byte) 0xFF;
            g[frame + 8] = (byte) 0xFF;
            return g;
        }));
        c.add(new Case("gif-zero-size-image.gif", Reason.CORRUPT, "the first image descriptor gives 0 x 0", () -> {
            byte[] g = validGif();
            int frame = ImageHeader.gifFirstFrame(g)[0];
            Arrays.fill(g, frame + 5, frame + 9, (byte) 0);
            return g;
        }));
        c.add(new Case("gif-cut-in-data.gif", Reason.CORRUPT, "cut off in the middle of the first image's LZW data", () -> {
            byte[] g = validGif();
            int frame = ImageHeader.gifFirstFrame(g)[0];
            return Arrays.copyOf(g, frame + 10 + (g.length - frame - 10) / 2);
        }));
        c.add(new Case("gif-bad-code-size.gif", Reason.CORRUPT, "an LZW minimum code size of 12 (at most 8)", () -> {
            byte[] g = validGif();
            int frame = ImageHeader.gifFirstFrame(g)[0];
            int at = frame + 10;
            int packed = g[frame + 9] & 0xFF;
            if ((packed & 0x80) != 0) {
                at += 3 * (1 << ((packed & 0x07) + 1));
            }
            g[at] = 12;
            return g;
        }));
        c.add(new Case("gif-colour-table-past-end.gif", Reason.CORRUPT, "a global colour table that runs past the end of the file", () -> {
            byte[] g = Arrays.copyOf(validGif(), 40);
            g[10] = (byte) 0x87; // 256 colours: 768 bytes
            return g;
        }));
        return List.copyOf(c);
    }

    // ---------------------------------------------------------------- valid starting points

    static byte[] validJpeg() {
        return encode(photoLike(64, 48, 21), ".jpg", Imgcodecs.IMWRITE_JPEG_QUALITY, 90);
    }

    static byte[] validPng() {
        return encode(photoLike(64, 48, 21), ".png");
    }

    static byte[] validWebp() {
        return encode(photoLike(64, 48, 21), ".webp", Imgcodecs.IMWRITE_WEBP_QUALITY, 80);
    }

    static byte[] validBmp() {
        return encode(photoLike(64, 48, 21), ".bmp");
    }

    static byte[] validGif() {
        return TestImageFixtures.gif(TestImageFixtures.quadrantsImage(), null);
    }

    // ---------------------------------------------------------------- byte surgery

    /** A minimal ISO base media file: an 'ftyp' box with the given major brand, then an empty 'mdat'. */
    private static byte[] isoBmff(String brand) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0, 0, 0, 24});
        out.writeBytes(ascii("ftyp" + brand));
        out.writeBytes(new byte[] {0, 0, 0, 0});
        out.writeBytes(ascii("mif1" + brand));
        out.writeBytes(new byte[] {0, 0, 0, 8});
        out.writeBytes(ascii("mdat"));
        return out.toByteArray();
    }

    /** A VP8X-headed WebP with the given flags and canvas size, and a tiny VP8L image chunk after it. */
    private static byte[] vp8x(int flags, int width, int height) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(ascii("WEBP"));
        body.writeBytes(ascii("VP8X"));
        body.writeBytes(le32(10));
        body.write(flags);
        body.writeBytes(new byte[3]);
        body.writeBytes(le24(width - 1));
        body.writeBytes(le24(height - 1));
        byte[] lossless = encode(photoLike(8, 8, 1), ".webp", Imgcodecs.IMWRITE_WEBP_QUALITY, 101);
        body.write(lossless, 12, lossless.length - 12); // its VP8L chunk
        byte[] b = body.toByteArray();
        return concat(ascii("RIFF"), le32(b.length), b);
    }

    private static int sofOffset(byte[] j) {
        int i = 2;
        while (i + 4 < j.length) {
            int marker = j[i + 1] & 0xFF;
            if (marker >= 0xC0 && marker <= 0xC2) {
                return i + 2; // the length field
            }
            i += 2 + u16be(j, i + 2);
        }
        throw new IllegalStateException("no SOF");
    }

    private static byte[] patchSof(byte[] j, int width, int height) {
        int s = sofOffset(j);
        j[s + 3] = (byte) (height >> 8);
        j[s + 4] = (byte) height;
        j[s + 5] = (byte) (width >> 8);
        j[s + 6] = (byte) width;
        return j;
    }

    /** The JPEG without its segments of the given marker (only before the first scan). */
    private static byte[] removeSegments(byte[] j, int marker) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(j, 0, 2);
        int i = 2;
        while (i + 4 < j.length) {
            int m = j[i + 1] & 0xFF;
            if (m == 0xDA) {
                out.write(j, i, j.length - i);
                return out.toByteArray();
            }
            int length = 2 + u16be(j, i + 2);
            if (m != marker) {
                out.write(j, i, length);
            }
            i += length;
        }
        throw new IllegalStateException("no SOS");
    }

    private static int pngChunk(byte[] p, String type) {
        int i = 8;
        while (i + 8 <= p.length) {
            if (new String(p, i + 4, 4, StandardCharsets.ISO_8859_1).equals(type)) {
                return i;
            }
            i += 12 + u32be(p, i);
        }
        throw new IllegalStateException("no " + type);
    }

    private static void fixPngCrc(byte[] p, int chunk) {
        int len = u32be(p, chunk);
        CRC32 crc = new CRC32();
        crc.update(p, chunk + 4, 4 + len);
        TestImageFixtures.putU32(p, chunk + 8 + len, (int) crc.getValue());
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static int u16be(byte[] b, int i) {
        return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }

    private static int u32be(byte[] b, int i) {
        return ((b[i] & 0xFF) << 24) | ((b[i + 1] & 0xFF) << 16) | ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
    }

    private static int u32le(byte[] b, int i) {
        return TestImageFixtures.u32le(b, i);
    }

    private static void putU32le(byte[] b, int i, int v) {
        TestImageFixtures.putU32le(b, i, v);
    }

    private static byte[] le32(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    private static byte[] le24(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16)};
    }
}
