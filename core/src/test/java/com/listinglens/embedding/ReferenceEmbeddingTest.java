package com.listinglens.embedding;

import static org.assertj.core.api.Assertions.assertThat;

import com.listinglens.image.DecodedImage;
import com.listinglens.image.ImageDecoder;
import com.listinglens.image.ImageSettings;
import com.listinglens.image.Preprocessor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bar for the whole Java pipeline: the 296 validation photos through {@link ImageDecoder}, {@link Preprocessor}
 * and {@link DjlEmbedder} must land where PyTorch put them ({@code reference/val.f32}), row by row.
 */
class ReferenceEmbeddingTest {

    private static List<SharedData.Photo> photos;
    private static float[][] reference;
    private static List<float[]> tensors;

    @BeforeAll
    static void preprocessAll() {
        photos = SharedData.valPhotos();
        reference = SharedData.referenceEmbeddings();
        assertThat(photos).hasSize(296);
        assertThat(reference.length).isEqualTo(photos.size());
        assertThat(SharedData.referenceIds()).containsExactlyElementsOf(photos.stream().map(SharedData.Photo::id).toList());

        ImageSettings settings = ImageSettings.defaults();
        ImageDecoder decoder = new ImageDecoder(settings);
        Preprocessor preprocessor = new Preprocessor(settings);
        List<byte[]> files = photos.stream().map(p -> SharedData.bytes(p.file())).toList();
        tensors = new ArrayList<>(files.size());
        long start = System.nanoTime();
        for (byte[] file : files) {
            try (DecodedImage image = decoder.decode(file, settings.resizeShorter())) {
                tensors.add(preprocessor.toTensor(image));
            }
        }
        double firstPass = (System.nanoTime() - start) / 1e9;
        start = System.nanoTime();
        for (byte[] file : files) {
            try (DecodedImage image = decoder.decode(file, settings.resizeShorter())) {
                preprocessor.toTensor(image);
            }
        }
        double secondPass = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "decode + preprocess of %d photos (348 x 348 JPEG), one thread: %.0f img/s cold, "
                + "%.0f img/s warm%n", files.size(), files.size() / firstPass, files.size() / secondPass);
    }

    @Test
    void fp32MatchesThePyTorchReference() {
        double[] stats = measure("fp32");
        // the same preprocessing and the same float model: equal up to float rounding (seen: 1.000000 and 1.000000)
        assertThat(stats[0]).as("mean cosine fp32 vs reference").isGreaterThanOrEqualTo(0.9999);
        assertThat(stats[1]).as("min cosine fp32 vs reference").isGreaterThanOrEqualTo(0.9999);
    }

    /** int8 is a different model in the same space; seen: mean 0.9907, min 0.939. */
    @Test
    void int8StaysCloseToTheFp32Reference() {
        double[] stats = measure("int8");
        assertThat(stats[0]).as("mean cosine int8 vs reference").isGreaterThanOrEqualTo(0.98);
        assertThat(stats[1]).as("min cosine int8 vs reference").isGreaterThanOrEqualTo(0.90);
    }

    /** Returns {mean, min} cosine against the reference and prints them with the throughput seen. */
    private static double[] measure(String precision) {
        try (DjlEmbedder embedder = new DjlEmbedder(SharedData.settings(precision))) {
            long start = System.nanoTime();
            float[][] rows = embedder.embed(tensors); // batches of 8
            double batch8 = tensors.size() / ((System.nanoTime() - start) / 1e9);
            int single = 32;
            start = System.nanoTime();
            for (float[] t : tensors.subList(0, single)) {
                embedder.embed(t);
            }
            double batch1 = single / ((System.nanoTime() - start) / 1e9);

            double sum = 0;
            double min = 1;
            int worst = -1;
            for (int i = 0; i < rows.length; i++) {
                assertThat(Vectors.norm(rows[i])).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
                double c = Vectors.cosine(rows[i], reference[i]);
                sum += c;
                if (c < min) {
                    min = c;
                    worst = i;
                }
            }
            double mean = sum / rows.length;
            System.out.printf(Locale.ROOT, "%s vs reference over %d photos: mean cosine %.6f, min %.6f (%s); "
                            + "embedding %.0f img/s at batch 8, %.0f img/s at batch 1 (%d libtorch threads)%n",
                    precision, rows.length, mean, min, photos.get(worst).id(), batch8, batch1,
                    ai.djl.pytorch.jni.JniUtils.getNumThreads());
            return new double[] {mean, min};
        }
    }
}
