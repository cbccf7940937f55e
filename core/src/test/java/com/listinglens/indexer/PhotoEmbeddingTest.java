package com.listinglens.indexer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.listinglens.config.Settings;
import com.listinglens.config.ConfigLoader;
import com.listinglens.embedding.Embedder;
import com.listinglens.embedding.ModelInfo;
import com.listinglens.image.ImageDecoder;
import com.listinglens.image.MultiScale;
import com.listinglens.image.Preprocessor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one embedding path of builds: order, batching, unusable photos, on real decoding and a transparent model. */
class PhotoEmbeddingTest {

    /** A model whose embedding is a few statistics of the tensor, so that a row can be traced to its photo. */
    static final class StatsModel implements Embedder {
        final List<Integer> batches = new ArrayList<>();

        @Override
        public ModelInfo info() {
            return null;
        }

        @Override
        public int dimension() {
            return 3;
        }

        @Override
        public float[][] embed(List<float[]> tensors) {
            batches.add(tensors.size());
            float[][] out = new float[tensors.size()][];
            for (int i = 0; i < out.length; i++) {
                float[] t = tensors.get(i);
                double sum = 0;
                double sq = 0;
                for (float v : t) {
                    sum += v;
                    sq += v * v;
                }
                out[i] = new float[] {(float) (sum / t.length), (float) (sq / t.length), t.length};
            }
            return out;
        }

        @Override
        public void close() {}
    }

    private static final Path IMAGES = Path.of("test-images");

    @Test
    void rowsFollowTheItemsWhateverTheBatchAndUnusablePhotosAreReportedNotFatal() throws Exception {
        var config = ConfigLoader.load();
        ImageDecoder decoder = Settings.decoder(config.image());
        MultiScale scales = new MultiScale(new Preprocessor(Settings.image(config.image())));
        List<String> photos = List.of("quadrants-96x64.jpg", "red-square-on-white.png", "not-an-image.txt",
                "quadrants-96x64.png", "no-such-photo.jpg", "transparent-red-disc.png", "truncated.jpg", "quadrants-96x64-lossy.webp");
        Map<String, float[]> alone = new LinkedHashMap<>();
        try (PhotoEmbedding one = new PhotoEmbedding(decoder, scales, new StatsModel(), 1, 1)) {
            one.embed(photos, IMAGES::resolve, sink(alone, new ArrayList<>()), null);
        }
        StatsModel model = new StatsModel();
        Map<String, float[]> batched = new LinkedHashMap<>();
        List<String> unusable = new ArrayList<>();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Progress progress = new Progress(new PrintStream(log, true, StandardCharsets.UTF_8), "embedding", photos.size());
        try (PhotoEmbedding three = new PhotoEmbedding(decoder, scales, model, 3, 2)) {
            three.embed(photos, IMAGES::resolve, sink(batched, unusable), progress);
        }
        progress.finish();
        assertThat(unusable).as("unreadable or undecodable photos, each with its reason")
                .hasSize(3)
                .anySatisfy(u -> assertThat(u).startsWith("not-an-image.txt: "))
                .anySatisfy(u -> assertThat(u).startsWith("no-such-photo.jpg: "));
        assertThat(batched.keySet()).as("in the items' order").containsExactlyElementsOf(alone.keySet());
        assertThat(batched).hasSize(photos.size() - 3);
        for (String photo : alone.keySet()) {
            assertThat(batched.get(photo)).as(photo).containsExactly(alone.get(photo));
        }
        assertThat(model.batches).as("batches of at most 3 photos, less the unusable ones").allSatisfy(b -> assertThat(b).isBetween(1, 3));
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("8/8");
        assertThatThrownBy(() -> new PhotoEmbedding(decoder, scales, model, 0, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    private static PhotoEmbedding.Sink<String> sink(Map<String, float[]> rows, List<String> unusable) {
        return new PhotoEmbedding.Sink<>() {
            @Override
            public void embedded(String photo, float[] embedding) {
                rows.put(photo, embedding);
            }

            @Override
            public void unusable(String photo, Throwable cause) {
                unusable.add(photo + ": " + cause.getMessage());
            }
        };
    }
}
