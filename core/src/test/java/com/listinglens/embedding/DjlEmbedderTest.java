package com.listinglens.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.listinglens.image.DecodedImage;
import com.listinglens.image.ImageDecoder;
import com.listinglens.image.ImageSettings;
import com.listinglens.image.Preprocessor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DjlEmbedderTest {

    private static final String FP32_SHA = "38c01c3c20cc6b6d102050b88100687c2a6e87494edfab14228ed37b582222d1";
    private static final String INT8_SHA = "24567c14570d627a5cf20b35933d2f90295cb273b40a0246e87f126999e6745f";

    private static DjlEmbedder int8;
    private static DjlEmbedder fp32;
    private static List<float[]> photos;

    @BeforeAll
    static void load() {
        int8 = new DjlEmbedder(SharedData.settings("int8").withBatch(4, 2));
        fp32 = new DjlEmbedder(SharedData.settings("fp32").withBatch(8, 1));
        ImageSettings settings = ImageSettings.defaults();
        ImageDecoder decoder = new ImageDecoder(settings);
        Preprocessor preprocessor = new Preprocessor(settings);
        photos = new ArrayList<>();
        List<SharedData.Photo> val = SharedData.valPhotos();
        for (int i = 0; i < val.size() && photos.size() < 12; i += 25) { // different products
            try (DecodedImage image = decoder.decode(SharedData.bytes(val.get(i).file()))) {
                photos.add(preprocessor.toTensor(image));
            }
        }
    }

    @AfterAll
    static void close() {
        if (int8 != null) {
            int8.close();
        }
        if (fp32 != null) {
            fp32.close();
        }
    }

    @Test
    void describesTheModelItServes() {
        ModelInfo info = int8.info();
        assertThat(info.name()).isEqualTo("mobilenet_v2");
        assertThat(info.precision()).isEqualTo("int8");
        assertThat(info.device()).isEqualTo("cpu");
        assertThat(info.dimension()).isEqualTo(1280);
        assertThat(info.sha256()).isEqualTo(INT8_SHA);
        assertThat(info.path()).isEqualTo(SharedData.model("int8").toAbsolutePath());
        assertThat(fp32.info().sha256()).isEqualTo(FP32_SHA);
        assertThat(int8.dimension()).isEqualTo(1280);
    }

    @Test
    void rowsAreUnitLength() {
        for (float[] row : int8.embed(photos)) {
            assertThat(row).hasSize(1280);
            assertThat(Vectors.norm(row)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    @Test
    void batchesGiveTheSameRowsAsOneByOne() {
        for (DjlEmbedder embedder : List.of(int8, fp32)) {
            float[][] batched = embedder.embed(photos); // 12 photos: batches of 4 (int8) or 8 + 4 (fp32)
            for (int i = 0; i < photos.size(); i++) {
                float[] single = embedder.embed(photos.get(i));
                assertThat(Vectors.cosine(batched[i], single)).as("%s row %d", embedder.info().precision(), i)
                        .isGreaterThan(0.999);
            }
        }
    }

    @Test
    void int8AndFp32ShareOneSpace() {
        float[][] a = int8.embed(photos);
        float[][] b = fp32.embed(photos);
        double sum = 0;
        double min = 1;
        for (int i = 0; i < a.length; i++) {
            double c = Vectors.cosine(a[i], b[i]);
            sum += c;
            min = Math.min(min, c);
        }
        System.out.printf("cosine(int8, fp32) on %d photos: mean %.4f, min %.4f%n", a.length, sum / a.length, min);
        assertThat(sum / a.length).isGreaterThan(0.97);
        assertThat(min).isGreaterThan(0.9);
        // and different photos are not all alike
        assertThat(Vectors.cosine(a[0], a[a.length - 1])).isLessThan(0.9);
    }

    @Test
    void threeThreadsAtOnce() throws Exception {
        float[][] expected = int8.embed(photos);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Callable<Boolean>> jobs = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                int offset = t;
                jobs.add(() -> {
                    for (int round = 0; round < 4; round++) {
                        int from = (offset * 3 + round) % (photos.size() - 3);
                        float[][] rows = int8.embed(photos.subList(from, from + 3));
                        for (int i = 0; i < 3; i++) {
                            if (Vectors.cosine(rows[i], expected[from + i]) < 0.999) {
                                return false;
                            }
                        }
                    }
                    return true;
                });
            }
            for (Future<Boolean> f : pool.invokeAll(jobs)) {
                assertThat(f.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void emptyInputAndBadTensors() {
        assertThat(int8.embed(List.of())).isEmpty();
        assertThatThrownBy(() -> int8.embed(List.of(new float[10])))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> int8.embed(List.of(new float[3 * 224 * 224], new float[3 * 200 * 200])))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aMissingModelFileIsAClearError() {
        Path missing = Path.of("no/such/model.pt");
        ModelSettings settings = new ModelSettings("ghost", missing, "int8", "cpu", 1280, 8, 1, 1);
        assertThatThrownBy(() -> new DjlEmbedder(settings))
                .isInstanceOf(EmbeddingException.class)
                .hasMessageContaining("not found")
                .hasMessageContaining(missing.toAbsolutePath().toString());
    }

    @Test
    void aFileThatIsNotTorchScriptIsAClearError(@TempDir Path dir) throws Exception {
        Path bogus = dir.resolve("bogus.pt");
        java.nio.file.Files.writeString(bogus, "not a model");
        assertThatThrownBy(() -> new DjlEmbedder(new ModelSettings("bogus", bogus, "fp32", "cpu", 1280, 8, 1, 0)))
                .isInstanceOf(EmbeddingException.class)
                .hasMessageContaining("Could not load TorchScript model 'bogus'");
    }

    @Test
    void aWrongDimensionIsCaughtAtLoad() {
        assertThatThrownBy(() -> new DjlEmbedder(SharedData.settings("int8").withDimension(512).withBatch(8, 1)))
                .isInstanceOf(EmbeddingException.class)
                .hasMessageContaining("1280")
                .hasMessageContaining("512");
    }

    @Test
    void gpuRequestsFailClearlyWithoutAGpuAndInt8NeverGoesThere() {
        ModelSettings int8Gpu = new ModelSettings("m", SharedData.model("int8"), "int8", "gpu", 1280, 8, 1, 0);
        assertThatThrownBy(() -> new DjlEmbedder(int8Gpu))
                .isInstanceOf(EmbeddingException.class)
                .hasMessageContaining("CPU only");
        if (ai.djl.engine.Engine.getEngine("PyTorch").getGpuCount() == 0) {
            ModelSettings fp32Gpu = new ModelSettings("m", SharedData.model("fp32"), "fp32", "gpu", 1280, 8, 1, 0);
            assertThatThrownBy(() -> new DjlEmbedder(fp32Gpu))
                    .isInstanceOf(EmbeddingException.class)
                    .hasMessageContaining("no CUDA GPU");
        }
    }

    @Test
    void closedEmbedderRefusesWork() {
        DjlEmbedder e = new DjlEmbedder(SharedData.settings("int8").withBatch(8, 1));
        e.close();
        e.close();
        assertThatThrownBy(() -> e.embed(photos.get(0))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void settingsAreValidated() {
        Path p = Path.of("m.pt");
        assertThatThrownBy(() -> new ModelSettings("m", p, "int4", "cpu", 1280, 8, 1, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ModelSettings("m", p, "int8", "tpu", 1280, 8, 1, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ModelSettings("m", p, "int8", "cpu", 1280, 0, 1, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new ModelSettings(null, p, "INT8", "CPU", 1280, 8, 1, 1))
                .extracting(ModelSettings::name, ModelSettings::precision, ModelSettings::device)
                .containsExactly("m", "int8", "cpu");
    }
}
