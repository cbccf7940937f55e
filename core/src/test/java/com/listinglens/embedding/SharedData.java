package com.listinglens.embedding;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The shared model, dataset and reference embeddings, located through {@code lens.shared-dir} / LENS_SHARED_DIR. */
final class SharedData {

    static final int DIM = 1280;

    private SharedData() {}

    static Path sharedDir() {
        String dir = System.getProperty("lens.shared-dir");
        if (dir == null || dir.isBlank()) {
            dir = System.getenv("LENS_SHARED_DIR");
        }
        Path path = Path.of(dir == null || dir.isBlank() ? "../shared" : dir).toAbsolutePath().normalize();
        if (!Files.isDirectory(path.resolve("models/mobilenet_v2"))) {
            throw new IllegalStateException("shared data not found at " + path
                    + ": set -Dlens.shared-dir or LENS_SHARED_DIR to the folder holding models/ and datasets/");
        }
        return path;
    }

    static Path model(String precision) {
        return sharedDir().resolve("models/mobilenet_v2/mobilenet_v2_embed_" + precision + ".pt");
    }

    static ModelSettings settings(String precision) {
        // one intra-op thread: with more, libtorch's OpenMP threads stall when other builds share the CPU
        return new ModelSettings("mobilenet_v2", model(precision), precision, "cpu", DIM, 8, 2, 1);
    }

    record Photo(String id, Path file) {}

    /** The listings of {@code datasets/grocery/val.jsonl}, in file order. */
    static List<Photo> valPhotos() {
        Path dataset = sharedDir().resolve("datasets/grocery");
        ObjectMapper json = new ObjectMapper();
        List<Photo> photos = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(dataset.resolve("val.jsonl"))) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node = json.readTree(line);
                photos.add(new Photo(node.get("id").asText(), dataset.resolve(node.get("image").asText())));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return photos;
    }

    /** {@code reference/val.ids}. */
    static List<String> referenceIds() {
        try {
            return Files.readAllLines(sharedDir().resolve("models/mobilenet_v2/reference/val.ids")).stream()
                    .filter(s -> !s.isBlank())
                    .map(String::strip)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code reference/val.f32}: little-endian float32 rows of 1280, L2-normalised here. */
    static float[][] referenceEmbeddings() {
        try {
            byte[] raw = Files.readAllBytes(sharedDir().resolve("models/mobilenet_v2/reference/val.f32"));
            if (raw.length % (4 * DIM) != 0) {
                throw new IllegalStateException("val.f32 is not a whole number of " + DIM + "-float rows");
            }
            ByteBuffer buffer = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
            float[][] rows = new float[raw.length / (4 * DIM)][DIM];
            for (float[] row : rows) {
                buffer.asFloatBuffer().get(row);
                buffer.position(buffer.position() + 4 * DIM);
                Vectors.l2NormalizeInPlace(row);
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
