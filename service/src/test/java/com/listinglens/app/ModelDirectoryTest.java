package com.listinglens.app;

import com.listinglens.config.Settings;
import com.listinglens.config.ConfigLoader;
import com.listinglens.config.LensConfig;
import com.listinglens.storage.ArtifactRefusedException;
import com.listinglens.storage.FileBlobStore;
import com.listinglens.storage.Layout;
import com.listinglens.storage.Publisher;
import com.listinglens.support.TestStores;
import org.junit.jupiter.api.Test;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * lens.model.source=directory: one model version's folder (as a read-only volume per model version holds it, the
 * layout publish-model writes) is checked against its manifest in place: name, version, size and sha-256 of the file
 * that is loaded.
 */
class ModelDirectoryTest {

    @Test
    void aPublishedVersionFolderResolvesToItsFileSpaceAndVersion() throws Exception {
        Path folder = publish("v7");
        Settings.ResolvedModel r = Settings.resolveModel(config(folder, "v7"), null, "int8");
        assertThat(r.version()).isEqualTo("v7");
        // the manifest's space, with the configured views' suffix (a pool embedded with other views is another space)
        assertThat(r.space()).isEqualTo("space-x" + Settings.scales(config(folder, "v7")).spaceSuffix());
        assertThat(Settings.scales(config(folder, "v7")).spaceSuffix()).isEqualTo("@224+320");
        assertThat(r.settings().path()).isEqualTo(folder.resolve("model_int8.pt"));
        assertThat(r.settings().dimension()).isEqualTo(16);
        // fp16 (GPU) loads the fp32 file
        assertThat(Settings.resolveModel(config(folder, null), null, "fp16").settings().path()).isEqualTo(folder.resolve("model_fp32.pt"));
    }

    @Test
    void aVersionTrainedForOneViewIsServedAtThatViewWithItsFp16FileAndInItsOwnSpace() throws Exception {
        Path folder = publish("v10", java.util.List.of(224), true);
        LensConfig config = config(folder, "v10");
        Settings.ResolvedModel r = Settings.resolveModel(config, null, "int8");
        // the manifest's views win over lens.model.views (224,320 for the stock model files)
        assertThat(config.model().views()).contains(java.util.List.of(224, 320));
        assertThat(r.views()).containsExactly(224);
        assertThat(Settings.scales(config, r).crops()).containsExactly(224);
        assertThat(r.space()).isEqualTo("space-x" + Settings.scales(config, r).spaceSuffix()).doesNotContain("320");
        assertThat(Settings.resolveModel(config, null, "fp16").settings().path()).isEqualTo(folder.resolve("model_fp16.pt"));
        // lens.image.scales, when set, overrides the manifest
        Map<String, String> o = new LinkedHashMap<>(Map.of("lens.model.source", "directory", "lens.model.name", "tiny",
                "lens.model.directory", folder.toString(), "lens.image.scales", "256"));
        LensConfig pinned = ConfigLoader.load(o);
        assertThat(Settings.scales(pinned, Settings.resolveModel(pinned, null, "int8")).crops()).containsExactly(256);
        // the same space name published without views is served at the configured two views: another space, so a
        // pool built for one is refused by the other (publish() starts a fresh store: this comes last)
        assertThat(r.space()).isNotEqualTo(Settings.resolveModel(config(publish("v11"), "v11"), null, "int8").space());
    }

    @Test
    void aVersionWithoutViewsTakesTheConfiguredViews() throws Exception {
        Path folder = publish("v12");
        Settings.ResolvedModel r = Settings.resolveModel(config(folder, "v12"), null, "fp32");
        assertThat(r.views()).containsExactly(224, 320);
    }

    @Test
    void anotherVersionNameOrATamperedFileIsRefused() throws Exception {
        Path folder = publish("v8");
        assertThatThrownBy(() -> Settings.resolveModel(config(folder, "v9"), null, "int8"))
                .isInstanceOf(ArtifactRefusedException.class).hasMessageContaining("version v8, not lens.model.version v9");
        Files.write(folder.resolve("model_int8.pt"), "int8 weightZ".getBytes());
        assertThatThrownBy(() -> Settings.resolveModel(config(folder, "v8"), null, "int8"))
                .isInstanceOf(ArtifactRefusedException.class).hasMessageContaining("sha-256");
        Files.write(folder.resolve("model_int8.pt"), "int8".getBytes());
        assertThatThrownBy(() -> Settings.resolveModel(config(folder, "v8"), null, "int8"))
                .isInstanceOf(ArtifactRefusedException.class).hasMessageContaining("truncated");
    }

    @Test
    void theProbePhotosTravelWithTheVersionAndAreCheckedLikeItsFiles() throws Exception {
        Path src = TestStores.fresh("probe-src");
        Path a = Files.write(src.resolve("Banana_001.JPG"), "jpeg a".getBytes());
        Path b = Files.write(src.resolve("b.png"), "png b".getBytes());
        Path folder = publish("v13", java.util.List.of(), false, java.util.List.of(a, b));
        assertThat(Files.readString(folder.resolve("manifest.json"))).contains("probe-00.jpg").contains("probe-01.png");
        assertThat(Files.readString(folder.resolve("probe-00.jpg"))).isEqualTo("jpeg a");
        Settings.ResolvedModel r = Settings.resolveModel(config(folder, "v13"), null, "int8");
        assertThat(r.probePhotos()).containsExactly(folder.resolve("probe-00.jpg"), folder.resolve("probe-01.png"));
        // a pinned path keeps them
        assertThat(r.withSettings(r.settings()).probePhotos()).isEqualTo(r.probePhotos());
        // a version published without them has none
        assertThat(Settings.resolveModel(config(publish("v14"), "v14"), null, "int8").probePhotos()).isEmpty();
        // a photo changed on the volume is refused like a model file
        Files.write(folder.resolve("probe-01.png"), "png B".getBytes());
        assertThatThrownBy(() -> Settings.resolveModel(config(folder, "v13"), null, "int8"))
                .isInstanceOf(ArtifactRefusedException.class).hasMessageContaining("probe-01.png");
    }

    @Test
    void aFolderWithoutManifestOrWithoutDirectoryIsAClearError() {
        Path empty = TestStores.fresh("model-empty");
        assertThatThrownBy(() -> Settings.resolveModel(config(empty, null), null, "int8"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no readable model manifest");
        LensConfig noDir = ConfigLoader.load(Map.of("lens.model.source", "directory"));
        assertThatThrownBy(() -> Settings.resolveModel(noDir, null, "int8"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lens.model.directory");
    }

    private static LensConfig config(Path folder, String version) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("lens.model.source", "directory");
        o.put("lens.model.name", "tiny");
        o.put("lens.model.directory", folder.toString());
        if (version != null) {
            o.put("lens.model.version", version);
        }
        return ConfigLoader.load(o);
    }

    /** publish-model's layout in a folder store; the version folder is what a model volume holds. */
    private static Path publish(String version) throws Exception {
        return publish(version, java.util.List.of(), false);
    }

    private static Path publish(String version, java.util.List<Integer> views, boolean fp16) throws Exception {
        return publish(version, views, fp16, java.util.List.of());
    }

    private static Path publish(String version, java.util.List<Integer> views, boolean fp16, java.util.List<Path> probe) throws Exception {
        Path src = TestStores.fresh("model-src");
        Path int8 = Files.write(src.resolve("model_int8.pt"), "int8 weights".getBytes());
        Path fp32 = Files.write(src.resolve("model_fp32.pt"), "fp32 weights".getBytes());
        Path store = TestStores.fresh("model-store");
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("int8", int8);
        files.put("fp32", fp32);
        if (fp16) {
            files.put("fp16", Files.write(src.resolve("model_fp16.pt"), "fp16 weights".getBytes()));
        }
        try (FileBlobStore fs = new FileBlobStore(store)) {
            new Publisher(fs, new Layout(""), new PrintStream(PrintStream.nullOutputStream()))
                    .publishModel("tiny", version, "space-x", 16, files, views, probe, true);
        }
        return store.resolve("models/tiny/" + version);
    }
}
