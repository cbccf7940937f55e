package com.listinglens.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.listinglens.catalog.Listing;
import com.listinglens.config.ConfigLoader;
import com.listinglens.config.LensConfig;
import com.listinglens.embedding.DjlEmbedder;
import com.listinglens.embedding.Embedder;
import com.listinglens.embedding.ModelSettings;
import com.listinglens.pool.PoolFiles;
import com.listinglens.support.TestPools;
import com.listinglens.support.TestStores;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code lens train-model} end to end on a few photos, as CI can afford: the real shared model fine-tuned by DJL for a
 * few steps, the real Python int8 step (quantization-aware training, 7-bit activations, fp16 file) and the real
 * check-model. Proves the path, and that training learns: the loss falls.
 */
class TrainModelCommandTest {

    @Test
    void aFewStepsOnAFewPhotosLowerTheLossAndMakeEveryVariantInOneNewSpace() throws Exception {
        Path dir = TestStores.fresh("train-model");
        Path catalog = smallCatalog(dir, 4, 6);
        Path out = dir.resolve("out");
        int rc = new CommandLine(new TrainModelCommand()).execute("--catalog", catalog.toString(), "--out", out.toString(),
                "--batch", "8", "--epochs", "6", "--patience", "6", "--holdout", "0.17", "--warmup", "0", "--lr", "5e-4",
                "--freeze-below", "12", "--no-augment", "--qat-steps", "3", "--seed", "3");
        assertThat(rc).as("train-model exit code (1: the int8 step failed or its check refused it)").isZero();

        JsonNode report = new ObjectMapper().readTree(out.resolve("training.json").toFile());
        JsonNode result = report.get("result");
        assertThat(result.get("trainPhotos").asInt()).isEqualTo(20);
        assertThat(result.get("holdoutPhotos").asInt()).isEqualTo(4);
        assertThat(result.get("steps").asInt()).isEqualTo(12); // 20 photos: 2 steps of 8 per epoch, 6 epochs
        double first = result.get("firstLoss").asDouble();
        double last = result.get("lastLoss").asDouble();
        assertThat(last).as("mean loss of the last steps against the first (%s -> %s)", first, last).isLessThan(0.8 * first);
        assertThat(report.get("views").get(0).asInt()).isEqualTo(224);
        assertThat(report.get("int8Check").asText()).isEqualTo("OK");

        LensConfig config = ConfigLoader.load();
        Path fp32 = out.resolve("mobilenet_v2-catalog_fp32.pt");
        Path int8 = out.resolve("mobilenet_v2-catalog_int8.pt");
        assertThat(out.resolve("mobilenet_v2-catalog_fp16.pt")).isRegularFile();
        // new weights: a new file, hence a new space fingerprint
        assertThat(PoolFiles.sha256(fp32)).isNotEqualTo(PoolFiles.sha256(config.model().fp32Path()));
        assertThat(report.get("space").asText()).startsWith("mobilenet_v2-catalog-d1280-").endsWith(PoolFiles.sha256(fp32).substring(0, 12));
        // both files load in the service's embedder and give the model's dimension
        for (Path file : List.of(fp32, int8)) {
            ModelSettings s = new ModelSettings("trained", file, file.equals(int8) ? "int8" : "fp32", "cpu", 1280, 1, 1, 0, "auto");
            try (Embedder e = new DjlEmbedder(s)) {
                assertThat(e.embed(List.of(new float[3 * 224 * 224]))[0]).hasSize(1280);
            }
        }
    }

    @Test
    void aTrainingCatalogSharingAPhotoWithTheEvaluationCatalogIsRefused() throws Exception {
        Path dir = TestStores.fresh("train-model-refused");
        Path val = TestPools.grocery().resolve("val.jsonl");
        String line = Files.readAllLines(val).get(0);
        Listing l = com.listinglens.catalog.CatalogReader.parse(line);
        Path photo = TestPools.grocery().resolve(l.image());
        assertThat(TrainModelCommand.overlap(List.of(photo), List.of(val))).contains("never trained on").contains(photo.toString());
        assertThat(TrainModelCommand.overlap(List.of(TestPools.grocery().resolve("train/x.jpg")), List.of(val))).isNull();
        Path catalog = Files.writeString(dir.resolve("leaky.jsonl"), line.replace("\"image\": \"", "\"image\": \""
                + TestPools.grocery().toString() + "/") + "\n");
        int rc = new CommandLine(new TrainModelCommand()).execute("--catalog", catalog.toString(), "--out", dir.resolve("out").toString());
        assertThat(rc).isEqualTo(2);
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void spreadTakesListingsRoundRobinOverTheClasses() {
        List<Listing> ls = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            ls.add(new Listing("l" + i, "p" + i + ".jpg", null, List.of(i < 6 ? "A" : i < 8 ? "B" : "C"), null, null, null, null));
        }
        assertThat(TrainModelCommand.spread(ls, 4)).containsExactly(0, 1, 6, 8);
        assertThat(TrainModelCommand.spread(ls, 100)).hasSize(9);
    }

    /** {@code perClass} photos of each of the first {@code classes} leaf categories of the train catalog, absolute paths. */
    private static Path smallCatalog(Path dir, int classes, int perClass) throws Exception {
        Path grocery = TestPools.grocery();
        Map<String, List<String>> byLeaf = new LinkedHashMap<>();
        for (String line : Files.readAllLines(grocery.resolve("train.jsonl"))) {
            Listing l = com.listinglens.catalog.CatalogReader.parse(line);
            String leaf = String.join("/", l.category());
            if (byLeaf.size() < classes || byLeaf.containsKey(leaf)) {
                List<String> lines = byLeaf.computeIfAbsent(leaf, k -> new ArrayList<>());
                if (lines.size() < perClass) {
                    lines.add(line.replace("\"image\": \"", "\"image\": \"" + grocery + "/"));
                }
            }
        }
        List<String> all = byLeaf.values().stream().flatMap(List::stream).toList();
        assertThat(all).hasSize(classes * perClass);
        return Files.write(dir.resolve("small.jsonl"), all);
    }
}
