package com.listinglens.image;

import com.listinglens.config.Settings;
import com.listinglens.config.ConfigLoader;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class MultiScaleTest {

    private static final ImageSettings BASE = ImageSettings.defaults();

    @Test
    void viewsKeepTheModelsResizeRatio() {
        assertThat(MultiScale.at(BASE, 224).resizeShorter()).isEqualTo(256);
        assertThat(MultiScale.at(BASE, 320).resizeShorter()).isEqualTo(366);
        assertThat(MultiScale.at(BASE, 320).cropSize()).isEqualTo(320);
        MultiScale m = new MultiScale(BASE, List.of(224, 320));
        assertThat(m.views()).isEqualTo(2);
        assertThat(m.decodeShorter()).isEqualTo(366);
        assertThat(m.spaceSuffix()).isEqualTo("@224+320");
        assertThat(new MultiScale(BASE, List.of()).spaceSuffix()).isEmpty();
        assertThat(new MultiScale(BASE, List.of(224)).spaceSuffix()).isEmpty();
        assertThat(new MultiScale(BASE, List.of(320)).spaceSuffix()).isEqualTo("@320");
        assertThat(new MultiScale(new Preprocessor(BASE)).decodeShorter()).isEqualTo(256);
    }

    @Test
    void badScalesAreRefused() {
        assertThatThrownBy(() -> new MultiScale(BASE, List.of(224, 224))).hasMessageContaining("twice");
        assertThatThrownBy(() -> new MultiScale(BASE, List.of(16))).hasMessageContaining("outside 32..2048");
    }

    @Test
    void eachViewIsTheSingleScaleTensorOfItsSize() throws Exception {
        OpenCv.ensureLoaded();
        ImageDecoder decoder = new ImageDecoder(BASE);
        MultiScale m = new MultiScale(BASE, List.of(224, 320));
        try (DecodedImage image = decoder.decode(TestImageFixtures.read("quadrants-96x64.png"), m.decodeShorter())) {
            List<float[]> views = m.toTensors(image);
            assertThat(views).hasSize(2);
            assertThat(views.get(0)).hasSize(3 * 224 * 224).containsExactly(new Preprocessor(BASE).toTensor(image));
            assertThat(views.get(1)).hasSize(3 * 320 * 320).containsExactly(new Preprocessor(MultiScale.at(BASE, 320)).toTensor(image));
        }
    }

    @Test
    void theViewsArePartOfTheEmbeddingSpace() {
        String base = ConfigLoader.load().model().space();
        // the default: crops 224 and 320
        assertThat(Settings.resolveModel(ConfigLoader.load(), null, "int8").space()).isEqualTo(base + "@224+320");
        assertThat(Settings.resolveModel(ConfigLoader.load(Map.of("lens.image.scales", "224")), null, "int8").space())
                .isEqualTo(base);
        assertThat(Settings.resolveModel(ConfigLoader.load(Map.of("lens.image.scales", "224,288")), null, "int8").space())
                .isEqualTo(base + "@224+288");
        assertThat(Files.exists(TestImageFixtures.fixtureDir())).isTrue();
    }
}
