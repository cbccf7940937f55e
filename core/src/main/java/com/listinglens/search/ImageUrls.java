package com.listinglens.search;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** The URL of a listing's photo: absolute http(s) paths as they are, catalog paths under a base, segment-encoded. Pure. */
public final class ImageUrls {

    private ImageUrls() {
    }

    public static String of(String base, String image) {
        if (image == null) {
            return null;
        }
        if (image.startsWith("http://") || image.startsWith("https://")) {
            return image;
        }
        StringBuilder url = new StringBuilder(base);
        String[] parts = image.split("/");
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                url.append('/');
            }
            url.append(URLEncoder.encode(parts[i], StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return url.toString();
    }
}
