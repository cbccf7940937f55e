package com.listinglens.bench.eval;

import com.listinglens.config.Settings;
import com.listinglens.catalog.CatalogReader;
import com.listinglens.catalog.Listing;
import com.listinglens.config.ConfigLoader;
import com.listinglens.config.LensConfig;
import com.listinglens.embedding.DjlEmbedder;
import com.listinglens.embedding.Embedder;
import com.listinglens.image.DecodedImage;
import com.listinglens.image.ImageDecoder;
import com.listinglens.image.ImageSettings;
import com.listinglens.image.OpenCv;
import com.listinglens.image.Preprocessor;
import org.opencv.core.Core;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.MatOfInt;
import org.opencv.core.Point;
import org.opencv.core.Rect;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Calibrates the near-duplicate threshold on the cosine similarity of embeddings, with the service's own decoding,
 * preprocessing and model (not a test: run it with {@code bench/duplicates.sh}).
 *
 * <p>Positives: every upload photo (val.jsonl; {@code --positives all} adds every catalog photo) is edited with
 * OpenCV (re-encoded at JPEG quality 60 and 30, downscaled, centre-cropped, brightened, flipped, padded like a
 * screenshot, a combination), the edited file goes through {@link ImageDecoder} and {@link Preprocessor} exactly as an
 * upload does, and its embedding is compared with the original photo's. Negatives (the hard ones): each upload's
 * highest cosine to any <em>other</em> photo of the catalog (train + iconic: often the same product in the same
 * store), and each catalog photo's highest cosine to another catalog photo. Byte-identical files are the same photo,
 * never a negative; they are counted and reported.
 *
 * <p>Cosines are measured per "mode" {@code query/catalog}: the precision of the model that embeds the upload and the
 * one that embedded the catalog (the pool). The service queries with {@code lens.model.precision} (int8) a pool built
 * with {@code lens.build.precision} (fp32), so the production mode is int8/fp32; int8/int8 and fp32/fp32 are measured
 * as well by default.
 *
 * <p>Prints progress to stderr and the tables to stdout; writes per-photo figures (CSV) and montages of the most
 * similar distinct pairs (PNG) to {@code --out}. Paths come from the configuration ({@code lens.shared-dir}) or the
 * arguments; nothing is written outside {@code --out}.
 */
public final class DuplicateCalibration {

    /** One kind of edit of a photo; every edited photo is an encoded file, as an upload would be. */
    enum Edit {
        IDENTICAL("identical file", Group.REALISTIC),
        JPEG_Q60("jpeg q60", Group.REALISTIC),
        JPEG_Q30("jpeg q30", Group.REALISTIC),
        RESIZE_50("resize 50%", Group.REALISTIC),
        RESIZE_640("resize 640px long", Group.REALISTIC),
        CROP_90("crop 90%", Group.REALISTIC),
        BRIGHT_15("brightness +15%", Group.REALISTIC),
        COMBO("crop90+resize50+q60", Group.COMBINED),
        RESIZE_50_Q60("resize50+q60", Group.COMBINED),
        CROP_80("crop 80%", Group.HARD),
        PAD_10("pad 10% white (png)", Group.HARD),
        FLIP_H("flip horizontal", Group.HARD);

        final String label;
        final Group group;

        Edit(String label, Group group) {
            this.label = label;
            this.group = group;
        }
    }

    /** realistic: must be caught; combined: several realistic edits at once; hard: reported, not required. */
    enum Group { REALISTIC, COMBINED, HARD }

    /** Quality of the JPEG that edits other than re-encoding are saved as (what a photo editor or phone writes). */
    static final int SAVE_QUALITY = 95;

    /** Query / catalog precisions. */
    record Mode(String query, String catalog) {
        static Mode parse(String s) {
            String[] p = s.strip().toLowerCase(Locale.ROOT).split("/");
            if (p.length == 1) {
                return new Mode(p[0], p[0]);
            }
            if (p.length != 2) {
                throw new IllegalArgumentException("a mode is QUERY/CATALOG precision, e.g. int8/fp32: " + s);
            }
            return new Mode(p[0], p[1]);
        }

        @Override
        public String toString() {
            return query + "/" + catalog;
        }
    }

    /** One photo of a catalog file. */
    record Photo(String id, Path path, String split) {
    }

    /** Highest cosine of a photo to another one. */
    record Nearest(int photo, int other, double cosine) {
    }

    // ---------------------------------------------------------------------------------------------------- options
    Path data;
    Path uploadsFile;
    List<Path> catalogFiles = new ArrayList<>();
    boolean positivesAll;
    List<Mode> modes = new ArrayList<>();
    Path out = Path.of("target/duplicates");
    int threads;
    int limit;
    int top = 12;
    double recallTarget = 0.99;

    private final PrintStream log = System.err;
    private final PrintStream report = System.out;

    public static void main(String[] args) throws Exception {
        DuplicateCalibration c = new DuplicateCalibration();
        if (!c.parse(args)) {
            return;
        }
        c.run();
    }

    private boolean parse(String[] args) {
        LensConfig config = ConfigLoader.load();
        data = config.sharedDir().resolve("datasets/grocery");
        threads = config.model().predictors();
        String modeList = config.model().precision() + "/" + config.build().precision() + ",int8/int8,fp32/fp32";
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--data" -> data = Path.of(args[++i]);
                case "--uploads" -> uploadsFile = Path.of(args[++i]);
                case "--catalog" -> catalogFiles.add(Path.of(args[++i]));
                case "--positives" -> {
                    String v = args[++i];
                    if (!v.equals("all") && !v.equals("uploads")) {
                        throw new IllegalArgumentException("--positives uploads|all, got " + v);
                    }
                    positivesAll = v.equals("all");
                }
                case "--modes" -> modeList = args[++i];
                case "--out" -> out = Path.of(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--limit" -> limit = Integer.parseInt(args[++i]);
                case "--top" -> top = Integer.parseInt(args[++i]);
                case "--recall" -> recallTarget = Double.parseDouble(args[++i]);
                case "-h", "--help" -> {
                    report.println("""
                            DuplicateCalibration [options]: calibrate the near-duplicate cosine threshold
                              --data DIR          grocery dataset folder (default: ${lens.shared-dir}/datasets/grocery)
                              --uploads FILE      catalog of uploads to edit (default: DIR/val.jsonl)
                              --catalog FILE      catalog of listings, repeatable (default: DIR/train.jsonl DIR/iconic.jsonl)
                              --positives WHICH   uploads (default) or all (catalog photos are edited too)
                              --modes LIST        query/catalog precisions (default: lens.model.precision/lens.build.precision,int8/int8,fp32/fp32)
                              --out DIR           CSVs and montages (default: target/duplicates)
                              --threads N         photos processed at once (default: lens.model.predictors)
                              --limit N           first N photos of each catalog only (a quick trial)
                              --top N             most similar distinct pairs listed and drawn (default 12)
                              --recall R          share of realistic edits the threshold must keep (default 0.99)""");
                    return false;
                }
                default -> throw new IllegalArgumentException("unknown argument " + a + " (--help)");
            }
        }
        if (uploadsFile == null) {
            uploadsFile = data.resolve("val.jsonl");
        }
        if (catalogFiles.isEmpty()) {
            catalogFiles.add(data.resolve("train.jsonl"));
            catalogFiles.add(data.resolve("iconic.jsonl"));
        }
        for (String m : modeList.split(",")) {
            if (!m.isBlank()) {
                Mode mode = Mode.parse(m);
                if (!modes.contains(mode)) {
                    modes.add(mode);
                }
            }
        }
        return true;
    }

    // ---------------------------------------------------------------------------------------------------- the run

    private List<Photo> photos;
    private int uploadCount;
    private int[] positiveSource; // photo index -> position among positive sources, or -1
    private int positiveCount;
    private List<String> precisions;
    /** [precision][photo] -> L2-normalised embedding of the unedited file. */
    private float[][][] originals;
    /** [mode][edit][positive source] -> cosine(edited upload in query precision, original in catalog precision). */
    private double[][][] positives;
    private String[] hashes;

    private void run() throws Exception {
        long t0 = System.nanoTime();
        OpenCv.ensureLoaded();
        LensConfig config = ConfigLoader.load();
        ImageSettings image = Settings.image(config.image());
        ImageDecoder decoder = new ImageDecoder(image);
        com.listinglens.image.MultiScale preprocessor = Settings.scales(config);
        log.println("duplicates: views " + preprocessor.crops() + " (lens.image.scales), space suffix '" + preprocessor.spaceSuffix() + "'");

        photos = new ArrayList<>();
        uploadCount = read(uploadsFile, "upload");
        for (Path f : catalogFiles) {
            read(f, "catalog");
        }
        int n = photos.size();
        positiveSource = new int[n];
        for (int i = 0; i < n; i++) {
            positiveSource[i] = i < uploadCount || positivesAll ? positiveCount++ : -1;
        }
        Set<String> needed = new LinkedHashSet<>();
        for (Mode m : modes) {
            needed.add(m.query());
            needed.add(m.catalog());
        }
        precisions = List.copyOf(needed);
        log.printf(Locale.ROOT, "duplicates: %d uploads (%s), %d catalog photos (%s); %d photos edited %d ways; modes %s; "
                        + "%d threads%n", uploadCount, uploadsFile, n - uploadCount, catalogFiles, positiveCount,
                Edit.values().length - 1, modes, threads);

        Map<String, Embedder> embedders = new LinkedHashMap<>();
        try {
            for (String p : precisions) {
                embedders.put(p, new DjlEmbedder(Settings.model(config.model(), p)));
            }
            long t1 = System.nanoTime();
            embedAll(decoder, preprocessor, embedders);
            long t2 = System.nanoTime();
            log.printf(Locale.ROOT, "duplicates: embedded %d originals and %d edits in %.1f s%n", n,
                    positiveCount * (Edit.values().length - 1), (t2 - t1) / 1e9);
        } finally {
            for (Embedder e : embedders.values()) {
                e.close();
            }
        }

        long t3 = System.nanoTime();
        Files.createDirectories(out);
        try (var old = Files.newDirectoryStream(out, "*-pairs-*.png")) {
            for (Path f : old) {
                Files.delete(f);
            }
        }
        List<Nearest[]> uploadNegatives = new ArrayList<>();
        List<Nearest[]> catalogNegatives = new ArrayList<>();
        for (Mode m : modes) {
            uploadNegatives.add(nearest(m, 0, uploadCount));
            catalogNegatives.add(nearest(m, uploadCount, n));
            log.printf(Locale.ROOT, "duplicates: negatives for %s done (%.1f s)%n", m, (System.nanoTime() - t3) / 1e9);
        }
        writeCsv(uploadNegatives, catalogNegatives);

        report.printf(Locale.ROOT, "%n# Near-duplicate calibration: %d uploads, %d catalog photos, %d photos edited%n",
                uploadCount, n - uploadCount, positiveCount);
        report.printf(Locale.ROOT, "decode/preprocess as the service (%s), edits saved as JPEG q%d unless named; "
                + "cosine of L2-normalised embeddings%n", uploadsFile.getFileName(), SAVE_QUALITY);
        reportIdenticalFiles();
        double[] recommended = new double[modes.size()];
        for (int mi = 0; mi < modes.size(); mi++) {
            recommended[mi] = reportMode(mi, uploadNegatives.get(mi), catalogNegatives.get(mi));
        }
        report.printf(Locale.ROOT, "%n## recommended thresholds (each realistic edit type keeps >= %s)%n", pct(recallTarget));
        for (int mi = 0; mi < modes.size(); mi++) {
            report.printf(Locale.ROOT, "  %-10s %.3f%n", modes.get(mi), recommended[mi]);
        }
        reportPairs(0, recommended[0], uploadNegatives, catalogNegatives);
        report.printf(Locale.ROOT, "%ntotal %.1f s; per-photo figures in %s%n", (System.nanoTime() - t0) / 1e9,
                out.toAbsolutePath());
    }

    private int read(Path file, String split) {
        CatalogReader.Catalog catalog = CatalogReader.read(file);
        for (CatalogReader.CatalogError e : catalog.errors()) {
            log.println("duplicates: skipped " + e);
        }
        Path root = file.toAbsolutePath().getParent();
        int count = 0;
        for (Listing l : catalog.listings()) {
            if (limit > 0 && count >= limit) {
                break;
            }
            photos.add(new Photo(l.id(), root.resolve(l.image()), split));
            count++;
        }
        return count;
    }

    // ---------------------------------------------------------------------------------------------------- embedding

    private void embedAll(ImageDecoder decoder, com.listinglens.image.MultiScale preprocessor, Map<String, Embedder> embedders)
            throws Exception {
        int n = photos.size();
        Edit[] edits = Edit.values();
        originals = new float[precisions.size()][n][];
        positives = new double[modes.size()][edits.length][positiveCount];
        hashes = new String[n];
        int chunk = 4;
        AtomicInteger done = new AtomicInteger();
        AtomicInteger lastPercent = new AtomicInteger(-10);
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int from = 0; from < n; from += chunk) {
                int a = from;
                int b = Math.min(n, from + chunk);
                futures.add(pool.submit(() -> {
                    embedChunk(a, b, decoder, preprocessor, embedders);
                    int d = done.addAndGet(b - a);
                    int percent = (int) (100L * d / n);
                    int last = lastPercent.get();
                    if (percent >= last + 10 && lastPercent.compareAndSet(last, percent)) {
                        double s = (System.nanoTime() - start) / 1e9;
                        log.printf(Locale.ROOT, "duplicates: %3d%% (%d/%d photos, %.0f s, %.1f photos/s)%n", percent,
                                d, n, s, d / s);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private void embedChunk(int from, int to, ImageDecoder decoder, com.listinglens.image.MultiScale preprocessor,
            Map<String, Embedder> embedders) throws Exception {
        Edit[] edits = Edit.values();
        // every photo (and edit) contributes one tensor per view; embedViews gives one row per photo
        List<float[]> tensors = new ArrayList<>();
        int items = 0;
        int[] firstTensor = new int[to - from];
        for (int i = from; i < to; i++) {
            byte[] bytes = Files.readAllBytes(photos.get(i).path());
            hashes[i] = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
            firstTensor[i - from] = items;
            tensors.addAll(tensor(decoder, preprocessor, bytes));
            items++;
            if (positiveSource[i] >= 0) {
                try (DecodedImage full = decoder.decode(bytes)) {
                    for (Edit e : edits) {
                        if (e != Edit.IDENTICAL) {
                            tensors.addAll(tensor(decoder, preprocessor, edit(full.mat(), e)));
                            items++;
                        }
                    }
                }
            }
        }
        Map<String, float[][]> embedded = new LinkedHashMap<>();
        for (int p = 0; p < precisions.size(); p++) {
            float[][] rows = embedders.get(precisions.get(p)).embedViews(tensors, preprocessor.views());
            embedded.put(precisions.get(p), rows);
            for (int i = from; i < to; i++) {
                originals[p][i] = rows[firstTensor[i - from]];
            }
        }
        for (int i = from; i < to; i++) {
            int s = positiveSource[i];
            if (s < 0) {
                continue;
            }
            int base = firstTensor[i - from];
            for (int mi = 0; mi < modes.size(); mi++) {
                float[][] q = embedded.get(modes.get(mi).query());
                float[] original = embedded.get(modes.get(mi).catalog())[base];
                for (int e = 0; e < edits.length; e++) {
                    // tensor base + 0 is the unedited file; edit e (after IDENTICAL) is at base + e
                    positives[mi][e][s] = dot(q[base + e], original);
                }
            }
        }
    }

    private static List<float[]> tensor(ImageDecoder decoder, com.listinglens.image.MultiScale preprocessor, byte[] bytes) {
        try (DecodedImage image = decoder.decode(bytes, preprocessor.decodeShorter())) {
            return preprocessor.toTensors(image);
        }
    }

    /** The edited photo as an encoded file. {@code rgb} is left untouched. */
    static byte[] edit(Mat rgb, Edit edit) {
        int w = rgb.cols();
        int h = rgb.rows();
        Mat m = new Mat();
        try {
            switch (edit) {
                case IDENTICAL -> throw new IllegalArgumentException("the identical file is not re-encoded");
                case JPEG_Q60 -> {
                    return encode(rgb, ".jpg", 60);
                }
                case JPEG_Q30 -> {
                    return encode(rgb, ".jpg", 30);
                }
                case RESIZE_50 -> Imgproc.resize(rgb, m, new Size(Math.round(w * 0.5), Math.round(h * 0.5)), 0, 0,
                        Imgproc.INTER_AREA);
                case RESIZE_640 -> {
                    double f = 640.0 / Math.max(w, h);
                    Imgproc.resize(rgb, m, new Size(Math.round(w * f), Math.round(h * f)), 0, 0,
                            f < 1 ? Imgproc.INTER_AREA : Imgproc.INTER_LINEAR);
                }
                case CROP_90 -> centreCrop(rgb, 0.9).copyTo(m);
                case CROP_80 -> centreCrop(rgb, 0.8).copyTo(m);
                case BRIGHT_15 -> rgb.convertTo(m, -1, 1.15, 0); // saturating, as PIL ImageEnhance.Brightness(1.15)
                case FLIP_H -> Core.flip(rgb, m, 1);
                case PAD_10 -> {
                    int bx = (int) Math.round(w * 0.10);
                    int by = (int) Math.round(h * 0.10);
                    Core.copyMakeBorder(rgb, m, by, by, bx, bx, Core.BORDER_CONSTANT, new Scalar(255, 255, 255));
                    return encode(m, ".png", 0);
                }
                case RESIZE_50_Q60 -> {
                    Imgproc.resize(rgb, m, new Size(Math.round(w * 0.5), Math.round(h * 0.5)), 0, 0, Imgproc.INTER_AREA);
                    return encode(m, ".jpg", 60);
                }
                case COMBO -> {
                    Mat cropped = centreCrop(rgb, 0.9);
                    Imgproc.resize(cropped, m, new Size(Math.round(cropped.cols() * 0.5), Math.round(cropped.rows() * 0.5)),
                            0, 0, Imgproc.INTER_AREA);
                    cropped.release();
                    return encode(m, ".jpg", 60);
                }
                default -> throw new IllegalStateException(edit.name());
            }
            return encode(m, ".jpg", SAVE_QUALITY);
        } finally {
            m.release();
        }
    }

    /** A view of the centred window keeping {@code keep} of each side. */
    private static Mat centreCrop(Mat rgb, double keep) {
        int cw = (int) Math.round(rgb.cols() * keep);
        int ch = (int) Math.round(rgb.rows() * keep);
        return rgb.submat(new Rect((rgb.cols() - cw) / 2, (rgb.rows() - ch) / 2, cw, ch));
    }

    private static byte[] encode(Mat rgb, String ext, int quality) {
        Mat bgr = new Mat();
        MatOfByte buffer = new MatOfByte();
        MatOfInt params = ext.equals(".jpg") ? new MatOfInt(Imgcodecs.IMWRITE_JPEG_QUALITY, quality)
                : new MatOfInt(Imgcodecs.IMWRITE_PNG_COMPRESSION, 3);
        try {
            Imgproc.cvtColor(rgb, bgr, Imgproc.COLOR_RGB2BGR);
            if (!Imgcodecs.imencode(ext, bgr, buffer, params)) {
                throw new IllegalStateException("OpenCV could not encode " + ext);
            }
            return buffer.toArray();
        } finally {
            bgr.release();
            buffer.release();
            params.release();
        }
    }

    // ---------------------------------------------------------------------------------------------------- negatives

    /**
     * For every photo in [from, to): the catalog photo (other than itself and byte-identical files) with the highest
     * cosine, query side in the mode's query precision, catalog side in its catalog precision.
     */
    private Nearest[] nearest(Mode mode, int from, int to) throws Exception {
        float[][] q = originals[precisions.indexOf(mode.query())];
        float[][] c = originals[precisions.indexOf(mode.catalog())];
        int n = photos.size();
        Nearest[] result = new Nearest[to - from];
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int start = from; start < to; start += 32) {
                int a = start;
                int b = Math.min(to, start + 32);
                futures.add(pool.submit(() -> {
                    for (int i = a; i < b; i++) {
                        int best = -1;
                        double bestCos = Double.NEGATIVE_INFINITY;
                        for (int j = uploadCount; j < n; j++) {
                            if (j == i || hashes[j].equals(hashes[i])) {
                                continue;
                            }
                            double d = dot(q[i], c[j]);
                            if (d > bestCos) {
                                bestCos = d;
                                best = j;
                            }
                        }
                        result[i - from] = new Nearest(i, best, bestCos);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return result;
    }

    private static double dot(float[] a, float[] b) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int i = 0;
        for (; i + 3 < a.length; i += 4) {
            s0 += a[i] * b[i];
            s1 += a[i + 1] * b[i + 1];
            s2 += a[i + 2] * b[i + 2];
            s3 += a[i + 3] * b[i + 3];
        }
        for (; i < a.length; i++) {
            s0 += a[i] * b[i];
        }
        return (double) s0 + s1 + s2 + s3;
    }

    // ---------------------------------------------------------------------------------------------------- report

    private void reportIdenticalFiles() {
        Map<String, List<Integer>> byHash = new LinkedHashMap<>();
        for (int i = 0; i < photos.size(); i++) {
            byHash.computeIfAbsent(hashes[i], k -> new ArrayList<>()).add(i);
        }
        List<List<Integer>> groups = byHash.values().stream().filter(g -> g.size() > 1).toList();
        if (groups.isEmpty()) {
            report.println("byte-identical files: none (every photo is a distinct file)");
            return;
        }
        report.printf(Locale.ROOT, "byte-identical files: %d groups (same photo, excluded from the negatives):%n",
                groups.size());
        for (List<Integer> g : groups.subList(0, Math.min(10, groups.size()))) {
            report.println("  " + g.stream().map(i -> photos.get(i).id()).toList());
        }
    }

    /** Prints the tables of one mode and returns its recommended threshold. */
    private double reportMode(int mi, Nearest[] uploadNeg, Nearest[] catalogNeg) {
        Mode mode = modes.get(mi);
        Edit[] edits = Edit.values();
        double[] upNeg = Arrays.stream(uploadNeg).mapToDouble(Nearest::cosine).sorted().toArray();
        double[] catNeg = Arrays.stream(catalogNeg).mapToDouble(Nearest::cosine).sorted().toArray();
        double[][] pos = new double[edits.length][];
        for (int e = 0; e < edits.length; e++) {
            pos[e] = positives[mi][e].clone();
            Arrays.sort(pos[e]);
        }
        double[] realistic = pooled(pos, Set.of(Group.REALISTIC));
        double[] realisticCombo = pooled(pos, Set.of(Group.REALISTIC, Group.COMBINED));

        // thresholds: t keeps >= recallTarget of a sorted sample when t <= its floor((1 - target) * n)-th value
        double tPooled = keepThreshold(realistic);
        double tPooledCombo = keepThreshold(realisticCombo);
        double tEach = Double.POSITIVE_INFINITY;
        double tEachCombo = Double.POSITIVE_INFINITY;
        for (int e = 0; e < edits.length; e++) {
            if (edits[e].group == Group.REALISTIC) {
                tEach = Math.min(tEach, keepThreshold(pos[e]));
            }
            if (edits[e].group != Group.HARD) {
                tEachCombo = Math.min(tEachCombo, keepThreshold(pos[e]));
            }
        }
        double tAboveNeg = Math.nextUp(upNeg[upNeg.length - 1]);
        double tAboveCatNeg = Math.nextUp(catNeg[catNeg.length - 1]);
        double tBalanced = balanced(realistic, upNeg);
        double tRecommended = Math.floor(tEach * 1000) / 1000;

        boolean production = mode.query().equals(configModel()) && mode.catalog().equals(configBuild());
        report.printf(Locale.ROOT, "%n## mode %s: upload embedded %s, listing embedded %s%s%n", mode, mode.query(),
                mode.catalog(), production ? " (production: lens.model.precision / lens.build.precision)" : "");
        report.printf(Locale.ROOT, "### positives: cosine(original listing photo, edited copy), %d photos per edit%n",
                positiveCount);
        report.printf(Locale.ROOT, "| %-21s | %-9s | %6s | %6s | %6s | %6s | %9s |%n", "edit", "group", "min", "p1",
                "p5", "median", "kept@%.3f".formatted(tRecommended));
        report.println("|-----------------------|-----------|--------|--------|--------|--------|-----------|");
        for (int e = 0; e < edits.length; e++) {
            double[] v = pos[e];
            report.printf(Locale.ROOT, "| %-21s | %-9s | %6.4f | %6.4f | %6.4f | %6.4f | %8.1f%% |%n", edits[e].label,
                    edits[e].group.name().toLowerCase(Locale.ROOT), v[0], percentile(v, 1), percentile(v, 5),
                    percentile(v, 50), 100 * kept(v, tRecommended));
        }
        report.printf(Locale.ROOT, "### negatives: highest cosine to a different photo of the catalog%n");
        report.printf(Locale.ROOT, "| %-28s | %5s | %6s | %6s | %6s | %6s | %6s | %9s |%n", "set", "n", "max", "p99.9",
                "p99", "p95", "median", "flag@%.3f".formatted(tRecommended));
        report.println("|------------------------------|-------|--------|--------|--------|--------|--------|-----------|");
        negativeRow("upload -> catalog", upNeg, tRecommended);
        negativeRow("catalog -> other catalog", catNeg, tRecommended);

        report.printf(Locale.ROOT, "### thresholds (%s)%n", mode);
        thresholdRow("each realistic edit keeps >= " + pct(recallTarget), tEach, realistic, realisticCombo, upNeg, catNeg);
        thresholdRow("realistic edits pooled keep >= " + pct(recallTarget), tPooled, realistic, realisticCombo, upNeg,
                catNeg);
        thresholdRow("each realistic + combo keeps >= " + pct(recallTarget), tEachCombo, realistic, realisticCombo,
                upNeg, catNeg);
        thresholdRow("pooled realistic + combo >= " + pct(recallTarget), tPooledCombo, realistic, realisticCombo,
                upNeg, catNeg);
        thresholdRow("just above every upload negative", tAboveNeg, realistic, realisticCombo, upNeg, catNeg);
        thresholdRow("just above every catalog negative", tAboveCatNeg, realistic, realisticCombo, upNeg, catNeg);
        thresholdRow("max(realistic kept - uploads flagged)", tBalanced, realistic, realisticCombo, upNeg, catNeg);
        report.printf(Locale.ROOT, "recommended (%s): %.3f = each realistic edit type keeps >= %s, rounded down%n",
                mode, tRecommended, pct(recallTarget));

        report.printf(Locale.ROOT, "### sweep (%s): share of each edit kept / of negatives flagged at cosine >= t%n", mode);
        StringBuilder head = new StringBuilder("|   t   |");
        StringBuilder rule = new StringBuilder("|-------|");
        for (Edit e : edits) {
            head.append(String.format(Locale.ROOT, " %6s |", shortLabel(e)));
            rule.append("--------|");
        }
        head.append(" up.neg | cat.neg|");
        rule.append("--------|--------|");
        report.println(head);
        report.println(rule);
        double[] sweep = {0.70, 0.75, 0.80, 0.82, 0.84, 0.86, 0.88, 0.90, 0.91, 0.92, 0.93, 0.94, 0.95, 0.96, 0.97,
                0.98, 0.99};
        for (double t : sweep) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| %.3f |", t));
            for (int e = 0; e < edits.length; e++) {
                row.append(String.format(Locale.ROOT, " %5.1f%% |", 100 * kept(pos[e], t)));
            }
            row.append(String.format(Locale.ROOT, " %5.1f%% | %5.1f%% |", 100 * kept(upNeg, t), 100 * kept(catNeg, t)));
            report.println(row);
        }
        return tRecommended;
    }

    private String configModel;
    private String configBuild;

    private String configModel() {
        if (configModel == null) {
            LensConfig c = ConfigLoader.load();
            configModel = c.model().precision().toLowerCase(Locale.ROOT);
            configBuild = c.build().precision().toLowerCase(Locale.ROOT);
        }
        return configModel;
    }

    private String configBuild() {
        configModel();
        return configBuild;
    }

    private static String shortLabel(Edit e) {
        return switch (e) {
            case IDENTICAL -> "same";
            case JPEG_Q60 -> "q60";
            case JPEG_Q30 -> "q30";
            case RESIZE_50 -> "50%";
            case RESIZE_640 -> "640px";
            case CROP_90 -> "crop90";
            case BRIGHT_15 -> "bri+15";
            case COMBO -> "combo";
            case RESIZE_50_Q60 -> "50%q60";
            case CROP_80 -> "crop80";
            case PAD_10 -> "pad10";
            case FLIP_H -> "flip";
        };
    }

    private void negativeRow(String label, double[] sorted, double t) {
        report.printf(Locale.ROOT, "| %-28s | %5d | %6.4f | %6.4f | %6.4f | %6.4f | %6.4f | %8.1f%% |%n", label,
                sorted.length, sorted[sorted.length - 1], percentile(sorted, 99.9), percentile(sorted, 99),
                percentile(sorted, 95), percentile(sorted, 50), 100 * kept(sorted, t));
    }

    private void thresholdRow(String label, double t, double[] realistic, double[] realisticCombo, double[] upNeg,
            double[] catNeg) {
        report.printf(Locale.ROOT, "  %-40s t=%.4f: realistic kept %5.1f%%, +combo %5.1f%%; flags %5.1f%% of uploads' "
                        + "nearest listing, %5.1f%% of catalog photos' nearest other%n", label, t,
                100 * kept(realistic, t), 100 * kept(realisticCombo, t), 100 * kept(upNeg, t), 100 * kept(catNeg, t));
    }

    private static String pct(double share) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * share);
    }

    /** Highest t that keeps at least recallTarget of the sorted values (cosine >= t). */
    private double keepThreshold(double[] sorted) {
        int k = (int) Math.floor((1 - recallTarget) * sorted.length + 1e-9);
        return sorted[Math.min(k, sorted.length - 1)];
    }

    /** Threshold (at a positive's value) maximising share of positives kept minus share of negatives flagged. */
    private static double balanced(double[] pos, double[] neg) {
        double best = pos[0];
        double bestScore = Double.NEGATIVE_INFINITY;
        for (double t : pos) {
            double score = kept(pos, t) - kept(neg, t);
            if (score > bestScore) {
                bestScore = score;
                best = t;
            }
        }
        return best;
    }

    private static double[] pooled(double[][] sortedPerEdit, Set<Group> groups) {
        int total = 0;
        Edit[] edits = Edit.values();
        for (int e = 0; e < edits.length; e++) {
            if (groups.contains(edits[e].group)) {
                total += sortedPerEdit[e].length;
            }
        }
        double[] all = new double[total];
        int at = 0;
        for (int e = 0; e < edits.length; e++) {
            if (groups.contains(edits[e].group)) {
                System.arraycopy(sortedPerEdit[e], 0, all, at, sortedPerEdit[e].length);
                at += sortedPerEdit[e].length;
            }
        }
        Arrays.sort(all);
        return all;
    }

    /** Share of the sorted values >= t. */
    static double kept(double[] sorted, double t) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return (sorted.length - lo) / (double) sorted.length;
    }

    /** Percentile with linear interpolation between order statistics (numpy's default). */
    static double percentile(double[] sorted, double p) {
        double pos = p / 100.0 * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    // ---------------------------------------------------------------------------------------------------- pairs

    private void reportPairs(int mi, double threshold, List<Nearest[]> uploadNegatives,
            List<Nearest[]> catalogNegatives) {
        Mode mode = modes.get(mi);
        report.printf(Locale.ROOT, "%n## most similar distinct photos (%s); montages in %s%n", mode, out);
        List<Nearest> catalogPairs = distinctPairs(catalogNegatives.get(mi), Double.NEGATIVE_INFINITY, false, top);
        List<Nearest> uploadPairs = distinctPairs(uploadNegatives.get(mi), Double.NEGATIVE_INFINITY, false, top);
        List<Nearest> marginal = distinctPairs(catalogNegatives.get(mi), threshold, true, 8);
        printPairs("catalog photo <-> its nearest other catalog photo (top-catalog-pairs-*.png)", catalogPairs, mi);
        printPairs("upload <-> its nearest catalog photo (top-upload-pairs-*.png)", uploadPairs, mi);
        printPairs(String.format(Locale.ROOT, "catalog pairs just above the recommended %.3f, i.e. barely flagged "
                + "(threshold-catalog-pairs-*.png)", threshold), marginal, mi);
        montage("top-catalog-pairs", catalogPairs);
        montage("top-upload-pairs", uploadPairs);
        montage("threshold-catalog-pairs", marginal);
    }

    /**
     * Pairs with cosine >= {@code atLeast}, highest first (or lowest first when {@code ascending}), each unordered
     * pair once, at most {@code max}.
     */
    private List<Nearest> distinctPairs(Nearest[] nearest, double atLeast, boolean ascending, int max) {
        List<Nearest> sorted = new ArrayList<>(Arrays.stream(nearest).filter(p -> p.cosine() >= atLeast).toList());
        sorted.sort((a, b) -> ascending ? Double.compare(a.cosine(), b.cosine()) : Double.compare(b.cosine(), a.cosine()));
        List<Nearest> pairs = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        for (Nearest p : sorted) {
            if (pairs.size() >= max) {
                break;
            }
            String key = Math.min(p.photo(), p.other()) + ":" + Math.max(p.photo(), p.other());
            if (seen.add(key)) {
                pairs.add(p);
            }
        }
        return pairs;
    }

    private void printPairs(String title, List<Nearest> pairs, int mi) {
        report.println("### " + title);
        int rank = 1;
        for (Nearest p : pairs) {
            Photo a = photos.get(p.photo());
            Photo b = photos.get(p.other());
            StringBuilder others = new StringBuilder();
            for (int m = 0; m < modes.size(); m++) {
                if (m != mi) {
                    float[] qa = originals[precisions.indexOf(modes.get(m).query())][p.photo()];
                    float[] cb = originals[precisions.indexOf(modes.get(m).catalog())][p.other()];
                    others.append(String.format(Locale.ROOT, ", %s %.4f", modes.get(m), dot(qa, cb)));
                }
            }
            report.printf(Locale.ROOT, "%2d. %.4f%s  %s %s  <->  %s %s%n", rank++, p.cosine(), others, a.id(),
                    relative(a.path()), b.id(), relative(b.path()));
        }
    }

    private String relative(Path p) {
        Path root = data.toAbsolutePath().normalize();
        Path abs = p.toAbsolutePath().normalize();
        return abs.startsWith(root) ? root.relativize(abs).toString() : abs.toString();
    }

    /**
     * Side-by-side pairs at the photos' own size (up to 348 px), one a row with its rank and cosine, four rows a PNG
     * page: {@code prefix-1.png}, {@code prefix-2.png}, ...
     */
    private void montage(String prefix, List<Nearest> pairs) {
        int cell = 348;
        int perPage = 4;
        for (int page = 0; page * perPage < pairs.size(); page++) {
            List<Mat> rows = new ArrayList<>();
            try {
                for (int r = page * perPage; r < Math.min(pairs.size(), (page + 1) * perPage); r++) {
                    Nearest p = pairs.get(r);
                    Mat a = thumb(photos.get(p.photo()).path(), cell);
                    Mat b = thumb(photos.get(p.other()).path(), cell);
                    Mat row = new Mat(cell + 24, 2 * cell + 8, a.type(), new Scalar(255, 255, 255));
                    a.copyTo(row.submat(new Rect(0, 24, a.cols(), a.rows())));
                    b.copyTo(row.submat(new Rect(cell + 8, 24, b.cols(), b.rows())));
                    Imgproc.putText(row, String.format(Locale.ROOT, "%d. %.4f  %s | %s", r + 1, p.cosine(),
                                    photos.get(p.photo()).id(), photos.get(p.other()).id()), new Point(4, 17),
                            Imgproc.FONT_HERSHEY_SIMPLEX, 0.5, new Scalar(0, 0, 0), 1);
                    a.release();
                    b.release();
                    rows.add(row);
                }
                Mat all = new Mat();
                Core.vconcat(rows, all);
                Imgcodecs.imwrite(out.resolve(prefix + "-" + (page + 1) + ".png").toString(), all);
                all.release();
            } finally {
                rows.forEach(Mat::release);
            }
        }
    }

    /** The photo shrunk to fit a {@code cell} square (never enlarged). */
    private static Mat thumb(Path path, int cell) {
        Mat img = Imgcodecs.imread(path.toString(), Imgcodecs.IMREAD_COLOR);
        double f = Math.min(1.0, (double) cell / Math.max(img.cols(), img.rows()));
        Mat small = new Mat();
        Imgproc.resize(img, small, new Size(Math.round(img.cols() * f), Math.round(img.rows() * f)), 0, 0,
                Imgproc.INTER_AREA);
        img.release();
        return small;
    }

    // ---------------------------------------------------------------------------------------------------- files

    private void writeCsv(List<Nearest[]> uploadNegatives, List<Nearest[]> catalogNegatives) throws IOException {
        Edit[] edits = Edit.values();
        try (BufferedWriter w = Files.newBufferedWriter(out.resolve("positives.csv"), StandardCharsets.UTF_8)) {
            w.write("mode,photo,edit,cosine\n");
            for (int mi = 0; mi < modes.size(); mi++) {
                for (int i = 0; i < photos.size(); i++) {
                    int s = positiveSource[i];
                    if (s < 0) {
                        continue;
                    }
                    for (int e = 0; e < edits.length; e++) {
                        w.write(String.format(Locale.ROOT, "%s,%s,%s,%.6f%n", modes.get(mi), photos.get(i).id(),
                                edits[e].label, positives[mi][e][s]));
                    }
                }
            }
        }
        try (BufferedWriter w = Files.newBufferedWriter(out.resolve("negatives.csv"), StandardCharsets.UTF_8)) {
            w.write("mode,set,photo,nearest,cosine\n");
            for (int mi = 0; mi < modes.size(); mi++) {
                for (Nearest[] set : List.of(uploadNegatives.get(mi), catalogNegatives.get(mi))) {
                    String name = set == uploadNegatives.get(mi) ? "upload->catalog" : "catalog->catalog";
                    for (Nearest p : set) {
                        w.write(String.format(Locale.ROOT, "%s,%s,%s,%s,%.6f%n", modes.get(mi), name,
                                photos.get(p.photo()).id(), p.other() < 0 ? "" : photos.get(p.other()).id(),
                                p.cosine()));
                    }
                }
            }
        }
    }
}
