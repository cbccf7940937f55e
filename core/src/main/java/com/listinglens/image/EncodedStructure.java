package com.listinglens.image;

import static com.listinglens.image.ImageHeader.ascii;
import static com.listinglens.image.ImageHeader.startsWith;
import static com.listinglens.image.ImageHeader.u16be;
import static com.listinglens.image.ImageHeader.u32be;
import static com.listinglens.image.ImageHeader.u32le;

import com.listinglens.image.ImageRejectedException.Reason;

/**
 * Cheap structural checks on encoded bytes that the codecs do not make themselves: libjpeg fills a truncated JPEG with
 * grey and only warns, so a cut-off upload would otherwise be embedded as if it were whole. Also reads the EXIF
 * orientation of a JPEG. Pure functions, no decoding.
 */
final class EncodedStructure {

    private EncodedStructure() {}

    /** Throws CORRUPT if the file ends before its image data does. Bytes after the end (camera trailers) are fine. */
    static void requireComplete(byte[] b, ImageFormat format) {
        boolean complete = switch (format) {
            case JPEG -> jpegHasEndOfImage(b);
            case PNG -> pngHasEnd(b);
            case WEBP -> webpHasAllChunks(b);
            case BMP -> bmpHasAllPixels(b);
            case GIF -> gifHasFirstFrame(b);
        };
        if (!complete) {
            throw new ImageRejectedException(Reason.CORRUPT,
                    "The " + format + " file is truncated or damaged (its image data does not end properly); "
                            + "the upload may have been cut off.");
        }
    }

    /**
     * Walks the JPEG segments and the entropy-coded data after each SOS until the EOI marker. Inside entropy-coded
     * data 0xFF is always followed by 0x00 (stuffing) or a restart marker, so the first other marker there ends the
     * scan; an embedded EXIF thumbnail is skipped as part of its APP1 segment.
     */
    static boolean jpegHasEndOfImage(byte[] b) {
        int n = b.length;
        int i = 2;
        while (i < n) {
            while (i < n && (b[i] & 0xFF) != 0xFF) {
                i++; // stray bytes between segments: libjpeg skips them too
            }
            while (i < n && (b[i] & 0xFF) == 0xFF) {
                i++;
            }
            if (i >= n) {
                return false;
            }
            int marker = b[i++] & 0xFF;
            if (marker == 0xD9) {
                return true;
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {
                continue;
            }
            if (i + 2 > n) {
                return false;
            }
            int length = u16be(b, i);
            if (length < 2 || i + length > n) {
                return false;
            }
            i += length;
            if (marker == 0xDA) {
                // entropy-coded data up to the next real marker
                while (true) {
                    if (i >= n) {
                        return false;
                    }
                    if ((b[i] & 0xFF) != 0xFF) {
                        i++;
                        continue;
                    }
                    if (i + 1 >= n) {
                        return false;
                    }
                    int next = b[i + 1] & 0xFF;
                    if (next == 0x00 || (next >= 0xD0 && next <= 0xD7)) {
                        i += 2;
                    } else if (next == 0xFF) {
                        i++;
                    } else {
                        break; // a marker: back to the segment loop
                    }
                }
            }
        }
        return false;
    }

    /** Walks the PNG chunks to IEND. */
    static boolean pngHasEnd(byte[] b) {
        int i = 8;
        boolean sawData = false;
        while (i + 12 <= b.length) {
            long length = u32be(b, i);
            if (length > b.length - i - 12L) {
                return false;
            }
            if (startsWith(b, i + 4, ascii("IDAT"))) {
                sawData = true;
            }
            if (startsWith(b, i + 4, ascii("IEND"))) {
                return sawData;
            }
            i += 12 + (int) length;
        }
        return false;
    }

    /** The RIFF size must fit in the file, and so must the image chunk. */
    static boolean webpHasAllChunks(byte[] b) {
        long riffSize = u32le(b, 4);
        if (riffSize + 8 > b.length || riffSize < 4) {
            return false;
        }
        int end = (int) (riffSize + 8);
        int i = 12;
        boolean sawImage = false;
        while (i + 8 <= end) {
            long size = u32le(b, i + 4);
            long next = i + 8 + size + (size & 1);
            if (i + 8 + size > end) {
                return false;
            }
            if (startsWith(b, i, ascii("VP8 ")) || startsWith(b, i, ascii("VP8L"))) {
                sawImage = true;
            }
            i = (int) Math.min(next, end);
        }
        return sawImage;
    }

    /** Uncompressed BMP: the pixel rows must fit between the pixel offset and the end of the file. */
    static boolean bmpHasAllPixels(byte[] b) {
        long offset = u32le(b, 10);
        if (offset < 26 || offset > b.length) {
            return false;
        }
        long needed = ImageHeader.bmpPixelBytes(b);
        return needed < 0 || offset + needed <= b.length; // run-length encoded: left to the decoder
    }

    /** The first frame's LZW data sub-blocks end (zero-length block) inside the file. */
    static boolean gifHasFirstFrame(byte[] b) {
        int[] frame = ImageHeader.gifFirstFrame(b);
        if (frame == null) {
            return false;
        }
        int i = frame[0] + 10;
        int packed = b[frame[0] + 9] & 0xFF;
        if ((packed & 0x80) != 0) {
            i += 3 * (1 << ((packed & 0x07) + 1)); // local colour table
        }
        if (i + 1 >= b.length) {
            return false; // no room for the LZW minimum code size and a block
        }
        int minCodeSize = b[i] & 0xFF;
        if (minCodeSize < 2 || minCodeSize > 8) {
            return false;
        }
        return ImageHeader.gifSkipSubBlocks(b, i + 1) > 0;
    }

    /**
     * EXIF orientation (1..8) of a JPEG from the Orientation tag (0x0112) of IFD0 in its first EXIF APP1 segment;
     * 1 when absent or unreadable.
     */
    static int jpegExifOrientation(byte[] b) {
        int n = b.length;
        int i = 2;
        while (i + 4 <= n) {
            if ((b[i] & 0xFF) != 0xFF) {
                return 1;
            }
            int marker = b[i + 1] & 0xFF;
            if (marker == 0xFF) {
                i++;
                continue;
            }
            if (marker == 0xDA || marker == 0xD9) {
                return 1; // EXIF comes before the image data
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {
                i += 2;
                continue;
            }
            int length = u16be(b, i + 2);
            if (length < 2 || i + 2 + length > n) {
                return 1;
            }
            int seg = i + 4;
            if (marker == 0xE1 && length >= 8 && startsWith(b, seg, ascii("Exif")) && b[seg + 4] == 0 && b[seg + 5] == 0) {
                return tiffOrientation(b, seg + 6, i + 2 + length);
            }
            i += 2 + length;
        }
        return 1;
    }

    private static int tiffOrientation(byte[] b, int tiff, int end) {
        if (tiff + 8 > end) {
            return 1;
        }
        boolean little;
        if (b[tiff] == 'I' && b[tiff + 1] == 'I') {
            little = true;
        } else if (b[tiff] == 'M' && b[tiff + 1] == 'M') {
            little = false;
        } else {
            return 1;
        }
        if (u16(b, tiff + 2, little) != 42) {
            return 1;
        }
        long ifd = u32(b, tiff + 4, little);
        if (ifd < 8 || tiff + ifd + 2 > end) {
            return 1;
        }
        int p = (int) (tiff + ifd);
        int entries = u16(b, p, little);
        p += 2;
        for (int e = 0; e < entries && p + 12 <= end; e++, p += 12) {
            if (u16(b, p, little) == 0x0112) {
                int type = u16(b, p + 2, little);
                int value = type == 3 ? u16(b, p + 8, little) : type == 4 ? (int) u32(b, p + 8, little) : 1;
                return value >= 1 && value <= 8 ? value : 1;
            }
        }
        return 1;
    }

    private static int u16(byte[] b, int i, boolean little) {
        return little ? ImageHeader.u16le(b, i) : u16be(b, i);
    }

    private static long u32(byte[] b, int i, boolean little) {
        return little ? u32le(b, i) : u32be(b, i);
    }
}
