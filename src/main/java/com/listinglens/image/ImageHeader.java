package com.listinglens.image;

import com.listinglens.image.ImageRejectedException.Reason;
import java.util.zip.CRC32;

/**
 * Format and stored size of an encoded photo, read from its header without decoding any pixel data.
 *
 * <p>JPEG: the first SOFn segment; PNG: the IHDR chunk (CRC checked); WebP: the VP8, VP8L or VP8X chunk.
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
     * @throws ImageRejectedException EMPTY for no bytes, UNSUPPORTED_FORMAT when it is none of JPEG, PNG, WebP
     *     (or an undecodable variant), CORRUPT when the header is damaged or cut short
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
        throw new ImageRejectedException(
                Reason.UNSUPPORTED_FORMAT, "Unsupported file type" + describe(bytes) + ": send a JPEG, PNG or WebP photo.");
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
        String chunk = new String(b, 12, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
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

    // ---------------------------------------------------------------- helpers

    private static String describe(byte[] b) {
        if (startsWith(b, 0, ascii("GIF8"))) {
            return " (GIF)";
        }
        if (startsWith(b, 0, ascii("%PDF"))) {
            return " (PDF)";
        }
        if (startsWith(b, 4, ascii("ftyp"))) {
            return " (HEIC/AVIF or video)";
        }
        if (startsWith(b, 0, ascii("BM"))) {
            return " (BMP)";
        }
        if (startsWith(b, 0, ascii("II*")) || startsWith(b, 0, ascii("MM"))) {
            return " (TIFF)";
        }
        if (startsWith(b, 0, (byte) 0xFF, (byte) 0xD8)) {
            return " (damaged JPEG)";
        }
        return "";
    }

    static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
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
