package com.listinglens.image;

import java.util.Arrays;
import java.util.List;

/** Encoded photo formats that the decoder accepts. */
public enum ImageFormat {
    JPEG("image/jpeg"),
    PNG("image/png"),
    WEBP("image/webp"),
    BMP("image/bmp"),
    /** Only the first frame of an animated GIF is read. */
    GIF("image/gif");

    /** The media types accepted, in the order error messages list them. */
    public static List<String> mediaTypes() {
        return Arrays.stream(values()).map(ImageFormat::mediaType).toList();
    }

    private final String mediaType;

    ImageFormat(String mediaType) {
        this.mediaType = mediaType;
    }

    public String mediaType() {
        return mediaType;
    }
}
