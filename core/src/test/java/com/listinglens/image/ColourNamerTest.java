package com.listinglens.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.opencv.core.Mat;
import org.opencv.core.Point;
import org.opencv.core.Scalar;
import org.opencv.imgproc.Imgproc;

class ColourNamerTest {

    private final ColourNamer namer = new ColourNamer();

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
        "#e53935, red", "#b71c1c, red", "#ff0000, red", "#8b1a1a, red",
        "#fb8c00, orange", "#ff7f27, orange",
        "#fdd835, yellow", "#ffff00, yellow", "#f2e394, yellow",
        "#2e7d32, green", "#66bb6a, green", "#00ff00, green", "#808000, green", "#3cb371, green",
        "#1565c0, blue", "#0000ff, blue", "#000080, blue", "#87ceeb, blue", "#5b7fa6, blue",
        "#6a1b9a, purple", "#8e44ad, purple", "#9370db, purple",
        "#f48fb1, pink", "#ff69b4, pink", "#e91e63, pink", "#ffb6c1, pink",
        "#6d4c41, brown", "#8b4513, brown", "#4e342e, brown", "#a0522d, brown",
        "#e8dcc0, beige", "#f5f5dc, beige", "#d2b48c, beige",
        "#9e9e9e, grey", "#808080, grey", "#bdbdbd, grey", "#555555, grey",
        "#212121, black", "#000000, black", "#0a0a0a, black",
        "#fafafa, white", "#ffffff, white", "#f0f0f0, white"
    })
    void namesCommonColours(String hex, String name) {
        assertThat(ColourNamer.nameOf(Lab.fromHex(hex))).isEqualTo(name);
    }

    @Test
    void labRoundTripsAndKnowsItsReferencePoints() {
        Lab white = Lab.fromRgb(255, 255, 255);
        assertThat(white.l()).isCloseTo(100, org.assertj.core.data.Offset.offset(0.01));
        assertThat(white.chroma()).isLessThan(0.01);
        Lab red = Lab.fromRgb(255, 0, 0); // sRGB red is about L 53.2, a 80.1, b 67.2
        assertThat(red.l()).isCloseTo(53.24, org.assertj.core.data.Offset.offset(0.05));
        assertThat(red.a()).isCloseTo(80.09, org.assertj.core.data.Offset.offset(0.05));
        assertThat(red.b()).isCloseTo(67.20, org.assertj.core.data.Offset.offset(0.05));
        assertThat(Lab.fromHex("#3a7bd5").toHex()).isEqualTo("#3a7bd5");
        // CIEDE2000 test pair 1 of Sharma et al.: 2.0425
        assertThat(new Lab(50, 2.6772, -79.7751).deltaE2000(new Lab(50, 0, -82.7485)))
                .isCloseTo(2.0425, org.assertj.core.data.Offset.offset(1e-4));
    }

    @Test
    void solidImagesAreTheirOwnColour() {
        int[][] colours = {{200, 30, 40}, {30, 60, 170}, {40, 140, 60}, {250, 250, 250}, {20, 20, 20}};
        String[] names = {"red", "blue", "green", "white", "black"};
        for (int i = 0; i < colours.length; i++) {
            try (DecodedImage image = PreprocessorTest.rgbImage(TestImageFixtures.solid(120, 90, colours[i]))) {
                NamedColour c = namer.dominant(image);
                assertThat(c.name()).isEqualTo(names[i]);
                assertThat(c.share()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
                int v = Integer.parseInt(c.hex().substring(1), 16);
                assertThat((v >> 16) & 0xFF).isCloseTo(colours[i][0], org.assertj.core.data.Offset.offset(2));
                assertThat((v >> 8) & 0xFF).isCloseTo(colours[i][1], org.assertj.core.data.Offset.offset(2));
                assertThat(v & 0xFF).isCloseTo(colours[i][2], org.assertj.core.data.Offset.offset(2));
            }
        }
    }

    @Test
    void aRedSquareOnWhiteIsRed() {
        try (DecodedImage image = new ImageDecoder(ImageSettings.defaults()).decode(TestImageFixtures.read("red-square-on-white.png"))) {
            NamedColour c = namer.dominant(image);
            assertThat(c.name()).isEqualTo("red");
            assertThat(c.hex()).isEqualTo("#d21923");
            List<NamedColour> ranked = namer.ranked(image);
            assertThat(ranked).extracting(NamedColour::name).containsExactly("red", "white");
            assertThat(ranked.stream().mapToDouble(NamedColour::share).sum())
                    .isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
        }
    }

    @Test
    void aSmallerSubjectStillBeatsTheBackground() {
        // a blue disc of radius 45 on a 200 px white background: 16 % of the pixels, 84 % of them white
        Mat m = TestImageFixtures.solid(200, 200, new int[] {255, 255, 255});
        Imgproc.circle(m, new Point(100, 100), 45, new Scalar(170, 80, 25), -1); // BGR: a mid blue
        try (DecodedImage image = PreprocessorTest.rgbImage(m)) {
            assertThat(namer.dominant(image).name()).isEqualTo("blue");
        }
    }

    @Test
    void aGreyObjectOnWhiteAndAWhiteObjectOnBlack() {
        try (DecodedImage image = PreprocessorTest.rgbImage(TestImageFixtures.squareOnBackground(160, 80,
                new int[] {128, 128, 128}, new int[] {255, 255, 255}))) {
            assertThat(namer.dominant(image).name()).isEqualTo("grey");
        }
        try (DecodedImage image = PreprocessorTest.rgbImage(TestImageFixtures.squareOnBackground(160, 80,
                new int[] {250, 250, 250}, new int[] {10, 10, 10}))) {
            assertThat(namer.dominant(image).name()).isEqualTo("white");
        }
    }

    @Test
    void aSubjectFillingTheFrameWinsOverALittleBackground() {
        // a yellow item covering all but a 10 px white margin
        try (DecodedImage image = PreprocessorTest.rgbImage(TestImageFixtures.squareOnBackground(200, 180,
                new int[] {245, 205, 30}, new int[] {255, 255, 255}))) {
            assertThat(namer.dominant(image).name()).isEqualTo("yellow");
        }
    }

    @Test
    void shadedSubjectIsStillOneName() {
        // a green gradient (light to dark) on beige: several green clusters merge into one name
        Mat m = TestImageFixtures.solid(160, 160, new int[] {232, 220, 192});
        for (int y = 40; y < 120; y++) {
            int g = 90 + (y - 40) * 2;
            Imgproc.line(m, new Point(40, y), new Point(119, y), new Scalar(40, g, 30));
        }
        try (DecodedImage image = PreprocessorTest.rgbImage(m)) {
            List<NamedColour> ranked = namer.ranked(image);
            assertThat(ranked.get(0).name()).isEqualTo("green");
            assertThat(ranked).extracting(NamedColour::name).doesNotHaveDuplicates();
        }
    }

    /** Seen on store photos of bananas: the shaded side alone would be "brown", the lit side "yellow". */
    @Test
    void aShadedYellowObjectIsYellowNotBrown() {
        Mat m = TestImageFixtures.solid(160, 160, new int[] {120, 120, 120});
        int[][] shades = {{0x7d, 0x5a, 0x1b}, {0xb1, 0x8d, 0x2f}, {0xda, 0xb9, 0x52}}; // dark, mid, lit
        for (int y = 30; y < 130; y++) {
            int[] s = shades[Math.min(2, (129 - y) * 3 / 100)]; // darker towards the bottom
            Imgproc.line(m, new Point(30, y), new Point(129, y), new Scalar(s[2], s[1], s[0]));
        }
        try (DecodedImage image = PreprocessorTest.rgbImage(m)) {
            assertThat(namer.dominant(image).name()).isEqualTo("yellow");
        }
        assertThat(ColourNamer.nameOf(Lab.fromHex("#7d5a1b"))).isEqualTo("brown"); // the shadow, alone
    }

    @Test
    void transparentBackgroundCountsAsWhite() {
        try (DecodedImage image = new ImageDecoder(ImageSettings.defaults()).decode(TestImageFixtures.read("transparent-red-disc.png"))) {
            assertThat(namer.dominant(image).name()).isEqualTo("red");
        }
    }

    @Test
    void paletteNamesAreTheMarketplaceOnes() {
        assertThat(ColourNamer.names()).containsExactly(
                "black", "grey", "white", "red", "orange", "yellow", "green", "blue", "purple", "pink", "brown", "beige");
    }
}
