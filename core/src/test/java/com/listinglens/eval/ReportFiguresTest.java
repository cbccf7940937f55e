package com.listinglens.eval;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ReportFiguresTest {

    /** A run of 40 uploads: level 1, leaf and brand with confidences, price without. */
    static EvaluationResults run(String label, int seed) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        String[] leaves = {"Fruit > Apple > Gala", "Fruit > Apple > Pink-Lady", "Fruit > Pear > Conference",
                "Packages > Juice > God-Morgon-Orange-Red-Grapefruit-Juice-With-A-Name-Far-Too-Long-For-Its-Column"};
        List<UploadOutcome> uploads = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String truth = leaves[i % leaves.length];
            String answer = random.nextDouble() < 0.7 ? truth : random.nextDouble() < 0.1 ? null : leaves[random.nextInt(leaves.length)];
            double c = random.nextDouble();
            Map<String, FieldOutcome> fields = new LinkedHashMap<>();
            String root = truth.substring(0, truth.indexOf(' '));
            fields.put("category level 1", new FieldOutcome(root, answer == null ? null : answer.substring(0, answer.indexOf(' ')),
                    answer == null ? null : c, answer != null && answer.startsWith(root)));
            fields.put("category leaf", new FieldOutcome(truth, answer, answer == null ? null : c, truth.equals(answer)));
            fields.put("brand", new FieldOutcome("B", "B", 0.9, true));
            fields.put("price in band", new FieldOutcome("2.0", "1.0 to 3.0", null, true));
            uploads.add(new UploadOutcome("u" + i, i + ".jpg", fields));
        }
        return EvaluationResults.of(label, EvaluationResultsTest.SETUP, uploads);
    }

    private static long inkPixels(BufferedImage image) {
        long ink = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                ink += (image.getRGB(x, y) & 0xffffff) != 0xffffff ? 1 : 0;
            }
        }
        return ink;
    }

    @Test
    void oneRunKeepsTheAccuracyCoveragePanelsSize() {
        BufferedImage one = ReportFigures.accuracyCoverage(List.of(run("stock", 1)));
        assertThat(one.getWidth()).isEqualTo(900);
        assertThat(one.getHeight()).isEqualTo(600);
        assertThat(inkPixels(one)).isGreaterThan(10_000);
    }

    @Test
    void runsSitSideBySide() {
        List<EvaluationResults> runs = List.of(run("trained", 1), run("stock", 2));
        BufferedImage curves = ReportFigures.accuracyCoverage(runs);
        assertThat(curves.getWidth()).isEqualTo(2 * ReportFigures.CURVE_WIDTH);
        assertThat(curves.getHeight()).isEqualTo(ReportFigures.CURVE_HEIGHT);
        BufferedImage reliability = ReportFigures.reliability(runs, 10);
        // three fields with confidences (price has none): leaf, level 1, brand
        assertThat(reliability.getWidth()).isEqualTo(2 * ReportFigures.RELIABILITY_WIDTH);
        assertThat(reliability.getHeight()).isEqualTo(ReportFigures.RELIABILITY_HEADER + 3 * ReportFigures.RELIABILITY_HEIGHT
                + ReportFigures.RELIABILITY_FOOTER);
        BufferedImage confusion = ReportFigures.confusion(runs, "category leaf", 12);
        assertThat(confusion.getWidth()).isEqualTo(2 * ReportFigures.CONFUSION_WIDTH);
        assertThat(confusion.getHeight()).isEqualTo(ReportFigures.CONFUSION_HEADER + 13 * ReportFigures.CONFUSION_ROW
                + ReportFigures.CONFUSION_FOOTER);
        // both columns are drawn
        assertThat(inkPixels(confusion.getSubimage(0, 0, 800, confusion.getHeight()))).isGreaterThan(2_000);
        assertThat(inkPixels(confusion.getSubimage(800, 0, 800, confusion.getHeight()))).isGreaterThan(2_000);
    }

    @Test
    void reliabilityRowsAreTheFieldsWithConfidencesLeafFirst() {
        List<Scorecard> cards = List.of(run("a", 1).scorecard());
        assertThat(ReportFigures.reliabilityFields(cards)).containsExactly("category leaf", "category level 1", "brand");
        assertThat(ReportFigures.fieldsOf(cards, false)).containsExactly("category level 1", "category leaf", "brand",
                "price in band");
    }

    @Test
    void aRunWithoutTheFieldOrWithoutErrorsStillDraws() {
        EvaluationResults empty = EvaluationResults.of("empty", EvaluationResultsTest.SETUP, List.of());
        BufferedImage confusion = ReportFigures.confusion(List.of(run("a", 1), empty), "category leaf", 5);
        assertThat(confusion.getWidth()).isEqualTo(1600);
        BufferedImage reliability = ReportFigures.reliability(List.of(empty), 10);
        assertThat(reliability.getHeight()).as("one row saying there is nothing").isEqualTo(ReportFigures.RELIABILITY_HEADER
                + ReportFigures.RELIABILITY_HEIGHT + ReportFigures.RELIABILITY_FOOTER);
    }

    @Test
    void longTextIsCutToFit() {
        java.awt.FontMetrics fm = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics().getFontMetrics();
        assertThat(ReportFigures.fitted(fm, "short", 500)).isEqualTo("short");
        String cut = ReportFigures.fitted(fm, "a rather long category name that will not fit", 80);
        assertThat(cut).endsWith("\u2026");
        assertThat(fm.stringWidth(cut)).isLessThanOrEqualTo(80);
    }
}
