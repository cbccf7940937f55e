package com.listinglens.eval;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Paint;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.TexturePaint;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The evaluation report's figures, one column per run so that runs (such as a catalog-trained and the stock model) sit
 * side by side, drawn in memory with Java2D (writing them is the caller's; use a headless JVM,
 * {@code -Djava.awt.headless=true}, where there is no display):
 * <ul>
 *   <li>{@link #accuracyCoverage}: accuracy against coverage per field, answering only the most confident uploads
 *       (one {@link #CURVE_WIDTH} x {@link #CURVE_HEIGHT} panel per run);</li>
 *   <li>{@link #reliability}: reliability diagrams (one row per field with confidences, the leaf category first):
 *       each bin's accuracy against the diagonal, the gap to the bin's mean confidence, the bin's count under the
 *       axis, and the field's ECE in the panel's title;</li>
 *   <li>{@link #confusion}: the most frequent (true, answered) pairs of a field as a table, counts shaded on one scale
 *       for all runs.</li>
 * </ul>
 * A field's colour is the same in every panel. The numbers come from {@link Scorecard}, {@link Reliability} and
 * {@link Confusions}, so the figures agree with the printed table.
 */
public final class ReportFigures {

    /** One run's accuracy-against-coverage panel. */
    public static final int CURVE_WIDTH = 900;
    public static final int CURVE_HEIGHT = 600;
    /** One reliability diagram. */
    public static final int RELIABILITY_WIDTH = 420;
    public static final int RELIABILITY_HEIGHT = 360;
    /** The run's label above a column of reliability diagrams, and the key under them. */
    public static final int RELIABILITY_HEADER = 40;
    public static final int RELIABILITY_FOOTER = 40;
    /** One run's confusion table, and its rows. */
    public static final int CONFUSION_WIDTH = 800;
    public static final int CONFUSION_ROW = 24;
    public static final int CONFUSION_HEADER = 80;
    public static final int CONFUSION_FOOTER = 44;

    private static final Color[] COLOURS = {new Color(11, 92, 173), new Color(214, 96, 8), new Color(40, 140, 60),
            new Color(170, 30, 120), new Color(120, 90, 20), new Color(20, 150, 160), new Color(90, 90, 90),
            new Color(200, 40, 40)};
    private static final Color GRID = new Color(225, 228, 232);
    private static final Color TEXT = new Color(40, 40, 40);
    private static final Color MUTED = new Color(120, 120, 120);
    private static final Color BAR = new Color(11, 92, 173, 170);
    private static final Color CONFIDENCE = new Color(190, 20, 20);
    /** The gap between a bin's accuracy and its mean confidence: red hatching, readable over a bar and over white. */
    private static final Paint GAP = hatch();
    private static final Font PLAIN = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    private static final Font SMALL = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    private static final Font BOLD = new Font(Font.SANS_SERIF, Font.BOLD, 13);
    private static final Font HEADING = new Font(Font.SANS_SERIF, Font.BOLD, 16);
    private static final Font ITALIC = new Font(Font.SANS_SERIF, Font.ITALIC, 12);

    private ReportFigures() {
    }

    /** Accuracy against coverage per field, one panel per run, left to right. */
    public static BufferedImage accuracyCoverage(List<EvaluationResults> runs) {
        List<Scorecard> cards = runs.stream().map(EvaluationResults::scorecard).toList();
        List<String> fields = fieldsOf(cards, false);
        BufferedImage image = canvas(CURVE_WIDTH * Math.max(1, runs.size()), CURVE_HEIGHT);
        Graphics2D g = graphics(image);
        for (int r = 0; r < runs.size(); r++) {
            Graphics2D panel = (Graphics2D) g.create(r * CURVE_WIDTH, 0, CURVE_WIDTH, CURVE_HEIGHT);
            curvePanel(panel, runs.get(r).label(), cards.get(r), fields);
            panel.dispose();
        }
        g.dispose();
        return image;
    }

    private static void curvePanel(Graphics2D g, String label, Scorecard card, List<String> fields) {
        int left = 70;
        int right = 230;
        int top = 50;
        int bottom = 60;
        int pw = CURVE_WIDTH - left - right;
        int ph = CURVE_HEIGHT - top - bottom;
        g.setFont(HEADING);
        g.setColor(TEXT);
        centred(g, label + ": accuracy against coverage", left + pw / 2, 24);
        g.setFont(PLAIN);
        g.setColor(GRID);
        for (int i = 0; i <= 10; i++) {
            g.drawLine(left + pw * i / 10, top, left + pw * i / 10, top + ph);
            g.drawLine(left, top + ph * i / 10, left + pw, top + ph * i / 10);
        }
        g.setColor(Color.DARK_GRAY);
        g.drawRect(left, top, pw, ph);
        for (int i = 0; i <= 10; i += 2) {
            centred(g, (i * 10) + "%", left + pw * i / 10, top + ph + 18);
            rightAligned(g, (i * 10) + "%", left - 8, top + ph - ph * i / 10 + 5);
        }
        centred(g, "coverage (share of uploads answered, most confident first)", left + pw / 2, CURVE_HEIGHT - 15);
        g.drawString("accuracy of the answers given", 10, top - 8);
        g.setStroke(new BasicStroke(2f));
        int legend = 0;
        for (String field : fields) {
            Scorecard.Tally t = card.field(field);
            if (t == null || t.curve().isEmpty()) {
                continue;
            }
            g.setColor(colour(fields, field));
            int px = -1;
            int py = -1;
            for (double[] p : t.curve()) {
                int x = left + (int) Math.round(p[0] * pw);
                int y = top + ph - (int) Math.round(p[1] * ph);
                if (px >= 0) {
                    g.drawLine(px, py, x, y);
                }
                px = x;
                py = y;
            }
            int ly = top + 10 + legend * 20;
            g.drawLine(left + pw + 12, ly, left + pw + 32, ly);
            g.setColor(TEXT);
            g.drawString(String.format(Locale.ROOT, "%s (%.1f%%)", field, 100 * t.accuracy()), left + pw + 38, ly + 5);
            legend++;
        }
        g.setColor(MUTED);
        g.setFont(SMALL);
        g.drawString("(in brackets: accuracy", left + pw + 12, top + 20 + legend * 20);
        g.drawString("at full coverage)", left + pw + 12, top + 34 + legend * 20);
    }

    /**
     * Reliability diagrams in {@code bins} equal confidence bins: a column per run, a row per field that has answers
     * with a confidence in any run (the leaf category first, then the scorecard's order).
     */
    public static BufferedImage reliability(List<EvaluationResults> runs, int bins) {
        List<Scorecard> cards = runs.stream().map(EvaluationResults::scorecard).toList();
        List<String> fields = reliabilityFields(cards);
        List<String> all = fieldsOf(cards, false);
        int rows = Math.max(1, fields.size());
        BufferedImage image = canvas(RELIABILITY_WIDTH * Math.max(1, runs.size()),
                RELIABILITY_HEADER + rows * RELIABILITY_HEIGHT + RELIABILITY_FOOTER);
        Graphics2D g = graphics(image);
        for (int r = 0; r < runs.size(); r++) {
            g.setFont(HEADING);
            g.setColor(TEXT);
            centred(g, runs.get(r).label(), r * RELIABILITY_WIDTH + RELIABILITY_WIDTH / 2, 26);
            for (int f = 0; f < fields.size(); f++) {
                Graphics2D panel = (Graphics2D) g.create(r * RELIABILITY_WIDTH, RELIABILITY_HEADER + f * RELIABILITY_HEIGHT,
                        RELIABILITY_WIDTH, RELIABILITY_HEIGHT);
                String field = fields.get(f);
                reliabilityPanel(panel, field, Reliability.of(cards.get(r).outcomes(field), bins), colour(all, field));
                panel.dispose();
            }
        }
        if (fields.isEmpty()) {
            g.setFont(PLAIN);
            g.setColor(MUTED);
            g.drawString("no field came with confidences", 20, RELIABILITY_HEADER + 40);
        }
        reliabilityKey(g, image.getHeight() - RELIABILITY_FOOTER + 24);
        g.dispose();
        return image;
    }

    /** Fields with at least one answer that carries a confidence, the leaf category first. */
    static List<String> reliabilityFields(List<Scorecard> cards) {
        List<String> fields = new ArrayList<>();
        for (String field : fieldsOf(cards, true)) {
            if (cards.stream().anyMatch(c -> c.outcomes(field).stream().anyMatch(FieldOutcome::scored))) {
                fields.add(field);
            }
        }
        return fields;
    }

    private static void reliabilityPanel(Graphics2D g, String field, Reliability r, Color colour) {
        int left = 56;
        int right = 20;
        int top = 52;
        int bottom = 66;
        int pw = RELIABILITY_WIDTH - left - right;
        int ph = RELIABILITY_HEIGHT - top - bottom;
        g.setFont(BOLD);
        g.setColor(colour);
        String ece = Double.isNaN(r.ece()) ? "ECE -" : String.format(Locale.ROOT, "ECE %.3f", r.ece());
        centred(g, field + "  \u00b7  " + ece, left + pw / 2, 18);
        g.setFont(SMALL);
        g.setColor(MUTED);
        String counts = r.binned() + " answers binned";
        if (r.abstained() > 0) {
            counts += ", " + r.abstained() + " abstained (wrong, not binned)";
        }
        if (r.unscored() > 0) {
            counts += ", " + r.unscored() + " without confidence";
        }
        centred(g, counts, left + pw / 2, 36);
        g.setColor(GRID);
        for (int i = 0; i <= 5; i++) {
            g.drawLine(left + pw * i / 5, top, left + pw * i / 5, top + ph);
            g.drawLine(left, top + ph * i / 5, left + pw, top + ph * i / 5);
        }
        for (Reliability.Bin b : r.bins()) {
            if (b.isEmpty()) {
                continue;
            }
            int x0 = left + (int) Math.round(b.low() * pw) + 1;
            int x1 = left + (int) Math.round(b.high() * pw) - 1;
            int yAcc = top + ph - (int) Math.round(b.accuracy() * ph);
            int yConf = top + ph - (int) Math.round(b.meanConfidence() * ph);
            g.setColor(BAR);
            g.fillRect(x0, yAcc, x1 - x0, top + ph - yAcc);
            g.setPaint(GAP);
            g.fillRect(x0, Math.min(yAcc, yConf), x1 - x0, Math.abs(yAcc - yConf));
            g.setColor(CONFIDENCE);
            g.setStroke(new BasicStroke(2f));
            g.drawLine(x0, yConf, x1, yConf);
            g.setStroke(new BasicStroke(1f));
        }
        g.setColor(MUTED);
        g.setStroke(new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[]{5f, 4f}, 0f));
        g.drawLine(left, top + ph, left + pw, top);
        g.setStroke(new BasicStroke(1f));
        g.setColor(Color.DARK_GRAY);
        g.drawRect(left, top, pw, ph);
        g.setFont(SMALL);
        for (int i = 0; i <= 5; i++) {
            centred(g, String.format(Locale.ROOT, "%.1f", i / 5.0), left + pw * i / 5, top + ph + 14);
            rightAligned(g, String.format(Locale.ROOT, "%.1f", i / 5.0), left - 6, top + ph - ph * i / 5 + 4);
        }
        int countsY = top + ph + 32;
        g.setColor(MUTED);
        rightAligned(g, "n", left - 6, countsY);
        for (Reliability.Bin b : r.bins()) {
            int centre = left + (int) Math.round((b.low() + b.high()) / 2 * pw);
            g.setColor(b.isEmpty() ? new Color(190, 190, 190) : TEXT);
            centred(g, Integer.toString(b.count()), centre, countsY);
        }
        g.setColor(TEXT);
        g.setFont(PLAIN);
        centred(g, "confidence (bins; n = answers in the bin)", left + pw / 2, RELIABILITY_HEIGHT - 12);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        centred(g, "accuracy in the bin", -(top + ph / 2), 16);
        g.setTransform(saved);
    }

    private static void reliabilityKey(Graphics2D g, int y) {
        g.setFont(PLAIN);
        int x = 20;
        g.setColor(BAR);
        g.fillRect(x, y - 10, 18, 12);
        g.setColor(TEXT);
        g.drawString("accuracy of the bin's answers", x + 24, y);
        x += 24 + g.getFontMetrics().stringWidth("accuracy of the bin's answers") + 24;
        g.setColor(CONFIDENCE);
        g.setStroke(new BasicStroke(2f));
        g.drawLine(x, y - 5, x + 18, y - 5);
        g.setStroke(new BasicStroke(1f));
        g.setColor(TEXT);
        g.drawString("their mean confidence", x + 24, y);
        x += 24 + g.getFontMetrics().stringWidth("their mean confidence") + 24;
        g.setPaint(GAP);
        g.fillRect(x, y - 10, 18, 12);
        g.setColor(TEXT);
        g.drawString("the gap between them", x + 24, y);
        x += 24 + g.getFontMetrics().stringWidth("the gap between them") + 24;
        g.setColor(MUTED);
        g.setStroke(new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[]{5f, 4f}, 0f));
        g.drawLine(x, y - 4, x + 18, y - 4);
        g.setStroke(new BasicStroke(1f));
        g.setColor(TEXT);
        g.drawString("perfect calibration", x + 24, y);
    }

    /**
     * The {@code limit} most frequent wrong (true, answered) pairs of {@code field}, one table per run; counts are
     * shaded on one scale for all runs.
     */
    public static BufferedImage confusion(List<EvaluationResults> runs, String field, int limit) {
        List<Scorecard> cards = runs.stream().map(EvaluationResults::scorecard).toList();
        List<Confusions> confusions = cards.stream().map(c -> Confusions.of(c.outcomes(field), limit)).toList();
        long max = confusions.stream().flatMap(c -> c.top().stream()).mapToLong(Confusions.Pair::count).max().orElse(1);
        BufferedImage image = canvas(CONFUSION_WIDTH * Math.max(1, runs.size()),
                CONFUSION_HEADER + (limit + 1) * CONFUSION_ROW + CONFUSION_FOOTER);
        Graphics2D g = graphics(image);
        for (int r = 0; r < runs.size(); r++) {
            Graphics2D panel = (Graphics2D) g.create(r * CONFUSION_WIDTH, 0, CONFUSION_WIDTH, image.getHeight());
            confusionPanel(panel, runs.get(r).label(), field, cards.get(r).field(field), confusions.get(r), limit, max);
            panel.dispose();
        }
        g.setFont(SMALL);
        g.setColor(MUTED);
        int y = image.getHeight() - 26;
        g.drawString("count: uploads of the true value given that answer, of all uploads of that true value (shade: count, one "
                + "scale for all columns). Grey: the leading levels the answer got right.", 20, y);
        g.drawString("An abstention counts as wrong, as in the accuracy.", 20, y + 15);
        g.dispose();
        return image;
    }

    private static void confusionPanel(Graphics2D g, String label, String field, Scorecard.Tally tally, Confusions c,
                                       int limit, long max) {
        int left = 20;
        int countWidth = 84;
        int gap = 12;
        int textWidth = (CONFUSION_WIDTH - 2 * left - countWidth - 2 * gap - 24) / 2;
        int truthX = left + countWidth + gap;
        int arrowX = truthX + textWidth;
        int answerX = arrowX + 24;
        g.setFont(HEADING);
        g.setColor(TEXT);
        g.drawString(label + ": most confused (" + field + ")", left, 26);
        g.setFont(PLAIN);
        g.setColor(MUTED);
        String summary = tally == null ? "no uploads with this field"
                : String.format(Locale.ROOT, "top %d of %d wrong answers (%d different pairs); accuracy %.1f%% of %d uploads",
                        c.top().size(), c.wrong(), c.distinctPairs(), 100 * tally.accuracy(), tally.evaluated());
        g.drawString(summary, left, 48);
        int y = CONFUSION_HEADER;
        g.setFont(BOLD);
        g.setColor(TEXT);
        g.drawString("count", left + 6, y - 8);
        g.drawString("true", truthX, y - 8);
        g.drawString("answered", answerX, y - 8);
        g.setColor(Color.DARK_GRAY);
        g.drawLine(left, y - 2, CONFUSION_WIDTH - left, y - 2);
        g.setFont(PLAIN);
        FontMetrics fm = g.getFontMetrics();
        for (int i = 0; i < limit; i++) {
            int rowTop = y + i * CONFUSION_ROW;
            int base = rowTop + CONFUSION_ROW - 7;
            if (i % 2 == 1 && i < c.top().size()) {
                g.setColor(new Color(246, 247, 249));
                g.fillRect(left, rowTop, CONFUSION_WIDTH - 2 * left, CONFUSION_ROW);
            }
            if (i >= c.top().size()) {
                if (i == 0) {
                    g.setColor(MUTED);
                    g.drawString(tally == null ? "-" : "no wrong answers", truthX, base);
                }
                continue;
            }
            Confusions.Pair p = c.top().get(i);
            double heat = (double) p.count() / Math.max(1, max);
            g.setColor(blend(new Color(255, 243, 230), new Color(217, 72, 1), heat));
            g.fillRect(left + 2, rowTop + 2, countWidth - 4, CONFUSION_ROW - 4);
            g.setColor(heat > 0.55 ? Color.WHITE : TEXT);
            centred(g, p.count() + " of " + p.truthUploads(), left + countWidth / 2, base);
            List<String> truth = levels(p.truth());
            drawPath(g, fm, truth, 0, truthX, base, textWidth - 8);
            g.setColor(MUTED);
            g.drawString("\u2192", arrowX + 4, base);
            if (p.abstained()) {
                g.setFont(ITALIC);
                g.drawString("(no answer)", answerX, base);
                g.setFont(PLAIN);
            } else {
                List<String> answer = levels(p.answer());
                drawPath(g, fm, answer, common(truth, answer), answerX, base, textWidth - 8);
            }
        }
    }

    /**
     * Draws a category path within {@code width} pixels: whole when it fits, else with its leading levels replaced by
     * an ellipsis, else its last level cut short. The first {@code grey} levels (those the answer shares with the
     * truth) are drawn muted.
     */
    private static void drawPath(Graphics2D g, FontMetrics fm, List<String> levels, int grey, int x, int y, int width) {
        String sep = Scorecard.PATH_SEPARATOR;
        int from = 0;
        while (from < levels.size() - 1 && fm.stringWidth((from > 0 ? "\u2026" + sep : "")
                + String.join(sep, levels.subList(from, levels.size()))) > width) {
            from++;
        }
        int cx = x;
        if (from > 0) {
            g.setColor(MUTED);
            g.drawString("\u2026" + sep, cx, y);
            cx += fm.stringWidth("\u2026" + sep);
        }
        for (int i = from; i < levels.size(); i++) {
            String text = levels.get(i) + (i < levels.size() - 1 ? sep : "");
            if (i == levels.size() - 1) {
                text = fitted(fm, text, x + width - cx);
            }
            g.setColor(i < grey ? MUTED : TEXT);
            g.drawString(text, cx, y);
            cx += fm.stringWidth(text);
        }
    }

    /** The text, cut short with an ellipsis to fit {@code width} pixels. */
    static String fitted(FontMetrics fm, String text, int width) {
        if (fm.stringWidth(text) <= width) {
            return text;
        }
        for (int n = text.length() - 1; n > 0; n--) {
            String cut = text.substring(0, n) + "\u2026";
            if (fm.stringWidth(cut) <= width) {
                return cut;
            }
        }
        return "\u2026";
    }

    private static List<String> levels(String path) {
        return Arrays.asList(path.split(Pattern.quote(Scorecard.PATH_SEPARATOR), -1));
    }

    private static int common(List<String> a, List<String> b) {
        int n = 0;
        while (n < a.size() && n < b.size() && a.get(n).equals(b.get(n))) {
            n++;
        }
        return n;
    }

    /** The union of the cards' fields in first-seen order; with {@code leafFirst}, "category leaf" moved to the front. */
    static List<String> fieldsOf(List<Scorecard> cards, boolean leafFirst) {
        Set<String> names = new LinkedHashSet<>();
        if (leafFirst && cards.stream().anyMatch(c -> c.field("category leaf") != null)) {
            names.add("category leaf");
        }
        cards.forEach(c -> names.addAll(c.fields().keySet()));
        return List.copyOf(names);
    }

    private static Color colour(List<String> fields, String field) {
        int i = fields.indexOf(field);
        return COLOURS[Math.max(0, i) % COLOURS.length];
    }

    private static Paint hatch() {
        BufferedImage tile = new BufferedImage(6, 6, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = tile.createGraphics();
        g.setColor(CONFIDENCE);
        g.drawLine(0, 5, 5, 0);
        g.dispose();
        return new TexturePaint(tile, new Rectangle(0, 0, 6, 6));
    }

    private static Color blend(Color from, Color to, double t) {
        double s = Math.max(0, Math.min(1, t));
        return new Color((int) Math.round(from.getRed() + s * (to.getRed() - from.getRed())),
                (int) Math.round(from.getGreen() + s * (to.getGreen() - from.getGreen())),
                (int) Math.round(from.getBlue() + s * (to.getBlue() - from.getBlue())));
    }

    private static BufferedImage canvas(int w, int h) {
        return new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    }

    private static Graphics2D graphics(BufferedImage image) {
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setFont(PLAIN);
        return g;
    }

    private static void centred(Graphics2D g, String text, int x, int y) {
        g.drawString(text, x - g.getFontMetrics().stringWidth(text) / 2, y);
    }

    private static void rightAligned(Graphics2D g, String text, int x, int y) {
        g.drawString(text, x - g.getFontMetrics().stringWidth(text), y);
    }
}
