package com.listinglens.image;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.opencv.core.Mat;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

/**
 * Names the dominant colour of a photo's subject with a common marketplace colour word.
 *
 * <p>The photo is shrunk to at most {@value #WORK_SIDE} px, its pixels weighted by a Gaussian centred on the frame
 * (the subject is usually in the middle) and clustered with a weighted k-means in CIE Lab. Clusters that are shades of
 * one colour (close in hue and chroma: the lit and the shaded side of a banana) form one family, named after its most
 * telling member (weight x chroma) by the nearest palette colour (CIEDE2000, {@link #nameOf(Lab)}); grey-ish clusters
 * are named one by one. Families with the same name are merged. A name whose pixels cover most of the picture's
 * border is taken to be background and counts for less, so a red mug on a white table is "red". A subject smaller
 * than about a tenth of the frame on a plain background may still lose to the background. Thread-safe and
 * deterministic.
 */
public final class ColourNamer {

    static final int WORK_SIDE = 64;
    private static final int K = 6;
    private static final int ITERATIONS = 12;
    private static final double SIGMA = 0.3;
    private static final double BACKGROUND_PENALTY = 0.75;
    private static final double MIN_FAMILY_CHROMA = 15;
    private static final double FAMILY_HUE_DEGREES = 20;
    private static final double FAMILY_CHROMA_RATIO = 2.5;

    /** Palette names, each with a few reference colours (sRGB) spanning its usual shades. */
    private static final Map<String, String[]> PALETTE_HEX = new LinkedHashMap<>();

    static {
        PALETTE_HEX.put("black", new String[] {"#000000", "#151515", "#1f2326"});
        PALETTE_HEX.put("grey", new String[] {"#808080", "#5e5e5e", "#a8a8a8", "#c4c4c4", "#6f7378"});
        PALETTE_HEX.put("white", new String[] {"#ffffff", "#f2f2f2", "#e6e6e6"});
        PALETTE_HEX.put("red", new String[] {"#e00000", "#b71c1c", "#8b0000", "#d32f2f", "#c62828", "#dc143c"});
        PALETTE_HEX.put("orange", new String[] {"#ff8c00", "#f57c00", "#ff6f00", "#e8702a", "#ffa040"});
        PALETTE_HEX.put("yellow", new String[] {"#ffeb3b", "#ffd600", "#fff176", "#f0d000", "#e6c619", "#c9a227",
            "#b5942a"});
        PALETTE_HEX.put("green", new String[] {"#2e7d32", "#43a047", "#00c853", "#1b5e20", "#8bc34a", "#6b8e23",
            "#556b2f", "#a5d6a7", "#009688", "#808000", "#9acd32"});
        PALETTE_HEX.put("blue", new String[] {"#1e88e5", "#0d47a1", "#1a237e", "#0000cd", "#42a5f5", "#90caf9",
            "#4682b4", "#00acc1"});
        PALETTE_HEX.put("purple", new String[] {"#7b1fa2", "#4a148c", "#9c27b0", "#ab47bc", "#b39ddb", "#673ab7"});
        PALETTE_HEX.put("pink", new String[] {"#f48fb1", "#ff69b4", "#ec407a", "#f8bbd0", "#e91e63", "#ffc0cb"});
        PALETTE_HEX.put("brown", new String[] {"#795548", "#5d4037", "#3e2723", "#8b4513", "#a0522d", "#6d4c41",
            "#8d6e63"});
        PALETTE_HEX.put("beige", new String[] {"#f5f5dc", "#e8dcc0", "#d7c4a3", "#d2b48c", "#efe3cf", "#c8b28e"});
    }

    private record Anchor(String name, Lab lab) {}

    private static final List<Anchor> PALETTE = new ArrayList<>();

    static {
        PALETTE_HEX.forEach((name, hexes) -> {
            for (String hex : hexes) {
                PALETTE.add(new Anchor(name, Lab.fromHex(hex)));
            }
        });
    }

    public ColourNamer() {
        OpenCv.ensureLoaded();
    }

    /** The palette's names, in a fixed order. */
    public static List<String> names() {
        return List.copyOf(PALETTE_HEX.keySet());
    }

    /** Palette name nearest to {@code lab} (CIEDE2000). Pure function. */
    public static String nameOf(Lab lab) {
        String best = null;
        double bestDistance = Double.MAX_VALUE;
        for (Anchor anchor : PALETTE) {
            double d = lab.deltaE2000(anchor.lab());
            if (d < bestDistance) {
                bestDistance = d;
                best = anchor.name();
            }
        }
        return best;
    }

    /** Palette name of an 8-bit sRGB colour. */
    public static String nameOf(int r, int g, int b) {
        return nameOf(Lab.fromRgb(r, g, b));
    }

    /** The colour of the photo's subject. */
    public NamedColour dominant(DecodedImage image) {
        return ranked(image).get(0);
    }

    /**
     * Every colour name found, best subject candidate first. Shares add up to 1; the order is by share, discounted
     * for names that cover the picture's border.
     */
    public List<NamedColour> ranked(DecodedImage image) {
        return sample(image).ranked();
    }

    /**
     * The photo shrunk to the analysis's working size (at most {@value #WORK_SIDE} px a side), interleaved RGB: all the
     * colour analysis needs, so that it can run after the decoded photo is released, beside the model
     * ({@code Sample.ranked()} gives what {@link #ranked(DecodedImage)} gives).
     */
    public record Sample(byte[] rgb, int width, int height) {
        /** {@link ColourNamer#ranked(DecodedImage)} of the photo this sample was taken from. */
        public List<NamedColour> ranked() {
            return rank(rgb, width, height);
        }

        /** The colour of the photo's subject. */
        public NamedColour dominant() {
            return ranked().get(0);
        }
    }

    /** The sample the colour analysis runs on (see {@link Sample}). */
    public Sample sample(DecodedImage image) {
        Mat src = image.mat();
        int w = src.cols();
        int h = src.rows();
        double scale = Math.min(1.0, (double) WORK_SIDE / Math.max(w, h));
        int sw = Math.max(1, (int) Math.round(w * scale));
        int sh = Math.max(1, (int) Math.round(h * scale));
        byte[] rgb = new byte[sw * sh * 3];
        if (sw == w && sh == h) {
            Mat copy = src.isContinuous() ? src : src.clone();
            copy.get(0, 0, rgb);
            if (copy != src) {
                copy.release();
            }
        } else {
            Mat small = new Mat();
            Imgproc.resize(src, small, new Size(sw, sh), 0, 0, Imgproc.INTER_AREA);
            small.get(0, 0, rgb);
            small.release();
        }
        return new Sample(rgb, sw, sh);
    }

    /** The analysis on interleaved RGB bytes; package-private for tests. */
    static List<NamedColour> rank(byte[] rgb, int w, int h) {
        int n = w * h;
        double[][] points = new double[n][];
        double[] weights = new double[n];
        boolean[] border = new boolean[n];
        int ring = Math.max(1, Math.round(Math.min(w, h) * 0.05f));
        double totalWeight = 0;
        for (int y = 0, i = 0; y < h; y++) {
            double ny = (y + 0.5) / h - 0.5;
            for (int x = 0; x < w; x++, i++) {
                double nx = (x + 0.5) / w - 0.5;
                Lab lab = Lab.fromRgb(rgb[3 * i] & 0xFF, rgb[3 * i + 1] & 0xFF, rgb[3 * i + 2] & 0xFF);
                points[i] = new double[] {lab.l(), lab.a(), lab.b()};
                weights[i] = Math.exp(-(nx * nx + ny * ny) / (2 * SIGMA * SIGMA));
                totalWeight += weights[i];
                border[i] = x < ring || y < ring || x >= w - ring || y >= h - ring;
            }
        }
        int[] assignment = new int[n];
        double[][] centres = weightedKMeans(points, weights, K, ITERATIONS, assignment);

        int m = centres.length;
        double[] clusterWeight = new double[m];
        double[] clusterBorder = new double[m];
        int borderTotal = 0;
        for (int i = 0; i < n; i++) {
            clusterWeight[assignment[i]] += weights[i];
            if (border[i]) {
                clusterBorder[assignment[i]] += 1;
                borderTotal++;
            }
        }
        List<Integer> order = new ArrayList<>();
        for (int c = 0; c < m; c++) {
            if (clusterWeight[c] > 0) {
                order.add(c);
            }
        }
        order.sort(Comparator.comparingDouble((Integer c) -> clusterWeight[c]).reversed());

        // Group clusters: shades of one chromatic colour (similar hue and chroma: the lit and the shaded side of a
        // banana) form one family; achromatic clusters group by their own name.
        List<List<Integer>> groups = new ArrayList<>();
        for (int c : order) {
            Lab lab = lab(centres[c]);
            List<Integer> home = null;
            for (List<Integer> g : groups) {
                Lab first = lab(centres[g.get(0)]);
                boolean chromatic = lab.chroma() >= MIN_FAMILY_CHROMA && first.chroma() >= MIN_FAMILY_CHROMA;
                if (chromatic && hueDistance(lab, first) <= FAMILY_HUE_DEGREES
                        && Math.max(lab.chroma(), first.chroma()) <= FAMILY_CHROMA_RATIO * Math.min(lab.chroma(), first.chroma())) {
                    home = g;
                    break;
                }
                if (!chromatic && lab.chroma() < MIN_FAMILY_CHROMA && first.chroma() < MIN_FAMILY_CHROMA
                        && nameOf(lab).equals(nameOf(first))) {
                    home = g;
                    break;
                }
            }
            if (home == null) {
                home = new ArrayList<>();
                groups.add(home);
            }
            home.add(c);
        }

        // Name each group after its most telling member (weight x chroma), merge equal names, score.
        Map<String, double[]> byName = new LinkedHashMap<>(); // name -> {share, borderCount, repScore}
        Map<String, String> hexByName = new LinkedHashMap<>();
        for (List<Integer> g : groups) {
            int rep = g.get(0);
            double best = -1;
            double weight = 0;
            double borderCount = 0;
            for (int c : g) {
                double telling = clusterWeight[c] * (1 + lab(centres[c]).chroma());
                if (telling > best) {
                    best = telling;
                    rep = c;
                }
                weight += clusterWeight[c];
                borderCount += clusterBorder[c];
            }
            Lab repLab = lab(centres[rep]);
            String name = nameOf(repLab);
            double[] acc = byName.computeIfAbsent(name, k -> new double[3]);
            acc[0] += weight / totalWeight;
            acc[1] += borderCount;
            if (best > acc[2]) {
                acc[2] = best;
                hexByName.put(name, repLab.toHex());
            }
        }
        record Scored(NamedColour colour, double score) {}
        List<Scored> scored = new ArrayList<>();
        for (Map.Entry<String, double[]> e : byName.entrySet()) {
            double[] acc = e.getValue();
            double borderCoverage = borderTotal == 0 ? 0 : acc[1] / borderTotal;
            scored.add(new Scored(new NamedColour(e.getKey(), hexByName.get(e.getKey()), acc[0]),
                    acc[0] * (1 - BACKGROUND_PENALTY * borderCoverage)));
        }
        scored.sort(Comparator.comparingDouble(Scored::score).reversed());
        return scored.stream().map(Scored::colour).toList();
    }

    private static Lab lab(double[] p) {
        return new Lab(p[0], p[1], p[2]);
    }

    private static double hueDistance(Lab x, Lab y) {
        double d = Math.abs(Math.toDegrees(Math.atan2(x.b(), x.a()) - Math.atan2(y.b(), y.a())));
        return d > 180 ? 360 - d : d;
    }

    /**
     * Weighted k-means (k-means++ seeding with a fixed seed); fills {@code assignment}, returns the centres used. The
     * points are copied into one flat array first (L, a, b after each other): the same arithmetic in the same order as
     * on the rows, without a pointer chase per distance.
     */
    static double[][] weightedKMeans(double[][] points, double[] weights, int k, int iterations, int[] assignment) {
        int n = points.length;
        double[] p = new double[3 * n];
        for (int i = 0; i < n; i++) {
            p[3 * i] = points[i][0];
            p[3 * i + 1] = points[i][1];
            p[3 * i + 2] = points[i][2];
        }
        Random random = new Random(42);
        // centres, flat as the points; at most k
        double[] cs = new double[3 * k];
        // first centre: the heaviest point (the frame's middle), deterministic
        int first = 0;
        for (int i = 1; i < n; i++) {
            if (weights[i] > weights[first]) {
                first = i;
            }
        }
        System.arraycopy(p, 3 * first, cs, 0, 3);
        int m = 1;
        double[] d2 = new double[n];
        for (int i = 0; i < n; i++) {
            d2[i] = dist2(p, i, cs, 0);
        }
        while (m < k) {
            double total = 0;
            for (int i = 0; i < n; i++) {
                total += weights[i] * d2[i];
            }
            if (total < 1e-9) {
                break; // fewer distinct colours than k
            }
            double r = random.nextDouble() * total;
            int pick = n - 1;
            for (int i = 0; i < n; i++) {
                r -= weights[i] * d2[i];
                if (r <= 0) {
                    pick = i;
                    break;
                }
            }
            System.arraycopy(p, 3 * pick, cs, 3 * m, 3);
            for (int i = 0; i < n; i++) {
                d2[i] = Math.min(d2[i], dist2(p, i, cs, m));
            }
            m++;
        }
        for (int it = 0; it < iterations; it++) {
            boolean changed = false;
            for (int i = 0; i < n; i++) {
                int best = 0;
                double bestD = dist2(p, i, cs, 0);
                for (int c = 1; c < m; c++) {
                    double d = dist2(p, i, cs, c);
                    if (d < bestD) {
                        bestD = d;
                        best = c;
                    }
                }
                if (assignment[i] != best || it == 0) {
                    changed |= assignment[i] != best;
                    assignment[i] = best;
                }
            }
            double[] sums = new double[4 * m];
            for (int i = 0; i < n; i++) {
                int s = 4 * assignment[i];
                double w = weights[i];
                sums[s] += w * p[3 * i];
                sums[s + 1] += w * p[3 * i + 1];
                sums[s + 2] += w * p[3 * i + 2];
                sums[s + 3] += w;
            }
            for (int c = 0; c < m; c++) {
                double w = sums[4 * c + 3];
                if (w > 0) {
                    cs[3 * c] = sums[4 * c] / w;
                    cs[3 * c + 1] = sums[4 * c + 1] / w;
                    cs[3 * c + 2] = sums[4 * c + 2] / w;
                }
            }
            if (!changed && it > 0) {
                break;
            }
        }
        double[][] out = new double[m][];
        for (int c = 0; c < m; c++) {
            out[c] = new double[] {cs[3 * c], cs[3 * c + 1], cs[3 * c + 2]};
        }
        return out;
    }

    private static double dist2(double[] p, int i, double[] cs, int c) {
        double dl = p[3 * i] - cs[3 * c];
        double da = p[3 * i + 1] - cs[3 * c + 1];
        double db = p[3 * i + 2] - cs[3 * c + 2];
        return dl * dl + da * da + db * db;
    }
}
