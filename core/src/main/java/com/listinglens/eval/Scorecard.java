package com.listinglens.eval;

import com.listinglens.catalog.Listing;
import com.listinglens.suggest.ListingSuggestion;
import com.listinglens.suggest.WeightClasses;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Per-field accuracy of suggestions against the truth of held-out listings. A field counts only for
 * uploads whose truth has it; a null suggestion counts as wrong in accuracy (and is reported as coverage).
 * "category level N" scores the path down to level N (for every upload whose true path is that deep);
 * "category leaf" needs the whole true path, no more and no less.
 */
public final class Scorecard {

    /** Tally of one field. */
    public static final class Tally {
        long evaluated;
        long answered;
        long correct;
        /** (confidence, 1 if right) of every answer that came with a confidence. */
        final List<double[]> scored = new java.util.ArrayList<>();

        void add(boolean answeredIt, boolean right) {
            add(answeredIt, right, null);
        }

        void add(boolean answeredIt, boolean right, Double confidence) {
            evaluated++;
            if (answeredIt) {
                answered++;
                if (right) {
                    correct++;
                }
                if (confidence != null && !confidence.isNaN()) {
                    scored.add(new double[]{confidence, right ? 1 : 0});
                }
            }
        }

        /**
         * Accuracy over the {@code coverage} share of uploads answered most confidently (the rest abstain): what the
         * field is worth when it answers that often. NaN when fewer answers than that carry a confidence.
         */
        public double accuracyAtCoverage(double coverage) {
            int keep = (int) Math.ceil(coverage * evaluated);
            if (keep == 0 || scored.size() < keep) {
                return Double.NaN;
            }
            List<double[]> sorted = new java.util.ArrayList<>(scored);
            sorted.sort((a, b) -> Double.compare(b[0], a[0]));
            double right = 0;
            for (int i = 0; i < keep; i++) {
                right += sorted.get(i)[1];
            }
            return right / keep;
        }

        /**
         * Expected calibration error of the answers' confidences: answers binned by confidence in {@code bins} equal
         * bins, the gap |accuracy - mean confidence| of each bin weighted by its share of answers.
         */
        public double expectedCalibrationError(int bins) {
            double[] conf = new double[scored.size()];
            boolean[] right = new boolean[scored.size()];
            for (int i = 0; i < conf.length; i++) {
                conf[i] = scored.get(i)[0];
                right[i] = scored.get(i)[1] > 0;
            }
            return Calibrator.expectedCalibrationError(conf, right, bins);
        }

        /** (confidence, 1 if right) of every answer that came with a confidence, in the order given. */
        public List<double[]> scored() {
            return scored.stream().map(double[]::clone).toList();
        }

        /** (coverage, accuracy) when answering only above each confidence, most confident first. */
        public List<double[]> curve() {
            List<double[]> sorted = new java.util.ArrayList<>(scored);
            sorted.sort((a, b) -> Double.compare(b[0], a[0]));
            List<double[]> points = new java.util.ArrayList<>();
            double right = 0;
            for (int i = 0; i < sorted.size(); i++) {
                right += sorted.get(i)[1];
                points.add(new double[]{(i + 1.0) / evaluated, right / (i + 1)});
            }
            return points;
        }

        /** Correct answers over all uploads with a truth (null answers are wrong). */
        public double accuracy() {
            return evaluated == 0 ? Double.NaN : (double) correct / evaluated;
        }

        /** Share of uploads with a truth that got an answer. */
        public double coverage() {
            return evaluated == 0 ? Double.NaN : (double) answered / evaluated;
        }

        /** Correct answers over answers given. */
        public double precision() {
            return answered == 0 ? Double.NaN : (double) correct / answered;
        }

        public long evaluated() {
            return evaluated;
        }
    }

    private final WeightClasses weightClasses;
    private final Map<String, Tally> fields = new LinkedHashMap<>();
    private long uploads;

    public Scorecard(WeightClasses weightClasses) {
        this.weightClasses = weightClasses;
    }

    public synchronized void add(Listing truth, ListingSuggestion s) {
        uploads++;
        List<String> path = s.category().names();
        List<String> trueCategory = truth.category();
        List<ListingSuggestion.CategoryLevel> levels = s.category().path() == null ? List.of() : s.category().path();
        for (int level = 0; level < trueCategory.size(); level++) {
            boolean answered = path.size() > level;
            tally("category level " + (level + 1))
                    .add(answered, answered && path.subList(0, level + 1).equals(trueCategory.subList(0, level + 1)),
                            answered ? levels.get(level).confidence() : null);
        }
        if (!trueCategory.isEmpty()) {
            tally("category leaf").add(!path.isEmpty(), path.equals(trueCategory),
                    levels.isEmpty() ? null : levels.get(levels.size() - 1).confidence());
        }
        if (truth.title() != null) {
            tally("title").add(s.title().value() != null, truth.title().equals(s.title().value()), s.title().confidence());
        }
        if (truth.brand() != null) {
            tally("brand").add(s.brand().value() != null, truth.brand().equals(s.brand().value()), s.brand().confidence());
        }
        if (truth.weightGrams() != null) {
            WeightClasses.WeightClass expected = weightClasses.classify(truth.weightGrams());
            WeightClasses.WeightClass got = s.weightClass().value();
            tally("weight class").add(got != null, got != null && got.index() == expected.index(), s.weightClass().confidence());
        }
        if (truth.price() != null) {
            ListingSuggestion.PriceBand band = s.priceBand();
            boolean answered = band.low() != null;
            tally("price in band").add(answered, answered && truth.price() >= band.low() && truth.price() <= band.high());
        }
    }

    private Tally tally(String field) {
        return fields.computeIfAbsent(field, f -> new Tally());
    }

    public synchronized Map<String, Tally> fields() {
        return Map.copyOf(fields);
    }

    public synchronized Tally field(String name) {
        return fields.get(name);
    }

    public synchronized long uploads() {
        return uploads;
    }

    /** A table for people: accuracy (abstentions wrong), coverage, precision, accuracy at 90 % coverage, ECE. */
    public synchronized String table() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-18s %8s %9s %9s %9s %9s %7s%n", "field", "uploads", "accuracy", "coverage",
                "precision", "acc@90%", "ECE"));
        fields.forEach((name, t) -> b.append(String.format(Locale.ROOT, "%-18s %8d %8.1f%% %8.1f%% %8.1f%% %8s %7s%n",
                name, t.evaluated, 100 * t.accuracy(), 100 * t.coverage(), 100 * t.precision(),
                Double.isNaN(t.accuracyAtCoverage(0.9)) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * t.accuracyAtCoverage(0.9)),
                Double.isNaN(t.expectedCalibrationError(10)) ? "-" : String.format(Locale.ROOT, "%.3f", t.expectedCalibrationError(10)))));
        return b.toString();
    }

    /** Accuracy against coverage per field (answering only the most confident uploads), as a PNG. */
    public synchronized void plot(java.nio.file.Path png) throws java.io.IOException {
        int w = 900;
        int h = 600;
        int left = 70;
        int right = 220;
        int top = 40;
        int bottom = 60;
        java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(w, h, java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = image.createGraphics();
        g.setRenderingHint(java.awt.RenderingHints.KEY_ANTIALIASING, java.awt.RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, w, h);
        int pw = w - left - right;
        int ph = h - top - bottom;
        g.setColor(new java.awt.Color(225, 228, 232));
        for (int i = 0; i <= 10; i++) {
            int x = left + pw * i / 10;
            int y = top + ph * i / 10;
            g.drawLine(x, top, x, top + ph);
            g.drawLine(left, y, left + pw, y);
        }
        g.setColor(java.awt.Color.DARK_GRAY);
        g.drawRect(left, top, pw, ph);
        for (int i = 0; i <= 10; i += 2) {
            g.drawString((i * 10) + "%", left + pw * i / 10 - 12, top + ph + 18);
            g.drawString((i * 10) + "%", left - 40, top + ph - ph * i / 10 + 5);
        }
        g.drawString("coverage (share of uploads answered, most confident first)", left + pw / 2 - 170, h - 15);
        g.drawString("accuracy of the answers given", 10, top - 15);
        java.awt.Color[] colours = {new java.awt.Color(11, 92, 173), new java.awt.Color(214, 96, 8), new java.awt.Color(40, 140, 60),
                new java.awt.Color(170, 30, 120), new java.awt.Color(120, 90, 20), new java.awt.Color(20, 150, 160),
                new java.awt.Color(90, 90, 90), new java.awt.Color(200, 40, 40)};
        g.setStroke(new java.awt.BasicStroke(2f));
        int legend = 0;
        for (Map.Entry<String, Tally> e : fields.entrySet()) {
            List<double[]> curve = e.getValue().curve();
            if (curve.isEmpty()) {
                continue;
            }
            java.awt.Color c = colours[legend % colours.length];
            g.setColor(c);
            int px = -1;
            int py = -1;
            for (double[] p : curve) {
                int x = left + (int) Math.round(p[0] * pw);
                int y = top + ph - (int) Math.round(p[1] * ph);
                if (px >= 0) {
                    g.drawLine(px, py, x, y);
                }
                px = x;
                py = y;
            }
            g.drawLine(left + pw + 15, top + 10 + legend * 20, left + pw + 35, top + 10 + legend * 20);
            g.drawString(e.getKey(), left + pw + 40, top + 15 + legend * 20);
            legend++;
        }
        g.dispose();
        java.nio.file.Files.createDirectories(png.toAbsolutePath().getParent());
        javax.imageio.ImageIO.write(image, "png", png.toFile());
    }
}
