package com.listinglens.image;

import com.listinglens.image.ImageRejectedException.Reason;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Format and stored size of an encoded photo, read from its header without decoding any pixel data.
 *
 * <p>JPEG: the first SOFn segment; PNG: the IHDR chunk (CRC checked); WebP: the VP8, VP8L or VP8X chunk; BMP: the
 * DIB header; GIF: the first image descriptor (the frame that is decoded), not the logical screen.
 * Width and height are as stored, before any EXIF orientation is applied.
 *
 * @param format the container format
 * @param width stored width in pixels
 * @param height stored height in pixels
 * @param hasAlpha whether the image may carry transparency (PNG colour type 4 or 6 or a tRNS chunk; WebP alpha flag)
 */
public record ImageHeader(ImageFormat format, int width, int height, boolean hasAlpha) {

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    public long pixels() {
        return (long) width * height;
    }

    /**
     * Sniffs the header.
     *
     * @throws ImageRejectedException EMPTY for no bytes, UNSUPPORTED_FORMAT when it is none of JPEG, PNG, WebP, BMP,
     *     GIF (or an undecodable variant), CORRUPT when the header is damaged or cut short
     */
    public static ImageHeader read(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new ImageRejectedException(Reason.EMPTY, "The upload is empty (0 bytes).");
        }
        if (startsWith(bytes, 0, (byte) 0xFF, (byte) 0xD8, (byte) 0xFF)) {
            return readJpeg(bytes);
        }
        if (startsWith(bytes, 0, PNG_SIGNATURE)) {
            return readPng(bytes);
        }
        if (bytes.length >= 12 && startsWith(bytes, 0, ascii("RIFF")) && startsWith(bytes, 8, ascii("WEBP"))) {
            return readWebp(bytes);
        }
        if (startsWith(bytes, 0, ascii("BM"))) {
            return readBmp(bytes);
        }
        if (startsWith(bytes, 0, ascii("GIF87a")) || startsWith(bytes, 0, ascii("GIF89a"))) {
            return readGif(bytes);
        }
        throw new ImageRejectedException(Reason.UNSUPPORTED_FORMAT,
                "Unsupported file type" + describe(bytes) + ": send a JPEG, PNG, WebP, BMP or GIF photo.");
    }

    // ---------------------------------------------------------------- JPEG

    private static ImageHeader readJpeg(byte[] b) {
        int i = 2;
        int n = b.length;
        while (true) {
            // find the next marker, tolerating stray bytes and fill 0xFF
            while (i < n && (b[i] & 0xFF) != 0xFF) {
                i++;
            }
            while (i < n && (b[i] & 0xFF) == 0xFF) {
                i++;
            }
            if (i >= n) {
                throw truncatedJpeg();
            }
            int marker = b[i++] & 0xFF;
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {
                continue; // standalone markers
            }
            if (marker == 0xD9 || marker == 0xDA) {
                throw new ImageRejectedException(Reason.CORRUPT, "The JPEG has no frame header (SOF) before its image data.");
            }
            if (i + 2 > n) {
                throw truncatedJpeg();
            }
            int length = u16be(b, i);
            if (length < 2) {
                throw new ImageRejectedException(Reason.CORRUPT, "The JPEG has a malformed segment length.");
            }
            if (isSof(marker)) {
                if (length < 8 || i + 7 > n) {
                    throw truncatedJpeg();
                }
                int height = u16be(b, i + 3);
                int width = u16be(b, i + 5);
                if (isUnsupportedSof(marker)) {
                    throw new ImageRejectedException(Reason.UNSUPPORTED_FORMAT,
                            "Lossless and hierarchical JPEGs are not supported: send a baseline or progressive JPEG.");
                }
                if (width == 0 || height == 0) {
                    throw new ImageRejectedException(Reason.CORRUPT, "The JPEG header gives a zero width or height.");
                }
                return new ImageHeader(ImageFormat.JPEG, width, height, false);
            }
            i += length;
        }
    }

    private static boolean isSof(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    }

    /** SOF3/7/11/15 lossless, SOF5-7 and SOF13-15 hierarchical: libjpeg-turbo 2.1 decodes none of them. */
    private static boolean isUnsupportedSof(int marker) {
        return marker == 0xC3 || marker == 0xC5 || marker == 0xC6 || marker == 0xC7
                || marker == 0xCB || marker == 0xCD || marker == 0xCE || marker == 0xCF;
    }

    private static ImageRejectedException truncatedJpeg() {
        return new ImageRejectedException(Reason.CORRUPT, "The JPEG is cut short before its frame header.");
    }

    // ---------------------------------------------------------------- PNG

    private static ImageHeader readPng(byte[] b) {
        // signature(8) length(4) "IHDR"(4) data(13) crc(4)
        if (b.length < 33) {
            throw new ImageRejectedException(Reason.CORRUPT, "The PNG is cut short before its IHDR header.");
        }
        if (u32be(b, 8) != 13 || !startsWith(b, 12, ascii("IHDR"))) {
            throw new ImageRejectedException(Reason.CORRUPT, "The PNG does not start with an IHDR chunk.");
        }
        CRC32 crc = new CRC32();
        crc.update(b, 12, 4 + 13);
        if (crc.getValue() != u32be(b, 29)) {
            throw new ImageRejectedException(Reason.CORRUPT, "The PNG header (IHDR) fails its CRC check.");
        }
        long width = u32be(b, 16);
        long height = u32be(b, 20);
        if (width == 0 || height == 0 || width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
            throw new ImageRejectedException(Reason.CORRUPT, "The PNG header gives an invalid size " + width + " x " + height + ".");
        }
        int colourType = b[25] & 0xFF;
        boolean alpha = colourType == 4 || colourType == 6 || hasPngChunkBeforeIdat(b, "tRNS");
        return new ImageHeader(ImageFormat.PNG, (int) width, (int) height, alpha);
    }

    private static boolean hasPngChunkBeforeIdat(byte[] b, String type) {
        byte[] wanted = ascii(type);
        int i = 8;
        while (i + 8 <= b.length) {
            long length = u32be(b, i);
            if (startsWith(b, i + 4, wanted)) {
                return true;
            }
            if (startsWith(b, i + 4, ascii("IDAT")) || length > b.length) {
                return false;
            }
            i += 12 + (int) length;
        }
        return false;
    }

    // ---------------------------------------------------------------- WebP

    private static ImageHeader readWebp(byte[] b) {
        if (b.length < 30) {
            throw new ImageRejectedException(Reason.CORRUPT, "The WebP is cut short before its image header.");
        }
        String chunk = new String(b, 12, 4, StandardCharsets.ISO_8859_1);
        int d = 20; // chunk payload
        switch (chunk) {
            case "VP8 " -> {
                if ((b[d + 3] & 0xFF) != 0x9D || (b[d + 4] & 0xFF) != 0x01 || (b[d + 5] & 0xFF) != 0x2A) {
                    throw new ImageRejectedException(Reason.CORRUPT, "The WebP (VP8) frame header is damaged.");
                }
                int width = u16le(b, d + 6) & 0x3FFF;
                int height = u16le(b, d + 8) & 0x3FFF;
                return webp(width, height, false);
            }
            case "VP8L" -> {
                if ((b[d] & 0xFF) != 0x2F) {
                    throw new ImageRejectedException(Reason.CORRUPT, "The WebP (VP8L) header is damaged.");
                }
                long bits = u32le(b, d + 1);
                int width = (int) (bits & 0x3FFF) + 1;
                int height = (int) ((bits >>> 14) & 0x3FFF) + 1;
                boolean alpha = ((bits >>> 28) & 1) != 0;
                return webp(width, height, alpha);
            }
            case "VP8X" -> {
                int flags = b[d] & 0xFF;
                if ((flags & 0x02) != 0) {
                    throw new ImageRejectedException(Reason.UNSUPPORTED_FORMAT,
                            "Animated WebP is not supported: send a still photo.");
                }
                int width = u24le(b, d + 4) + 1;
                int height = u24le(b, d + 7) + 1;
                return webp(width, height, (flags & 0x10) != 0);
            }
            default -> throw new ImageRejectedException(Reason.CORRUPT, "The WebP has an unknown first chunk '" + chunk.strip() + "'.");
        }
    }

    private static ImageHeader webp(int width, int height, boolean alpha) {
        if (width == 0 || height == 0) {
            throw new ImageRejectedException(Reason.CORRUPT, "The WebP header gives a zero width or height.");
        }
        return new ImageHeader(ImageFormat.WEBP, width, height, alpha);
    }

    // ---------------------------------------------------------------- BMP

    /** BMP compression values OpenCV decodes: BI_RGB, BI_RLE8, BI_RLE4, BI_BITFIELDS. */
    private static final int BI_RGB = 0;
    private static final int BI_BITFIELDS = 3;

    private static ImageHeader readBmp(byte[] b) {
        // "BM" fileSize(4) reserved(4) pixelOffset(4), then the DIB header: its size(4) first
        if (b.length < 26) {
            throw new ImageRejectedException(Reason.CORRUPT, "The BMP is cut short before its header.");
        }
        long dibSize = u32le(b, 14);
        long width;
        long height;
        int bitsPerPixel;
        int compression;
        if (dibSize == 12) { // BITMAPCOREHEADER (OS/2 1.x)
            width = u16le(b, 18);
            height = u16le(b, 20);
            bitsPerPixel = u16le(b, 24);
            compression = BI_RGB;
        } else if (dibSize >= 40 && dibSize <= 124) { // BITMAPINFOHEADER .. BITMAPV5HEADER
            if (b.length < 14 + 40) {
                throw new ImageRejectedException(Reason.CORRUPT, "The BMP is cut short before its header.");
            }
            width = (int) u32le(b, 18);
            height = Math.abs((long) (int) u32le(b, 22)); // negative: rows stored top-down
            if (u16le(b, 26) != 1) {
                throw new ImageRejectedException(Reason.CORRUPT, "The BMP header gives " + u16le(b, 26) + " planes (must be 1).");
            }
            bitsPerPixel = u16le(b, 28);
            compression = (int) u32le(b, 30);
        } else {
            throw new ImageRejectedException(Reason.CORRUPT, "The BMP has an unknown header of " + dibSize + " bytes.");
        }
        if (width <= 0 || height <= 0 || width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
            throw new ImageRejectedException(Reason.CORRUPT, "The BMP header gives an invalid size " + width + " x " + height + ".");
        }
        if (bitsPerPixel != 1 && bitsPerPixel != 4 && bitsPerPixel != 8 && bitsPerPixel != 16 && bitsPerPixel != 24
                && bitsPerPixel != 32) {
            throw new ImageRejectedException(Reason.CORRUPT, "The BMP header gives " + bitsPerPixel + " bits per pixel.");
        }
        if (compression > BI_BITFIELDS) {
            throw new ImageRejectedException(Reason.UNSUPPORTED_FORMAT,
                    "BMP files holding JPEG or PNG data (compression " + compression + ") are not supported: send the JPEG or PNG itself.");
        }
        return new ImageHeader(ImageFormat.BMP, (int) width, (int) height, false);
    }

    /** Bytes of uncompressed pixel data a BMP needs, or -1 when it is run-length encoded (not computable). */
    static long bmpPixelBytes(byte[] b) {
        long dibSize = u32le(b, 14);
        if (dibSize == 12) {
            return ((u16le(b, 24) * (long) u16le(b, 18) + 31) / 32) * 4 * u16le(b, 20);
        }
        int compression = (int) u32le(b, 30);
        if (compression != BI_RGB && compression != BI_BITFIELDS) {
            return -1;
        }
        long width = (int) u32le(b, 18);
        long height = Math.abs((long) (int) u32le(b, 22));
        return ((u16le(b, 28) * width + 31) / 32) * 4 * height;
    }

    // ---------------------------------------------------------------- GIF

    /**
     * The first image descriptor, found by walking the blocks after the logical screen descriptor and its colour
     * table; transparency from a graphic control extension before it.
     */
    private static ImageHeader readGif(byte[] b) {
        int[] frame = gifFirstFrame(b);
        if (frame == null) {
            throw new ImageRejectedException(Reason.CORRUPT, "The GIF is cut short or damaged before its first image.");
        }
        int width = u16le(b, frame[0] + 5);
        int height = u16le(b, frame[0] + 7);
        if (width == 0 || height == 0) {
            throw new ImageRejectedException(Reason.CORRUPT, "The GIF's first image has a zero width or height.");
        }
        return new ImageHeader(ImageFormat.GIF, width, height, frame[1] != 0);
    }

    /**
     * Offset of the first image descriptor (its 0x2C byte) and whether a transparent colour is set for it, or
     * null when the blocks end, run past the file or hold no image.
     */
    static int[] gifFirstFrame(byte[] b) {
        if (b.length < 13) {
            return null;
        }
        int i = 13;
        int packed = b[10] & 0xFF;
        if ((packed & 0x80) != 0) {
            i += 3 * (1 << ((packed & 0x07) + 1));
        }
        int transparent = 0;
        while (i < b.length) {
            int block = b[i] & 0xFF;
            if (block == 0x2C) {
                return i + 10 <= b.length ? new int[] {i, transparent} : null;
            }
            if (block != 0x21 || i + 2 > b.length) {
                return null; // trailer (0x3B) or garbage before any image
            }
            int label = b[i + 1] & 0xFF;
            if (label == 0xF9 && i + 4 <= b.length) {
                transparent = b[i + 3] & 0x01;
            }
            i = gifSkipSubBlocks(b, i + 2);
            if (i < 0) {
                return null;
            }
        }
        return null;
    }

    /** Index after a chain of data sub-blocks starting at {@code i} (ended by a zero length), or -1 if cut short. */
    static int gifSkipSubBlocks(byte[] b, int i) {
        while (i < b.length) {
            int size = b[i] & 0xFF;
            if (size == 0) {
                return i + 1;
            }
            i += 1 + size;
        }
        return -1;
    }

    // ---------------------------------------------------------------- helpers

    private static String describe(byte[] b) {
        if (startsWith(b, 0, ascii("GIF8"))) {
            return " (GIF of an unknown version)";
        }
        if (startsWith(b, 0, ascii("%PDF"))) {
            return " (PDF)";
        }
        if (startsWith(b, 4, ascii("ftyp"))) {
            String brand = b.length >= 12 ? new String(b, 8, 4, StandardCharsets.ISO_8859_1) : "";
            return switch (brand) {
                case "heic", "heix", "hevc", "heim", "heis", "mif1", "msf1" -> " (HEIC)";
                case "avif", "avis" -> " (AVIF)";
                default -> " (MP4/QuickTime video or HEIF)";
            };
        }
        if (startsWith(b, 0, ascii("II*")) || startsWith(b, 0, ascii("MM\0*"))) {
            return " (TIFF)";
        }
        if (startsWith(b, 0, ascii("RIFF"))) {
            return " (RIFF, not WebP)";
        }
        if (startsWith(b, 0, ascii("PK\u0003\u0004"))) {
            return " (ZIP)";
        }
        if (startsWith(b, 0, ascii("<svg")) || startsWith(b, 0, ascii("<?xml"))) {
            return " (SVG/XML)";
        }
        if (startsWith(b, 0, (byte) 0xFF, (byte) 0xD8)) {
            return " (damaged JPEG)";
        }
        return "";
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static boolean startsWith(byte[] b, int offset, byte... prefix) {
        if (offset < 0 || offset + prefix.length > b.length) {
            return false;
        }
        for (int k = 0; k < prefix.length; k++) {
            if (b[offset + k] != prefix[k]) {
                return false;
            }
        }
        return true;
    }

    static int u16be(byte[] b, int i) {
        return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }

    static long u32be(byte[] b, int i) {
        return ((long) (b[i] & 0xFF) << 24) | ((b[i + 1] & 0xFF) << 16) | ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
    }

    static int u16le(byte[] b, int i) {
        return (b[i] & 0xFF) | ((b[i + 1] & 0xFF) << 8);
    }

    static int u24le(byte[] b, int i) {
        return (b[i] & 0xFF) | ((b[i + 1] & 0xFF) << 8) | ((b[i + 2] & 0xFF) << 16);
    }

    static long u32le(byte[] b, int i) {
        return (b[i] & 0xFF) | ((b[i + 1] & 0xFF) << 8) | ((b[i + 2] & 0xFF) << 16) | ((long) (b[i + 3] & 0xFF) << 24);
    }
}
