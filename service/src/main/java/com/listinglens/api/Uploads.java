package com.listinglens.api;

import com.listinglens.config.LensConfig;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/** The photo parts of a multipart request, checked against the configured limits before anything reads them. */
final class Uploads {

    private Uploads() {
    }

    static List<byte[]> photos(List<FileUpload> photos, LensConfig.Image limits) {
        if (photos == null || photos.isEmpty()) {
            throw new BadRequestProblem("no-photo", "No photo", 400,
                    "send the photos as multipart/form-data parts named 'photo'");
        }
        int max = limits.maxPhotos();
        if (photos.size() > max) {
            throw new BadRequestProblem("too-many-photos", "Too many photos", 413,
                    photos.size() + " photos sent; at most " + max + " per request");
        }
        long maxBytes = limits.maxBytes();
        List<byte[]> bytes = new ArrayList<>(photos.size());
        for (int i = 0; i < photos.size(); i++) {
            FileUpload upload = photos.get(i);
            if (upload.size() > maxBytes) {
                throw new BadRequestProblem("photo-too-large-bytes", "Photo too large", 413,
                        "photo " + (i + 1) + " has " + upload.size() + " bytes; at most " + maxBytes + " are accepted");
            }
            try {
                bytes.add(Files.readAllBytes(upload.uploadedFile()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return bytes;
    }
}
