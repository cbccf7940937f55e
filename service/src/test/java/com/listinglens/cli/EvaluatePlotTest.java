package com.listinglens.cli;

import com.listinglens.eval.EvaluationResults;
import com.listinglens.eval.FieldOutcome;
import com.listinglens.eval.ReportFigures;
import com.listinglens.eval.UploadOutcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** lens evaluate's figures from saved results (no evaluation: --compare without --catalog), and its results files. */
class EvaluatePlotTest {

    @TempDir
    Path tmp;

    /** Ten uploads of two leaf categories; {@code wrong} of them answered with the other category. */
    private static EvaluationResults results(String label, int wrong) {
        List<UploadOutcome> uploads = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String truth = i % 2 == 0 ? "Fruit > Apple > Gala" : "Fruit > Pear > Conference";
            String other = i % 2 == 0 ? "Fruit > Pear > Conference" : "Fruit > Apple > Gala";
            boolean right = i >= wrong;
            Map<String, FieldOutcome> fields = new LinkedHashMap<>();
            fields.put("category level 1", new FieldOutcome("Fruit", "Fruit", 0.95, true));
            fields.put("category leaf", new FieldOutcome(truth, right ? truth : other, 0.5 + i * 0.05, right));
            fields.put("brand", new FieldOutcome("B", i == 9 ? null : "B", i == 9 ? null : 0.8, i != 9));
            uploads.add(new UploadOutcome("u" + i, "img/" + i + ".jpg", fields));
        }
        return EvaluationResults.of(label, new EvaluationResults.Setup("val.jsonl", "sha", "v1", 50, "mobilenet_v2", "int8", 1,
                "2025-01-01T00:00:00Z"), uploads);
    }

    private record Run(int code, String out, String err) {
    }

    private static Run evaluate(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new CommandLine(new EvaluateCommand()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void drawsSavedRunsSideBySideAndNamesTheFiles() throws Exception {
        Path trained = tmp.resolve("trained.json");
        Path stock = tmp.resolve("stock.json");
        ResultsFile.write(trained, results("trained", 2));
        ResultsFile.write(stock, results("stock", 4));
        Path png = tmp.resolve("figures/report.png");

        Run run = evaluate("--compare", trained.toString(), stock.toString(), "--plot", png.toString());

        assertThat(run.code()).as(run.err()).isZero();
        Path reliability = tmp.resolve("figures/report-reliability.png");
        Path confusion = tmp.resolve("figures/report-confusion.png");
        assertThat(run.out()).contains("accuracy against coverage: " + png)
                .contains("reliability diagrams: " + reliability)
                .contains("most confused leaf categories: " + confusion);
        // the side-by-side table: leaf 80 % against 60 %, each with its standard error
        assertThat(run.out().lines()).anySatisfy(l -> assertThat(l).startsWith("category leaf").contains("80.0% (12.6)")
                .contains("60.0% (15.5)"));
        BufferedImage curve = ImageIO.read(png.toFile());
        assertThat(curve.getWidth()).isEqualTo(2 * ReportFigures.CURVE_WIDTH);
        assertThat(curve.getHeight()).isEqualTo(ReportFigures.CURVE_HEIGHT);
        BufferedImage diagrams = ImageIO.read(reliability.toFile());
        assertThat(diagrams.getWidth()).isEqualTo(2 * ReportFigures.RELIABILITY_WIDTH);
        assertThat(diagrams.getHeight()).as("leaf, level 1 and brand").isEqualTo(ReportFigures.RELIABILITY_HEADER
                + 3 * ReportFigures.RELIABILITY_HEIGHT + ReportFigures.RELIABILITY_FOOTER);
        BufferedImage table = ImageIO.read(confusion.toFile());
        assertThat(table.getWidth()).isEqualTo(2 * ReportFigures.CONFUSION_WIDTH);
        assertThat(table.getHeight()).isEqualTo(ReportFigures.CONFUSION_HEADER + 13 * ReportFigures.CONFUSION_ROW
                + ReportFigures.CONFUSION_FOOTER);
        assertThat(System.getProperty("java.awt.headless")).isNotNull();
    }

    @Test
    void aResultsFileReadsBackAsWritten() throws Exception {
        EvaluationResults written = results("stock", 3);
        Path file = tmp.resolve("deep/stock.json");
        ResultsFile.write(file, written);
        EvaluationResults read = ResultsFile.read(file);
        assertThat(read).isEqualTo(written);
        assertThat(read.uploads().get(0).fields().keySet()).containsExactly("category level 1", "category leaf", "brand");
        assertThat(read.header().fields().get("category leaf").correct()).isEqualTo(7);
        assertThat(read.uploads().get(9).field("brand").answer()).as("an abstention stays null").isNull();
        String json = Files.readString(file);
        assertThat(json).contains("\"label\" : \"stock\"").contains("\"poolVersion\" : \"v1\"").contains("\"truth\" : \"Fruit > Apple > Gala\"");

        Files.writeString(tmp.resolve("newer.json"), json.replace("\"format\" : 1", "\"format\" : 99"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ResultsFile.read(tmp.resolve("newer.json")))
                .hasMessageContaining("format 99");
        Files.writeString(tmp.resolve("other.json"), "{\"uploads\": []}");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ResultsFile.read(tmp.resolve("other.json")))
                .hasMessageContaining("not evaluation results");
    }

    @Test
    void needsACatalogOrSavedResults() {
        Run run = evaluate("--plot");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("give --catalog to evaluate, or --compare");
    }

    @Test
    void theFiguresAreNamedAfterThePlot() {
        EvaluateCommand.Figures f = EvaluateCommand.Figures.beside(Path.of("target/eval/accuracy-coverage.png"));
        assertThat(f.reliability()).isEqualTo(Path.of("target/eval/accuracy-coverage-reliability.png"));
        assertThat(f.confusion()).isEqualTo(Path.of("target/eval/accuracy-coverage-confusion.png"));
        assertThat(EvaluateCommand.Figures.beside(Path.of("report")).reliability()).isEqualTo(Path.of("report-reliability.png"));
        assertThat(EvaluateCommand.fileName("stock fp32/v2")).isEqualTo("stock_fp32_v2");
        assertThat(EvaluateCommand.fileName("..")).isEqualTo("_..");
        assertThat(EvaluateCommand.defaultLabel(null)).isEqualTo("model");
        assertThat(EvaluateCommand.defaultLabel("mobilenet_v2")).isEqualTo("mobilenet_v2");
    }
}
