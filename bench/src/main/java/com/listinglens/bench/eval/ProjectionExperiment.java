package com.listinglens.bench.eval;

import com.listinglens.calibration.PlattScaling;
import com.listinglens.catalog.CatalogReader;
import com.listinglens.catalog.Listing;
import com.listinglens.config.ConfigLoader;
import com.listinglens.config.LensConfig;
import com.listinglens.config.Settings;
import com.listinglens.embedding.DjlEmbedder;
import com.listinglens.embedding.Embedder;
import com.listinglens.embedding.ModelSettings;
import com.listinglens.embedding.Vectors;
import com.listinglens.eval.Scorecard;
import com.listinglens.image.DecodedImage;
import com.listinglens.image.ImageDecoder;
import com.listinglens.image.ImageSettings;
import com.listinglens.image.OpenCv;
import com.listinglens.image.Preprocessor;
import com.listinglens.pool.Neighbour;
import com.listinglens.projection.Projection;
import com.listinglens.suggest.CategoryVote;
import com.listinglens.suggest.ListingSuggestion;
import com.listinglens.suggest.SuggestSettings;
import com.listinglens.suggest.Suggester;
import com.listinglens.suggest.WeightClasses;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.opencv.core.Core;
import org.opencv.core.Mat;

/**
 * Measures the learned projection ({@link Projection#lda}) on val, the real data, with the service's own decoding,
 * preprocessing, model and vote (not a test: run it with {@code bench/projection.sh}).
 *
 * <p>The pool is train + iconic (lens.build.catalogs), embedded in {@code lens.build.precision} (fp32) in batches as
 * {@code lens build-pool} does; the uploads are val, embedded one photo at a time in {@code lens.model.precision}
 * (int8) as the service does. Embeddings are cached under {@code --out} (keyed by the model file, the precision, the
 * image settings and the catalog's ids and paths), so reruns skip the model.
 *
 * <p>For every configuration (no projection; LDA with each output dimension and shrinkage of the grid, learned from
 * the pool's leaf categories only, never val's) the pool and the uploads are projected, the {@code k} most similar
 * pool listings of each upload are found by brute force (exact inner product, as the pool's IDMap,Flat index) and
 * merged as the pipeline does, and {@link Suggester} with the configured {@code lens.suggest.*} settings (the
 * temperature replaced by each of the grid's) makes the suggestion, scored by {@link Scorecard}: leaf = the whole
 * path, level 2 = its first two names, brand where val has one, weight class where val has a weight; a null answer
 * is wrong, coverage is the share answered.
 *
 * <p>Then (unless {@code --no-tta}), with no projection and with one LDA ({@code --tta-projection}, default 80
 * dimensions, shrinkage 0.1) at the configured temperature and k: test-time augmentation of the queries (the mean of
 * the L2-normalised embeddings of the photo, its mirror image and two corner crops of 90 %, each view made on the
 * decoded image and embedded through the service's own preprocessing and int8 model, renormalised), the pool with
 * and without the iconic catalogue (the LDA learned from that pool), and the pool's rows as the mean of each photo and
 * its mirror image (fp32); every cell against the same uploads, with the leaf answers won and lost, the leaf ECE and
 * accuracy at 90 % coverage, and the per-query cost of the views.
 *
 * <p>Prints progress to stderr, the tables to stdout; writes results.csv, tta.csv and the best projection to
 * {@code --out}.
 */
public final class ProjectionExperiment {

    record Photo(Listing listing, Path file) {
    }

    /** Embeddings of a catalog, row-major. */
    record Embedded(List<Listing> listings, float[] rows, int n, int dim) {
    }

    /** One projection of the grid: null method = none. */
    record Config(String method, int outDim, double shrinkage) {
        String label() {
            return method == null ? "none" : String.format(Locale.ROOT, "%s-%d s=%s", method, outDim, shrink(shrinkage));
        }
    }

    record Row(Config config, double temperature, CategoryVote vote, int k, String queries, Scorecard card, double fitSeconds) {
    }

    // -------------------------------------------------------------------------------------------------- options
    private Path out = Path.of("target/projection-experiment");
    private int[] dims = {40, 64, 80};
    private double[] shrinkages = {1e-4, 1e-3, 1e-2, 0.1};
    private double[] temperatures = {0.02, 0.05, 0.1};
    private int k;
    private int threads;
    private boolean fp32Queries = true;
    private boolean extras = true;
    private int poolFolds;
    private boolean tta = true;
    private double ttaCrop = 0.9;
    private boolean poolFlip = true;
    private int ttaDim = 80;
    private double ttaShrinkage = 0.1;
    private int ttaCostQueries = 100;
    private String dropCatalog = "iconic.jsonl";
    private int[] scales = {};
    private List<int[]> poolScales = List.of();
    private int calibrationSplits = 50;

    private final PrintStream log = System.err;
    private final PrintStream report = System.out;

    public static void main(String[] args) throws Exception {
        ProjectionExperiment e = new ProjectionExperiment();
        LensConfig config = ConfigLoader.load();
        if (!e.parse(args, config)) {
            return;
        }
        e.run(config);
    }

    private boolean parse(String[] args, LensConfig config) {
        k = config.search().k();
        threads = config.model().predictors();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--out" -> out = Path.of(args[++i]);
                case "--dims" -> dims = Arrays.stream(args[++i].split(",")).mapToInt(s -> Integer.parseInt(s.strip())).toArray();
                case "--shrinkage" -> shrinkages = doubles(args[++i]);
                case "--temperatures" -> temperatures = doubles(args[++i]);
                case "--k" -> k = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--no-fp32-queries" -> fp32Queries = false;
                case "--no-extras" -> extras = false;
                case "--pool-cv" -> poolFolds = Integer.parseInt(args[++i]);
                case "--no-tta" -> tta = false;
                case "--tta-crop" -> ttaCrop = Double.parseDouble(args[++i]);
                case "--no-pool-flip" -> poolFlip = false;
                case "--tta-projection" -> {
                    String[] v = args[++i].split(",");
                    ttaDim = Integer.parseInt(v[0].strip());
                    ttaShrinkage = Double.parseDouble(v[1].strip());
                }
                case "--tta-cost" -> ttaCostQueries = Integer.parseInt(args[++i]);
                case "--drop-catalog" -> dropCatalog = args[++i];
                case "--scales" -> scales = Arrays.stream(args[++i].split(",")).mapToInt(x -> Integer.parseInt(x.strip())).toArray();
                case "--pool-scales" -> poolScales = Arrays.stream(args[++i].split("/"))
                        .map(g -> Arrays.stream(g.split("[,+]")).mapToInt(x -> Integer.parseInt(x.strip())).toArray()).toList();
                case "--calibration-splits" -> calibrationSplits = Integer.parseInt(args[++i]);
                case "-h", "--help" -> {
                    report.println("""
                            ProjectionExperiment [options]: kNN suggestions on val with and without a learned projection
                              --out DIR             embedding cache, results.csv, best projection (default target/projection-experiment)
                              --dims LIST           LDA output dimensions (default 40,64,80)
                              --shrinkage LIST      LDA shrinkages (default 1e-4,1e-3,1e-2,0.1)
                              --temperatures LIST   vote temperatures (default 0.02,0.05,0.1)
                              --k N                 neighbours (default lens.search.k)
                              --threads N           photos embedded at once (default lens.model.predictors)
                              --no-fp32-queries     skip the fp32-query comparison
                              --no-extras           skip the k / category-vote comparison
                              --pool-cv N           also rank the grid by N-fold cross-validation inside the pool (no val
                                                    at all: each class's photos cut into N consecutive blocks)
                              --no-tta              skip the test-time augmentation / pool make-up comparison
                              --tta-projection D,S  the LDA it is measured with (default 80,0.1; T = lens.suggest.temperature)
                              --tta-crop F          side of the two corner crops, as a share of the photo (default 0.9)
                              --no-pool-flip        skip embedding the pool's flipped photos (pool-side TTA)
                              --drop-catalog NAME   the catalog left out of the pool in that comparison (default iconic.jsonl)
                              --tta-cost N          val photos timed for the per-query cost of TTA (default 100; 0: skip)
                              --scales LIST         multi-scale embeddings: crop sizes (e.g. 224,320; resize = crop x 256/224), each
                                                    alone and the mean of all, with the LDA of --tta-projection; leaf ECE raw and
                                                    after Platt scaling cross-fitted on val halves
                              --pool-scales GROUPS  with --scales: pools of the mean of each group's crop sizes (groups such as
                                                    224+320/192+256, each size among --scales), each queried by the
                                                    same mean and by each single crop size of --scales (cheaper queries
                                                    against the richer pool), LDA learned from the pool's rows alone and
                                                    from its rows with every view's rows as extra samples
                              --calibration-splits N  random halvings of val for the cross-fitted calibration (default 50)""");
                    return false;
                }
                default -> throw new IllegalArgumentException("unknown argument " + a + " (--help)");
            }
        }
        return true;
    }

    private static double[] doubles(String list) {
        return Arrays.stream(list.split(",")).mapToDouble(s -> Double.parseDouble(s.strip())).toArray();
    }

    // -------------------------------------------------------------------------------------------------- the run

    private void run(LensConfig config) throws Exception {
        long t0 = System.nanoTime();
        OpenCv.ensureLoaded();
        Files.createDirectories(out);
        Path data = config.sharedDir().resolve("datasets/grocery");
        List<Path> poolCatalogs = config.build().catalogs();
        Path valCatalog = data.resolve("val.jsonl");

        List<Photo> poolPhotos = new ArrayList<>();
        List<String> poolCatalogOfRow = new ArrayList<>();
        for (Path c : poolCatalogs) {
            List<Photo> photos = read(c);
            poolPhotos.addAll(photos);
            photos.forEach(x -> poolCatalogOfRow.add(c.getFileName().toString()));
        }
        List<Photo> valPhotos = read(valCatalog);
        String poolPrecision = config.build().precision();
        String queryPrecision = config.model().precision();

        Embedded pool = embedCached(config, "pool", poolPhotos, poolPrecision, true, View.PHOTO);
        Embedded val = embedCached(config, "val", valPhotos, queryPrecision, false, View.PHOTO);
        Embedded valFp32 = fp32Queries && !queryPrecision.equals("fp32")
                ? embedCached(config, "val", valPhotos, "fp32", false, View.PHOTO) : null;
        double embedSeconds = (System.nanoTime() - t0) / 1e9;
        log.printf(Locale.ROOT, "projection: pool %d x %d (%s), val %d (%s), embeddings ready in %.1f s%n",
                pool.n(), pool.dim(), poolPrecision, val.n(), queryPrecision, embedSeconds);

        // leaf labels of the pool (only the pool's: val is for measuring)
        Map<List<String>, Integer> leafIndex = new LinkedHashMap<>();
        int[] labels = new int[pool.n()];
        for (int i = 0; i < pool.n(); i++) {
            List<String> c = pool.listings().get(i).category();
            if (c.isEmpty()) {
                throw new IllegalStateException("pool listing " + pool.listings().get(i).id() + " has no category");
            }
            labels[i] = leafIndex.computeIfAbsent(c, x -> leafIndex.size());
        }
        int classes = leafIndex.size();
        log.printf(Locale.ROOT, "projection: %d leaf categories in the pool%n", classes);

        SuggestSettings base = Settings.suggest(config.suggest());
        WeightClasses weightClasses = base.weightClasses();

        List<Config> configs = new ArrayList<>();
        configs.add(new Config(null, pool.dim(), 0));
        for (int d : dims) {
            for (double s : shrinkages) {
                configs.add(new Config(Projection.LDA, d, s));
            }
        }

        long tGrid = System.nanoTime();
        List<Row> rows = new ArrayList<>();
        Map<Config, Projection> projections = new HashMap<>();
        Map<Config, List<List<Neighbour>>> neighbourLists = new HashMap<>();
        int maxK = Math.max(k, 30);
        for (Config c : configs) {
            long f0 = System.nanoTime();
            Projection p = c.method() == null ? null
                    : Projection.lda(pool.rows(), pool.n(), pool.dim(), labels, Math.min(c.outDim(), classes - 1), c.shrinkage());
            double fit = (System.nanoTime() - f0) / 1e9;
            long s0 = System.nanoTime();
            float[] poolRows = project(p, pool);
            float[] valRows = project(p, val);
            int outDim = p == null ? pool.dim() : p.outputDimension();
            List<List<Neighbour>> lists = neighbours(poolRows, pool.listings(), valRows, val.n(), outDim, maxK);
            double searchSeconds = (System.nanoTime() - s0) / 1e9;
            projections.put(c, p);
            neighbourLists.put(c, lists);
            for (double t : temperatures) {
                Scorecard card = score(lists, val.listings(), with(base, t, base.categoryVote()), k, weightClasses);
                rows.add(new Row(c, t, base.categoryVote(), k, queryPrecision, card, fit));
            }
            log.printf(Locale.ROOT, "projection: %-18s fit %.2f s, project + search %.2f s%n", c.label(), fit, searchSeconds);
        }
        double gridSeconds = (System.nanoTime() - tGrid) / 1e9;

        report.printf(Locale.ROOT, "%nkNN suggestions on val (%d uploads, %s queries) from the pool (%d listings, %s), k = %d, "
                        + "%s vote; pool labels only for learning%n", val.n(), queryPrecision, pool.n(), poolPrecision, k,
                base.categoryVote().name().toLowerCase(Locale.ROOT));
        report.print(table(rows));

        Row best = rows.stream().max((a, b) -> compare(a.card(), b.card())).orElseThrow();
        Row baseline = rows.stream().filter(r -> r.config().method() == null && r.temperature() == base.temperature())
                .findFirst().orElse(rows.get(0));
        report.printf(Locale.ROOT, "%nbest: %s, T = %s: leaf %s, level 2 %s, brand %s, weight %s, coverage %s%n",
                best.config().label(), best.temperature(), pct(best.card(), "category leaf"), pct(best.card(), "category level 2"),
                pct(best.card(), "brand"), pct(best.card(), "weight class"), cov(best.card(), "category leaf"));
        report.printf(Locale.ROOT, "baseline (no projection, T = %s, the configured vote): leaf %s, level 2 %s%n",
                baseline.temperature(), pct(baseline.card(), "category leaf"), pct(baseline.card(), "category level 2"));

        Projection bestProjection = projections.get(best.config());
        if (bestProjection != null) {
            Path file = out.resolve("best.llpj");
            bestProjection.write(file);
            report.printf(Locale.ROOT, "best projection written to %s (%s, sha256 %s, %d bytes)%n", file, bestProjection,
                    bestProjection.sha256(), Files.size(file));
        }

        List<Row> extraRows = new ArrayList<>();
        if (extras) {
            // the best projection and none, against k and the category vote
            for (Config c : List.of(configs.get(0), best.config())) {
                for (CategoryVote vote : CategoryVote.values()) {
                    for (int kk : new int[]{5, 10, 15, 20, 30}) {
                        List<List<Neighbour>> lists = neighbourLists.get(c).stream().map(l -> l.subList(0, Math.min(kk, l.size()))).toList();
                        extraRows.add(new Row(c, best.temperature(), vote, kk, queryPrecision,
                                score(lists, val.listings(), with(base, best.temperature(), vote), kk, weightClasses), 0));
                    }
                }
            }
        }
        if (valFp32 != null) {
            for (Config c : List.of(configs.get(0), best.config())) {
                Projection p = projections.get(c);
                int outDim = p == null ? pool.dim() : p.outputDimension();
                List<List<Neighbour>> lists = neighbours(project(p, pool), pool.listings(), project(p, valFp32), valFp32.n(), outDim, k);
                extraRows.add(new Row(c, best.temperature(), base.categoryVote(), k, "fp32",
                        score(lists, val.listings(), with(base, best.temperature(), base.categoryVote()), k, weightClasses), 0));
            }
        }
        if (!extraRows.isEmpty()) {
            report.printf(Locale.ROOT, "%nno projection and the best one, T = %s, against k, the category vote and the query "
                    + "precision%n", best.temperature());
            report.print(table(extraRows));
        }

        if (poolFolds > 1) {
            poolCrossValidation(pool, labels, configs, with(base, best.temperature(), base.categoryVote()), weightClasses);
        }

        if (tta) {
            testTimeAugmentation(config, poolPhotos, poolCatalogOfRow, valPhotos, pool, val, base, weightClasses);
        }

        if (scales.length > 0) {
            multiScale(config, poolPhotos, valPhotos, pool, val, labels, classes, base, weightClasses);
        }

        // what projecting costs a query
        if (bestProjection != null) {
            float[] sink = new float[bestProjection.outputDimension()];
            long p0 = 0;
            int repeats = 20;
            for (int r = 0; r < repeats + 5; r++) {
                if (r == 5) {
                    p0 = System.nanoTime();
                }
                for (int q = 0; q < val.n(); q++) {
                    float[] y = bestProjection.apply(Arrays.copyOfRange(val.rows(), q * val.dim(), (q + 1) * val.dim()));
                    sink[0] += y[0];
                }
            }
            report.printf(Locale.ROOT, "%nprojecting one query %d -> %d: %.1f us (mean of %d, one thread)%s%n",
                    bestProjection.inputDimension(), bestProjection.outputDimension(),
                    (System.nanoTime() - p0) / 1e3 / (repeats * val.n()), repeats * val.n(), sink[0] == 12345 ? " " : "");
        }

        writeCsv(out.resolve("results.csv"), rows, extraRows);
        report.printf(Locale.ROOT, "%ntimings: embeddings %.1f s (cached after the first run), grid of %d projections x %d "
                        + "temperatures %.1f s, total %.1f s; results in %s%n", embedSeconds, configs.size(), temperatures.length,
                gridSeconds, (System.nanoTime() - t0) / 1e9, out.resolve("results.csv"));
    }

    /**
     * Ranks the grid without val: each class's pool photos are cut into {@code poolFolds} consecutive blocks (photos of
     * one product taken in a row stay together, so a held-out photo's near twins are mostly held out with it); each
     * block is suggested from a projection learned on, and neighbours found in, the other blocks.
     */
    private void poolCrossValidation(Embedded pool, int[] labels, List<Config> configs, SuggestSettings settings,
                                     WeightClasses weightClasses) {
        long t0 = System.nanoTime();
        int n = pool.n();
        int dim = pool.dim();
        int classes = Arrays.stream(labels).max().orElse(0) + 1;
        int[] counts = new int[classes];
        for (int label : labels) {
            counts[label]++;
        }
        int[] seen = new int[classes];
        int[] fold = new int[n];
        for (int i = 0; i < n; i++) {
            fold[i] = (int) ((long) seen[labels[i]]++ * poolFolds / counts[labels[i]]);
        }
        List<Row> cvRows = new ArrayList<>();
        for (Config c : configs) {
            Scorecard card = new Scorecard(weightClasses);
            for (int f = 0; f < poolFolds; f++) {
                List<Integer> trainIdx = new ArrayList<>();
                List<Integer> testIdx = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    (fold[i] == f ? testIdx : trainIdx).add(i);
                }
                Embedded train = subset(pool, trainIdx);
                Embedded test = subset(pool, testIdx);
                int[] trainLabels = trainIdx.stream().mapToInt(i -> labels[i]).toArray();
                Projection p = c.method() == null ? null
                        : Projection.lda(train.rows(), train.n(), dim, trainLabels, Math.min(c.outDim(), classes - 1), c.shrinkage());
                int outDim = p == null ? dim : p.outputDimension();
                List<List<Neighbour>> lists = neighbours(project(p, train), train.listings(), project(p, test), test.n(), outDim, k);
                Suggester suggester = new Suggester(settings);
                for (int q = 0; q < test.n(); q++) {
                    card.add(test.listings().get(q), suggester.suggest(Suggester.merge(List.of(lists.get(q)), k)));
                }
            }
            cvRows.add(new Row(c, settings.temperature(), settings.categoryVote(), k, "fp32", card, 0));
            log.printf(Locale.ROOT, "projection: pool cross-validation %-18s done%n", c.label());
        }
        report.printf(Locale.ROOT, "%n%d-fold cross-validation inside the pool (%d listings, fp32 queries, T = %s; no val): "
                + "%.1f s%n", poolFolds, n, settings.temperature(), (System.nanoTime() - t0) / 1e9);
        report.print(table(cvRows));
        Row best = cvRows.stream().max((a, b) -> compare(a.card(), b.card())).orElseThrow();
        report.printf(Locale.ROOT, "best by pool cross-validation: %s%n", best.config().label());
    }

    // -------------------------------------------------------------------------------------------------- TTA

    /**
     * What the model is shown of a photo: the photo itself (as the service embeds it), its mirror image, or a crop of
     * {@code crop} of each side at the top-left or bottom-right corner (a mild shift and zoom). Applied to the decoded
     * image, before the service's own {@link Preprocessor} (resize of the shorter side, centre crop, normalisation).
     */
    enum View {
        PHOTO, FLIP, CROP_TOP_LEFT, CROP_BOTTOM_RIGHT;

        String label(double crop) {
            return switch (this) {
                case PHOTO -> "photo";
                case FLIP -> "flip";
                case CROP_TOP_LEFT -> String.format(Locale.ROOT, "crop %.0f %% top-left", 100 * crop);
                case CROP_BOTTOM_RIGHT -> String.format(Locale.ROOT, "crop %.0f %% bottom-right", 100 * crop);
            };
        }

        String file() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** The view of a decoded photo: a new image the caller closes, or {@code image} itself for {@link #PHOTO}. */
        DecodedImage apply(DecodedImage image, double crop) {
            Mat m = image.mat();
            switch (this) {
                case PHOTO -> {
                    return image;
                }
                case FLIP -> {
                    Mat flipped = new Mat();
                    Core.flip(m, flipped, 1); // around the vertical axis: left and right swapped
                    return new DecodedImage(flipped, image.format(), image.sourceWidth(), image.sourceHeight());
                }
                default -> {
                    int w = m.cols();
                    int h = m.rows();
                    int cw = Math.max(1, (int) Math.round(crop * w));
                    int ch = Math.max(1, (int) Math.round(crop * h));
                    int x = this == CROP_TOP_LEFT ? 0 : w - cw;
                    int y = this == CROP_TOP_LEFT ? 0 : h - ch;
                    Mat window = m.submat(y, y + ch, x, x + cw);
                    Mat copy = window.clone();
                    window.release();
                    // the decoded pixels may be a reduced-scale decode: the crop's full-resolution size in proportion
                    int sw = (int) Math.round((double) cw * image.sourceWidth() / w);
                    int sh = (int) Math.round((double) ch * image.sourceHeight() / h);
                    return new DecodedImage(copy, image.format(), sw, sh);
                }
            }
        }
    }

    /** A pool for the TTA comparison: the rows searched, and the rows (with their leaf labels) LDA is learned from. */
    record PoolVariant(String label, Embedded index, float[] fitRows, int fitN, List<Listing> fitListings) {
    }

    record TtaRow(String pool, String projection, String query, Scorecard card, boolean[] leafRight) {
    }

    /**
     * Test-time augmentation of the queries (the mean of the L2-normalised embeddings of several views of the upload,
     * renormalised), the pool with and without the iconic catalogue photos (the projection learned on that pool), and
     * the pool's own rows as the mean of each photo and its mirror image; each with no projection and the LDA of
     * {@code --tta-projection}, at the configured temperature and k. Val only measures.
     */
    private void testTimeAugmentation(LensConfig config, List<Photo> poolPhotos, List<String> poolCatalogOfRow,
                                      List<Photo> valPhotos, Embedded pool, Embedded val, SuggestSettings base,
                                      WeightClasses weightClasses) throws Exception {
        long t0 = System.nanoTime();
        String queryPrecision = config.model().precision();
        String poolPrecision = config.build().precision();
        Embedded flip = embedCached(config, "val", valPhotos, queryPrecision, false, View.FLIP);
        Embedded cropA = embedCached(config, "val", valPhotos, queryPrecision, false, View.CROP_TOP_LEFT);
        Embedded cropB = embedCached(config, "val", valPhotos, queryPrecision, false, View.CROP_BOTTOM_RIGHT);
        Embedded poolFlipped = poolFlip ? embedCached(config, "pool", poolPhotos, poolPrecision, true, View.FLIP) : null;
        double embedSeconds = (System.nanoTime() - t0) / 1e9;

        report.printf(Locale.ROOT, "%nhow far the views are from the photo (mean / min cosine over val, %s): flip %s, %s %s, "
                        + "%s %s%s%n", queryPrecision, cosines(val, flip), View.CROP_TOP_LEFT.label(ttaCrop), cosines(val, cropA),
                View.CROP_BOTTOM_RIGHT.label(ttaCrop), cosines(val, cropB),
                poolFlipped == null ? "" : "; pool (" + poolPrecision + ") flip " + cosines(pool, poolFlipped));

        Map<String, Embedded> queries = new LinkedHashMap<>();
        queries.put("photo", val);
        queries.put("photo+flip", mean(val, flip));
        queries.put("photo+2 crops", mean(val, cropA, cropB));
        queries.put("photo+flip+2 crops", mean(val, flip, cropA, cropB));

        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < pool.n(); i++) {
            if (!poolCatalogOfRow.get(i).equals(dropCatalog)) {
                kept.add(i);
            }
        }
        String all = String.join("+", new java.util.LinkedHashSet<>(poolCatalogOfRow)).replace(".jsonl", "");
        String some = String.join("+", poolCatalogOfRow.stream().filter(c -> !c.equals(dropCatalog)).distinct().toList())
                .replace(".jsonl", "");
        Embedded trainOnly = subset(pool, kept);
        List<PoolVariant> pools = new ArrayList<>();
        pools.add(new PoolVariant(all, pool, pool.rows(), pool.n(), pool.listings()));
        if (kept.size() < pool.n()) {
            pools.add(new PoolVariant(some, trainOnly, trainOnly.rows(), trainOnly.n(), trainOnly.listings()));
        }
        if (poolFlipped != null) {
            Embedded both = mean(pool, poolFlipped);
            pools.add(new PoolVariant(all + ", photo+flip", both, both.rows(), both.n(), both.listings()));
            if (kept.size() < pool.n()) {
                Embedded bothKept = subset(both, kept);
                pools.add(new PoolVariant(some + ", photo+flip", bothKept, bothKept.rows(), bothKept.n(), bothKept.listings()));
            }
            // flips as extra training rows for LDA only (the pool still holds the photos)
            float[] fit = Arrays.copyOf(pool.rows(), 2 * pool.rows().length);
            System.arraycopy(poolFlipped.rows(), 0, fit, pool.rows().length, poolFlipped.rows().length);
            List<Listing> fitListings = new ArrayList<>(pool.listings());
            fitListings.addAll(poolFlipped.listings());
            pools.add(new PoolVariant(all + ", LDA fit +flips", pool, fit, 2 * pool.n(), fitListings));
        }

        SuggestSettings settings = with(base, base.temperature(), base.categoryVote());
        List<TtaRow> rows = new ArrayList<>();
        Map<String, boolean[]> reference = new HashMap<>();
        for (PoolVariant pv : pools) {
            Map<List<String>, Integer> index = new LinkedHashMap<>();
            int[] fitLabels = new int[pv.fitN()];
            for (int i = 0; i < pv.fitN(); i++) {
                fitLabels[i] = index.computeIfAbsent(pv.fitListings().get(i).category(), x -> index.size());
            }
            int classes = index.size();
            Projection lda = Projection.lda(pv.fitRows(), pv.fitN(), pv.index().dim(), fitLabels,
                    Math.min(ttaDim, classes - 1), ttaShrinkage);
            for (Projection p : Arrays.asList(null, lda)) {
                String projection = p == null ? "none" : String.format(Locale.ROOT, "lda-%d s=%s", p.outputDimension(),
                        shrink(ttaShrinkage));
                int outDim = p == null ? pv.index().dim() : p.outputDimension();
                float[] poolRows = project(p, pv.index());
                for (Map.Entry<String, Embedded> q : queries.entrySet()) {
                    List<List<Neighbour>> lists = neighbours(poolRows, pv.index().listings(), project(p, q.getValue()),
                            q.getValue().n(), outDim, k);
                    Suggester suggester = new Suggester(settings);
                    Scorecard card = new Scorecard(weightClasses);
                    boolean[] right = new boolean[val.n()];
                    for (int i = 0; i < val.n(); i++) {
                        ListingSuggestion s = suggester.suggest(Suggester.merge(List.of(lists.get(i)), k));
                        card.add(val.listings().get(i), s);
                        right[i] = s.category().names().equals(val.listings().get(i).category());
                    }
                    reference.putIfAbsent(p == null ? "none" : "lda", right);
                    rows.add(new TtaRow(pv.label(), projection, q.getKey(), card, right));
                }
            }
            log.printf(Locale.ROOT, "projection: TTA, pool %s (%d rows, LDA from %d rows, %d classes) done%n", pv.label(),
                    pv.index().n(), pv.fitN(), classes);
        }

        report.printf(Locale.ROOT, "%ntest-time augmentation and the pool's make-up: %d val uploads (%s, one view per model call), "
                        + "pool %s, k = %d, T = %s, %s vote; views averaged as L2-normalised embeddings, renormalised; "
                        + "LDA learned from each pool's own rows and leaf labels (embeddings %.1f s)%n", val.n(),
                queryPrecision, poolPrecision, k, settings.temperature(), settings.categoryVote().name().toLowerCase(Locale.ROOT),
                embedSeconds);
        double p0 = rows.stream().filter(r -> r.projection().startsWith("lda")).findFirst().map(r -> acc(r.card(), "category leaf"))
                .orElse(Double.NaN);
        report.printf(Locale.ROOT, "(standard error of one leaf accuracy near %.1f %%: %.1f points; 'vs ref': uploads whose leaf "
                + "became right / wrong against the first row of the same projection, the same uploads)%n", 100 * p0,
                100 * Math.sqrt(p0 * (1 - p0) / val.n()));
        report.print(ttaTable(rows, reference));
        writeTtaCsv(out.resolve("tta.csv"), rows, settings.temperature());

        if (ttaCostQueries > 0) {
            ttaCost(config, valPhotos, val, flip, cropA, cropB);
        }
    }

    /** Per query, one thread, the service's int8 path: decode, the views' tensors, one model call, the mean. */
    private void ttaCost(LensConfig config, List<Photo> valPhotos, Embedded val, Embedded flip, Embedded cropA,
                         Embedded cropB) throws Exception {
        ImageSettings image = Settings.image(config.image());
        String precision = config.model().precision();
        ModelSettings model = Settings.model(config.model(), precision);
        ImageDecoder decoder = new ImageDecoder(image);
        Preprocessor preprocessor = new Preprocessor(image);
        int n = Math.min(ttaCostQueries, valPhotos.size());
        List<byte[]> uploads = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            uploads.add(Files.readAllBytes(valPhotos.get(i).file()));
        }
        List<List<View>> sets = List.of(List.of(View.PHOTO), List.of(View.PHOTO, View.FLIP),
                List.of(View.PHOTO, View.FLIP, View.CROP_TOP_LEFT, View.CROP_BOTTOM_RIGHT));
        Embedded[] cached = {val, flip, cropA, cropB};
        report.printf(Locale.ROOT, "%nper-query cost of TTA (%d val uploads, bytes in memory, one thread, %s model, %d intra-op "
                + "thread(s); the views of an upload embedded in one call; mean ms per upload)%n", n, precision, model.threads());
        report.printf(Locale.ROOT, "| %-18s | %6s | %10s | %8s | %8s | %8s | %-26s |%n", "views", "decode", "views+prep", "model",
                "total", "x photo", "batched vs cached, min cos");
        report.println("|--------------------|--------|------------|----------|----------|----------|----------------------------|");
        double single = Double.NaN;
        try (Embedder embedder = new DjlEmbedder(model)) {
            for (List<View> views : sets) {
                double decodeNs = 0;
                double prepNs = 0;
                double modelNs = 0;
                double minCos = 1;
                for (int r = -Math.min(10, n); r < n; r++) { // the first ten rounds warm up, then every upload once
                    int i = Math.floorMod(r, n);
                    long a = System.nanoTime();
                    List<float[]> tensors = new ArrayList<>(views.size());
                    long b;
                    try (DecodedImage decoded = decoder.decode(uploads.get(i), image.resizeShorter())) {
                        b = System.nanoTime();
                        for (View v : views) {
                            DecodedImage seen = v.apply(decoded, ttaCrop);
                            try {
                                tensors.add(preprocessor.toTensor(seen));
                            } finally {
                                if (seen != decoded) {
                                    seen.close();
                                }
                            }
                        }
                    }
                    long c = System.nanoTime();
                    float[][] rows = embedder.embed(tensors);
                    float[] meanRow = new float[rows[0].length];
                    for (float[] row : rows) {
                        for (int j = 0; j < row.length; j++) {
                            meanRow[j] += row[j];
                        }
                    }
                    Vectors.l2NormalizeInPlace(meanRow);
                    long d = System.nanoTime();
                    if (r >= 0) {
                        decodeNs += b - a;
                        prepNs += c - b;
                        modelNs += d - c;
                        for (int v = 0; v < views.size(); v++) {
                            Embedded e = cached[views.get(v).ordinal()];
                            float[] ref = Arrays.copyOfRange(e.rows(), i * e.dim(), (i + 1) * e.dim());
                            minCos = Math.min(minCos, Vectors.cosine(ref, rows[v]));
                        }
                    }
                }
                double total = (decodeNs + prepNs + modelNs) / 1e6 / n;
                if (views.size() == 1) {
                    single = total;
                }
                report.printf(Locale.ROOT, "| %-18s | %6.2f | %10.2f | %8.2f | %8.2f | %8.2f | %-26s |%n",
                        views.size() == 1 ? "photo" : views.size() == 2 ? "photo+flip" : "photo+flip+2 crops",
                        decodeNs / 1e6 / n, prepNs / 1e6 / n, modelNs / 1e6 / n, total, total / single,
                        String.format(Locale.ROOT, "%.6f", minCos));
            }
        }
    }

    private static String ttaTable(List<TtaRow> rows, Map<String, boolean[]> reference) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "| %-30s | %-12s | %-18s | %6s | %7s | %7s | %6s | %6s | %8s | %12s | %8s |%n",
                "pool", "projection", "query views", "leaf", "vs ref", "level 2", "brand", "weight", "leaf cov",
                "leaf acc@90%", "leaf ECE"));
        b.append("|--------------------------------|--------------|--------------------|--------|---------|---------|--------|"
                + "--------|----------|--------------|----------|\n");
        for (TtaRow r : rows) {
            boolean[] ref = reference.get(r.projection().equals("none") ? "none" : "lda");
            int gained = 0;
            int lost = 0;
            for (int i = 0; i < ref.length; i++) {
                gained += !ref[i] && r.leafRight()[i] ? 1 : 0;
                lost += ref[i] && !r.leafRight()[i] ? 1 : 0;
            }
            Scorecard.Tally leaf = r.card().field("category leaf");
            b.append(String.format(Locale.ROOT, "| %-30s | %-12s | %-18s | %6s | %7s | %7s | %6s | %6s | %8s | %12s | %8s |%n",
                    r.pool(), r.projection(), r.query(), pct1(r.card(), "category leaf"),
                    r.leafRight() == ref ? "ref" : "+" + gained + " -" + lost,
                    pct1(r.card(), "category level 2"), pct1(r.card(), "brand"), pct1(r.card(), "weight class"),
                    String.format(Locale.ROOT, "%.1f", 100 * leaf.coverage()),
                    Double.isNaN(leaf.accuracyAtCoverage(0.9)) ? "-" : String.format(Locale.ROOT, "%.1f", 100 * leaf.accuracyAtCoverage(0.9)),
                    String.format(Locale.ROOT, "%.3f", leaf.expectedCalibrationError(10))));
        }
        return b.toString();
    }

    private static String pct1(Scorecard card, String field) {
        double v = acc(card, field);
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", 100 * v);
    }

    private void writeTtaCsv(Path file, List<TtaRow> rows, double temperature) throws IOException {
        StringBuilder b = new StringBuilder("pool,projection,query,k,temperature,leaf,level2,brand,weight,leaf_coverage,"
                + "leaf_acc_at_90,leaf_ece10\n");
        for (TtaRow r : rows) {
            Scorecard c = r.card();
            Scorecard.Tally leaf = c.field("category leaf");
            b.append(String.format(Locale.ROOT, "\"%s\",%s,%s,%d,%s,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f%n", r.pool(),
                    r.projection(), r.query(), k, temperature, acc(c, "category leaf"),
                    acc(c, "category level 2"), acc(c, "brand"), acc(c, "weight class"), leaf.coverage(),
                    leaf.accuracyAtCoverage(0.9), leaf.expectedCalibrationError(10)));
        }
        Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
    }

    /** Row by row: the renormalised mean of the (already L2-normalised) rows of several views of the same photos. */
    private static Embedded mean(Embedded... views) {
        Embedded first = views[0];
        float[] rows = new float[first.rows().length];
        for (Embedded v : views) {
            if (v.n() != first.n() || v.dim() != first.dim() || !v.listings().equals(first.listings())) {
                throw new IllegalArgumentException("views of different photos");
            }
            for (int j = 0; j < rows.length; j++) {
                rows[j] += v.rows()[j];
            }
        }
        int dim = first.dim();
        for (int i = 0; i < first.n(); i++) {
            double s = 0;
            for (int j = i * dim; j < (i + 1) * dim; j++) {
                s += (double) rows[j] * rows[j];
            }
            float inv = (float) (1 / Math.sqrt(s));
            for (int j = i * dim; j < (i + 1) * dim; j++) {
                rows[j] *= inv;
            }
        }
        return new Embedded(first.listings(), rows, first.n(), dim);
    }

    /** Mean and min cosine between the rows of two views of the same photos. */
    private static String cosines(Embedded a, Embedded b) {
        double sum = 0;
        double min = 1;
        for (int i = 0; i < a.n(); i++) {
            double s = 0;
            for (int j = i * a.dim(); j < (i + 1) * a.dim(); j++) {
                s += (double) a.rows()[j] * b.rows()[j];
            }
            sum += s;
            min = Math.min(min, s);
        }
        return String.format(Locale.ROOT, "%.3f / %.3f", sum / a.n(), min);
    }

    private static Embedded subset(Embedded e, List<Integer> idx) {
        float[] rows = new float[idx.size() * e.dim()];
        List<Listing> listings = new ArrayList<>(idx.size());
        for (int r = 0; r < idx.size(); r++) {
            System.arraycopy(e.rows(), idx.get(r) * e.dim(), rows, r * e.dim(), e.dim());
            listings.add(e.listings().get(idx.get(r)));
        }
        return new Embedded(listings, rows, idx.size(), e.dim());
    }

    /** Leaf accuracy first, then level 2, then brand, then weight class. */
    private static int compare(Scorecard a, Scorecard b) {
        for (String f : List.of("category leaf", "category level 2", "brand", "weight class")) {
            int c = Double.compare(acc(a, f), acc(b, f));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static SuggestSettings with(SuggestSettings s, double temperature, CategoryVote vote) {
        return new SuggestSettings(temperature, vote, s.minCategoryConfidence(), s.minConfidence(), s.minSupport(),
                s.weightClasses(), s.priceLowQuantile(), s.priceHighQuantile(), s.minPriceNeighbours(), s.neighboursShown(),
                s.currency(), s.minBrandSupport());
    }

    private static Scorecard score(List<List<Neighbour>> lists, List<Listing> truth, SuggestSettings settings, int k,
                                   WeightClasses weightClasses) {
        Suggester suggester = new Suggester(settings);
        Scorecard card = new Scorecard(weightClasses);
        for (int q = 0; q < truth.size(); q++) {
            List<Neighbour> merged = Suggester.merge(List.of(lists.get(q)), k);
            ListingSuggestion s = suggester.suggest(merged);
            card.add(truth.get(q), s);
        }
        return card;
    }

    private static float[] project(Projection p, Embedded e) {
        if (p == null) {
            return e.rows();
        }
        float[] out = new float[e.n() * p.outputDimension()];
        p.apply(e.rows(), e.n(), out);
        return out;
    }

    /** The {@code k} most similar pool rows of each query by exact inner product, best first. */
    static List<List<Neighbour>> neighbours(float[] pool, List<Listing> listings, float[] queries, int m, int dim, int k) {
        int n = listings.size();
        List<List<Neighbour>> out = new ArrayList<>(m);
        float[] sims = new float[n];
        for (int q = 0; q < m; q++) {
            int qo = q * dim;
            for (int i = 0; i < n; i++) {
                int po = i * dim;
                float s = 0;
                for (int j = 0; j < dim; j++) {
                    s += pool[po + j] * queries[qo + j];
                }
                sims[i] = s;
            }
            int kk = Math.min(k, n);
            int[] top = new int[kk];
            int size = 0;
            for (int i = 0; i < n; i++) { // insertion into a small sorted array: k is tiny
                if (size == kk && sims[i] <= sims[top[size - 1]]) {
                    continue;
                }
                int at = size == kk ? kk - 1 : size++;
                while (at > 0 && sims[top[at - 1]] < sims[i]) {
                    top[at] = top[at - 1];
                    at--;
                }
                top[at] = i;
            }
            List<Neighbour> list = new ArrayList<>(kk);
            for (int r = 0; r < kk; r++) {
                list.add(new Neighbour(listings.get(top[r]), sims[top[r]]));
            }
            out.add(list);
        }
        return out;
    }

    // -------------------------------------------------------------------------------------------------- tables

    private static String table(List<Row> rows) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "| %-16s | %5s | %-8s | %3s | %-5s | %7s | %7s | %7s | %7s | %8s | %6s |%n",
                "projection", "T", "vote", "k", "query", "leaf", "level 2", "brand", "weight", "coverage", "fit s"));
        b.append("|------------------|-------|----------|-----|-------|---------|---------|---------|---------|----------|--------|\n");
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, "| %-16s | %5s | %-8s | %3d | %-5s | %7s | %7s | %7s | %7s | %8s | %6s |%n",
                    r.config().label(), r.temperature(), r.vote().name().toLowerCase(Locale.ROOT), r.k(), r.queries(),
                    pct(r.card(), "category leaf"), pct(r.card(), "category level 2"), pct(r.card(), "brand"),
                    pct(r.card(), "weight class"), cov(r.card(), "category leaf"),
                    r.config().method() == null || r.fitSeconds() == 0 ? "-" : String.format(Locale.ROOT, "%.2f", r.fitSeconds())));
        }
        return b.toString();
    }

    private static double acc(Scorecard card, String field) {
        Scorecard.Tally t = card.field(field);
        return t == null ? Double.NaN : t.accuracy();
    }

    private static String pct(Scorecard card, String field) {
        double v = acc(card, field);
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f %%", 100 * v);
    }

    private static String cov(Scorecard card, String field) {
        Scorecard.Tally t = card.field(field);
        return t == null ? "-" : String.format(Locale.ROOT, "%.1f %%", 100 * t.coverage());
    }

    private static String shrink(double s) {
        return s == 0 ? "0" : s >= 0.01 ? Double.toString(s) : String.format(Locale.ROOT, "%.0e", s).replace("e-0", "e-");
    }

    private void writeCsv(Path file, List<Row> rows, List<Row> extraRows) throws IOException {
        StringBuilder b = new StringBuilder("projection,out_dim,shrinkage,temperature,vote,k,queries,leaf,level2,brand,weight,"
                + "leaf_coverage,brand_coverage,weight_coverage,fit_seconds\n");
        for (List<Row> list : List.of(rows, extraRows)) {
            for (Row r : list) {
                Scorecard c = r.card();
                b.append(String.format(Locale.ROOT, "%s,%d,%s,%s,%s,%d,%s,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.3f%n",
                        r.config().method() == null ? "none" : r.config().method(), r.config().outDim(), r.config().shrinkage(),
                        r.temperature(), r.vote().name().toLowerCase(Locale.ROOT), r.k(), r.queries(),
                        acc(c, "category leaf"), acc(c, "category level 2"), acc(c, "brand"), acc(c, "weight class"),
                        c.field("category leaf").coverage(), c.field("brand").coverage(), c.field("weight class").coverage(),
                        r.fitSeconds()));
            }
        }
        Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
    }

    // -------------------------------------------------------------------------------------------------- embedding

    private List<Photo> read(Path catalog) {
        CatalogReader.Catalog c = CatalogReader.read(catalog);
        if (!c.errors().isEmpty()) {
            c.errors().forEach(e -> log.println("skipped " + e));
        }
        Path root = catalog.toAbsolutePath().getParent();
        return c.listings().stream().map(l -> new Photo(l, root.resolve(l.image()))).toList();
    }

    /**
     * Multi-scale embeddings: each photo embedded at every crop size of {@code --scales} (resized in the configured
     * ratio, as the service's {@link com.listinglens.image.MultiScale} does) and, as a last row, the L2-normalised mean of those embeddings; the pool (fp32, batched) and
     * the uploads (the service's precision, one at a time) alike, LDA ({@code --tta-projection}) learned from each
     * combination's pool. For each: the fields, the leaf's expected calibration error as the vote gives it, and after
     * Platt scaling fitted on one random half of val and measured on the other (both ways, {@code calibration-splits}
     * halvings: the mean and the 90th percentile), the map fitted on all of val, and the embedding time per upload.
     */
    private void multiScale(LensConfig config, List<Photo> poolPhotos, List<Photo> valPhotos, Embedded pool, Embedded val,
                            int[] labels, int classes, SuggestSettings base, WeightClasses weightClasses) throws Exception {
        ImageSettings configured = Settings.image(config.image());
        String poolPrecision = config.build().precision();
        String queryPrecision = config.model().precision();
        List<String> names = new ArrayList<>();
        List<Embedded> pools = new ArrayList<>();
        List<Embedded> vals = new ArrayList<>();
        List<Double> msPerUpload = new ArrayList<>();
        for (int s : scales) {
            ImageSettings image = com.listinglens.image.MultiScale.at(configured, s);
            boolean same = s == configured.cropSize() && image.resizeShorter() == configured.resizeShorter();
            pools.add(same ? pool : embedCached(config, "pool-s" + s, poolPhotos, poolPrecision, true, View.PHOTO, image));
            vals.add(same ? val : embedCached(config, "val-s" + s, valPhotos, queryPrecision, false, View.PHOTO, image));
            names.add(Integer.toString(s));
            msPerUpload.add(embedMillis(config, valPhotos.subList(0, Math.min(40, valPhotos.size())), queryPrecision, image));
        }
        if (!poolScales.isEmpty()) {
            Map<Integer, Embedded> poolByScale = new LinkedHashMap<>();
            Map<Integer, Embedded> valByScale = new LinkedHashMap<>();
            Map<Integer, Double> msByScale = new HashMap<>();
            for (int i = 0; i < scales.length; i++) {
                poolByScale.put(scales[i], pools.get(i));
                valByScale.put(scales[i], vals.get(i));
                msByScale.put(scales[i], msPerUpload.get(i));
            }
            for (int[] group : poolScales) {
                cheapQueries(group, poolByScale, valByScale, msByScale, labels, classes, base, weightClasses);
            }
        }
        if (scales.length > 1) {
            pools.add(meanOf(pools));
            vals.add(meanOf(vals));
            names.add("mean " + String.join("+", names));
            msPerUpload.add(msPerUpload.stream().mapToDouble(Double::doubleValue).sum());
        }
        report.printf(Locale.ROOT, "%nmulti-scale embeddings (LDA-%d s=%s, T = %s, k = %d, %s queries): leaf ECE as voted, and after "
                        + "Platt scaling cross-fitted on val halves (%d random halvings, both ways)%n", ttaDim, shrink(ttaShrinkage),
                base.temperature(), k, queryPrecision, calibrationSplits);
        report.println("| scales (crop px) |    leaf | level 2 |   brand |  weight | leaf ECE | Platt ECE mean | p90 | a, b (all val) | embed ms / upload |");
        report.println("|------------------|---------|---------|---------|---------|----------|----------------|-----|----------------|-------------------|");
        for (int c = 0; c < names.size(); c++) {
            Embedded p = pools.get(c);
            Embedded v = vals.get(c);
            Projection lda = Projection.lda(p.rows(), p.n(), p.dim(), labels, Math.min(ttaDim, classes - 1), ttaShrinkage);
            List<List<Neighbour>> lists = neighbours(project(lda, p), p.listings(), project(lda, v), v.n(), lda.outputDimension(), k);
            Scorecard card = score(lists, v.listings(), base, k, weightClasses);
            Scorecard.Tally leaf = card.field("category leaf");
            List<double[]> scored = leaf.scored();
            double[] conf = scored.stream().mapToDouble(x -> x[0]).toArray();
            boolean[] right = new boolean[scored.size()];
            for (int i = 0; i < right.length; i++) {
                right[i] = scored.get(i)[1] > 0.5;
            }
            double[] crossFitted = crossFittedEce(conf, right, calibrationSplits);
            PlattScaling all = PlattScaling.fit(conf, right);
            report.printf(Locale.ROOT, "| %-16s | %s | %s | %s | %s |    %.3f |          %.3f | %.3f | %.3f, %.3f | %17.1f |%n", names.get(c),
                    pct(card, "category leaf"), pct(card, "category level 2"), pct(card, "brand"), pct(card, "weight class"),
                    leaf.expectedCalibrationError(10), crossFitted[0], crossFitted[1], all.a(), all.b(), msPerUpload.get(c));
        }
    }

    /**
     * Queries cheaper than the pool's rows: the pool holds the mean of the {@code --pool-scales} views (as a build with
     * those scales makes it), each upload is embedded at one crop size only. LDA learned from the pool's rows, and from
     * the pool's rows together with each of its views' rows under the same labels (so that the projection also sees
     * photos as a single view shows them). Leaf, level 2, brand, weight, and the query's embedding time.
     */
    private void cheapQueries(int[] poolScales, Map<Integer, Embedded> poolByScale, Map<Integer, Embedded> valByScale,
                              Map<Integer, Double> msByScale, int[] labels, int classes, SuggestSettings base,
                              WeightClasses weightClasses) {
        List<Embedded> parts = new ArrayList<>();
        for (int s : poolScales) {
            if (!poolByScale.containsKey(s)) {
                throw new IllegalArgumentException("--pool-scales " + s + " is not among --scales");
            }
            parts.add(poolByScale.get(s));
        }
        Embedded pool = meanOf(parts);
        int d = pool.dim();
        float[] stacked = new float[pool.rows().length * (parts.size() + 1)];
        int[] stackedLabels = new int[labels.length * (parts.size() + 1)];
        System.arraycopy(pool.rows(), 0, stacked, 0, pool.rows().length);
        System.arraycopy(labels, 0, stackedLabels, 0, labels.length);
        for (int i = 0; i < parts.size(); i++) {
            System.arraycopy(parts.get(i).rows(), 0, stacked, (i + 1) * pool.rows().length, pool.rows().length);
            System.arraycopy(labels, 0, stackedLabels, (i + 1) * labels.length, labels.length);
        }
        String poolName = Arrays.stream(poolScales).mapToObj(Integer::toString).collect(java.util.stream.Collectors.joining("+"));
        Projection onPool = Projection.lda(pool.rows(), pool.n(), d, labels, Math.min(ttaDim, classes - 1), ttaShrinkage);
        Projection onViews = Projection.lda(stacked, pool.n() * (parts.size() + 1), d, stackedLabels,
                Math.min(ttaDim, classes - 1), ttaShrinkage);
        report.printf(Locale.ROOT, "%npool = mean of views %s, queries of one view (LDA-%d s=%s, T = %s, k = %d)%n", poolName,
                ttaDim, shrink(ttaShrinkage), base.temperature(), k);
        report.println("| query view | LDA learned from      |    leaf | level 2 |   brand |  weight | embed ms / upload |");
        report.println("|------------|-----------------------|---------|---------|---------|---------|-------------------|");
        List<Integer> queryScales = new ArrayList<>(valByScale.keySet());
        queryScales.add(-1);
        for (int s : queryScales) {
            Embedded v = s < 0 ? meanOf(Arrays.stream(poolScales).mapToObj(valByScale::get).toList()) : valByScale.get(s);
            double ms = s < 0 ? Arrays.stream(poolScales).mapToDouble(msByScale::get).sum() : msByScale.get(s);
            for (Projection p : List.of(onPool, onViews)) {
                List<List<Neighbour>> lists = neighbours(project(p, pool), pool.listings(), project(p, v), v.n(), p.outputDimension(), k);
                Scorecard card = score(lists, v.listings(), base, k, weightClasses);
                report.printf(Locale.ROOT, "| %-10s | %-21s | %s | %s | %s | %s | %17.1f |%n", s < 0 ? "mean " + poolName : s,
                        p == onPool ? "pool rows" : "pool rows + views", pct(card, "category leaf"),
                        pct(card, "category level 2"), pct(card, "brand"), pct(card, "weight class"), ms);
            }
        }
    }

    /** Mean (over random halvings of the pairs, fitted on one half and measured on the other) and 90th percentile of ECE. */
    static double[] crossFittedEce(double[] conf, boolean[] right, int splits) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(1);
        int n = conf.length;
        double[] eces = new double[splits];
        for (int s = 0; s < splits; s++) {
            int[] perm = java.util.stream.IntStream.range(0, n).toArray();
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            int half = n / 2;
            double[] calibrated = new double[n];
            for (int side = 0; side < 2; side++) {
                int from = side == 0 ? 0 : half;
                int to = side == 0 ? half : n;
                double[] fc = new double[n - (to - from)];
                boolean[] fr = new boolean[fc.length];
                int m = 0;
                for (int i = 0; i < n; i++) {
                    if (i < from || i >= to) {
                        fc[m] = conf[perm[i]];
                        fr[m++] = right[perm[i]];
                    }
                }
                PlattScaling p = PlattScaling.fit(fc, fr);
                for (int i = from; i < to; i++) {
                    calibrated[perm[i]] = p.apply(conf[perm[i]]);
                }
            }
            Scorecard.Tally t = new Scorecard.Tally();
            for (int i = 0; i < n; i++) {
                t.add(true, right[i], calibrated[i]);
            }
            eces[s] = t.expectedCalibrationError(10);
        }
        Arrays.sort(eces);
        return new double[]{Arrays.stream(eces).average().orElse(Double.NaN), eces[(int) Math.min(splits - 1, Math.ceil(0.9 * splits) - 1)]};
    }

    private static Embedded meanOf(List<Embedded> parts) {
        Embedded first = parts.get(0);
        float[] rows = new float[first.rows().length];
        for (Embedded e : parts) {
            for (int i = 0; i < rows.length; i++) {
                rows[i] += e.rows()[i];
            }
        }
        int d = first.dim();
        for (int r = 0; r < first.n(); r++) {
            double norm = 0;
            for (int j = 0; j < d; j++) {
                norm += (double) rows[r * d + j] * rows[r * d + j];
            }
            float inv = (float) (1 / Math.sqrt(norm));
            for (int j = 0; j < d; j++) {
                rows[r * d + j] *= inv;
            }
        }
        return new Embedded(first.listings(), rows, first.n(), first.dim());
    }

    /** Decode + preprocess + embed of each photo, one at a time as the service does, in ms per photo (after 5 warm-up). */
    private double embedMillis(LensConfig config, List<Photo> photos, String precision, ImageSettings image) throws Exception {
        ImageDecoder decoder = new ImageDecoder(image);
        Preprocessor preprocessor = new Preprocessor(image);
        try (Embedder embedder = new DjlEmbedder(Settings.model(config.model(), precision))) {
            long t0 = 0;
            for (int i = 0; i < photos.size() + 5; i++) {
                if (i == 5) {
                    t0 = System.nanoTime();
                }
                byte[] bytes = Files.readAllBytes(photos.get(i % photos.size()).file());
                try (DecodedImage d = decoder.decode(bytes, image.resizeShorter())) {
                    embedder.embed(preprocessor.toTensor(d));
                }
            }
            return (System.nanoTime() - t0) / 1e6 / photos.size();
        }
    }

    /**
     * Embeddings of the photos in a precision, from the cache when its key matches: batches of lens.model.batch-size
     * as the pool builder embeds ({@code batched}), or one photo per call as the service embeds an upload.
     */
    private Embedded embedCached(LensConfig config, String name, List<Photo> photos, String precision, boolean batched,
                                 View view) throws Exception {
        return embedCached(config, name, photos, precision, batched, view, Settings.image(config.image()));
    }

    private Embedded embedCached(LensConfig config, String name, List<Photo> photos, String precision, boolean batched,
                                 View view, ImageSettings image) throws Exception {
        ModelSettings model = Settings.model(config.model(), precision);
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        StringBuilder key = new StringBuilder()
                .append(DjlEmbedder.sha256(model.path())).append('\n').append(precision).append('\n')
                .append(batched ? "batch " + model.batchSize() : "single").append('\n')
                .append(image.resizeShorter()).append(' ').append(image.cropSize()).append(' ')
                .append(Arrays.toString(image.mean())).append(' ').append(Arrays.toString(image.std())).append('\n');
        if (view != View.PHOTO) { // the photo itself keeps the key (and the cache) of the runs before views existed
            key.append("view ").append(view.label(ttaCrop)).append('\n');
        }
        for (Photo p : photos) {
            key.append(p.listing().id()).append(' ').append(p.file()).append('\n');
        }
        byte[] keyHash = digest.digest(key.toString().getBytes(StandardCharsets.UTF_8));
        Path file = out.resolve("embeddings-" + name + "-" + precision + (view == View.PHOTO ? "" : "-" + view.file()) + ".bin");
        int dim = config.model().dimension();
        if (Files.isRegularFile(file)) {
            byte[] bytes = Files.readAllBytes(file);
            ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            if (bytes.length >= 8 + 32 && in.getInt() == photos.size() && in.getInt() == dim) {
                byte[] stored = new byte[32];
                in.get(stored);
                if (Arrays.equals(stored, keyHash) && bytes.length == 8 + 32 + 4L * photos.size() * dim) {
                    float[] rows = new float[photos.size() * dim];
                    in.asFloatBuffer().get(rows);
                    log.printf(Locale.ROOT, "projection: %s %s %s embeddings from the cache %s%n", name, precision,
                            view.label(ttaCrop), file);
                    return new Embedded(photos.stream().map(Photo::listing).toList(), rows, photos.size(), dim);
                }
            }
            log.printf(Locale.ROOT, "projection: cache %s is stale; embedding again%n", file);
        }

        long t0 = System.nanoTime();
        ImageDecoder decoder = new ImageDecoder(image);
        Preprocessor preprocessor = new Preprocessor(image);
        float[] rows = new float[photos.size() * dim];
        int step = batched ? model.batchSize() : 1;
        AtomicInteger done = new AtomicInteger();
        try (Embedder embedder = new DjlEmbedder(model)) {
            ExecutorService workers = Executors.newFixedThreadPool(Math.max(1, threads));
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int from = 0; from < photos.size(); from += step) {
                    int a = from;
                    int b = Math.min(from + step, photos.size());
                    futures.add(workers.submit(() -> {
                        List<float[]> tensors = new ArrayList<>(b - a);
                        for (int i = a; i < b; i++) {
                            byte[] bytes = Files.readAllBytes(photos.get(i).file());
                            try (DecodedImage decoded = decoder.decode(bytes, decoder.settings().resizeShorter())) {
                                DecodedImage seen = view.apply(decoded, ttaCrop);
                                try {
                                    tensors.add(preprocessor.toTensor(seen));
                                } finally {
                                    if (seen != decoded) {
                                        seen.close();
                                    }
                                }
                            }
                        }
                        float[][] embedded = embedder.embed(tensors);
                        for (int i = a; i < b; i++) {
                            System.arraycopy(embedded[i - a], 0, rows, i * dim, dim);
                        }
                        int now = done.addAndGet(b - a);
                        if (now / 250 != (now - (b - a)) / 250 || now == photos.size()) {
                            log.printf(Locale.ROOT, "projection: %s %s %s %d/%d embedded (%.0f s)%n", name, precision,
                                    view.label(ttaCrop), now,
                                    photos.size(), (System.nanoTime() - t0) / 1e9);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) {
                    f.get();
                }
            } finally {
                workers.shutdownNow();
            }
        }
        ByteBuffer buffer = ByteBuffer.allocate(8 + 32 + 4 * rows.length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(photos.size()).putInt(dim).put(keyHash);
        buffer.asFloatBuffer().put(rows);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, buffer.array());
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        log.printf(Locale.ROOT, "projection: %s %s %s: %d photos in %.1f s (%.1f photos/s), cached in %s (key %s)%n", name,
                precision, view.label(ttaCrop), photos.size(), (System.nanoTime() - t0) / 1e9, photos.size() / ((System.nanoTime() - t0) / 1e9),
                file, HexFormat.of().formatHex(keyHash, 0, 6));
        return new Embedded(photos.stream().map(Photo::listing).toList(), rows, photos.size(), dim);
    }
}
