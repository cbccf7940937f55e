package com.listinglens.cli;

import com.listinglens.calibration.Calibration;
import com.listinglens.catalog.CatalogReader;
import com.listinglens.catalog.Listing;
import com.listinglens.config.ConfigLoader;
import com.listinglens.config.LensConfig;
import com.listinglens.config.Settings;
import com.listinglens.embedding.DjlEmbedder;
import com.listinglens.embedding.Embedder;
import com.listinglens.eval.CrossFit;
import com.listinglens.eval.EvaluationResults;
import com.listinglens.eval.ReportFigures;
import com.listinglens.eval.Scorecard;
import com.listinglens.indexer.Progress;
import com.listinglens.pipeline.SuggestPipeline;
import com.listinglens.pool.Neighbour;
import com.listinglens.pool.Pool;
import com.listinglens.pool.PoolFiles;
import com.listinglens.pool.PoolManager;
import com.listinglens.storage.Artifacts;
import com.listinglens.suggest.WeightClasses;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;

/**
 * {@code lens evaluate}: suggestions for a catalog of uploads, scored against their own metadata; every run is saved
 * ({@link ResultsFile}) under a label, and the report's figures ({@link ReportFigures}) draw this run and earlier saved
 * runs ({@code --compare}) side by side. With {@code --compare} and no {@code --catalog} it only draws saved runs.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Ask the pool for suggestions for every upload of a catalog; print per-field accuracy, coverage, "
                + "precision, accuracy at 90 %% coverage and expected calibration error (ECE); save every upload's results "
                + "(--results) and draw the report's figures (--plot).",
                "To compare models (such as a catalog-trained and the stock model), evaluate each with its own pool and "
                + "--label, and pass the earlier runs' results to --compare: each run is a column of the figures.",
                "With --compare and no --catalog, only draws (and compares) saved runs."},
        footerHeading = "%nFigures: PNG files, one column per run (this run, then --compare's in order):%n",
        footer = {"  <stem>.png              accuracy against coverage per field (the --plot PNG)",
                "  <stem>-reliability.png  reliability diagrams of each field with confidences,",
                "                          leaf first: each bin's accuracy against the diagonal,",
                "                          its count, and the field's ECE (10 bins) in the title",
                "  <stem>-confusion.png    the --top most frequent wrong (true -> answered) leaf",
                "                          categories, with counts",
                "Results (JSON): a header (label, catalog, pool version, model, precision, counts",
                "per field) and per upload and field: the truth, the answer (null: abstained),",
                "its confidence, and whether it is right."})
public final class EvaluateCommand implements Callable<Integer> {

    /** Where the figures go unless --plot says otherwise. */
    static final String DEFAULT_PLOT = "target/eval/accuracy-coverage.png";
    /** Confidence bins of the reliability diagrams (those of the printed ECE). */
    static final int BINS = 10;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-c", "--catalog"}, paramLabel = "FILE", description = "JSONL catalog of uploads with their true metadata; required unless --compare is given")
    Path catalog;

    @Option(names = {"-p", "--pool"}, paramLabel = "DIR", description = "pool directory; default: the default tenant's current pool in the store")
    Path pool;

    @Mixin
    SharedOptions.ImageRoot imageRoot = new SharedOptions.ImageRoot();

    @Option(names = "--precision", paramLabel = "P", description = "query model precision: int8 or fp32; default: lens.model.precision")
    String precision;

    @Option(names = "--label", paramLabel = "NAME",
            description = "name of this run in the figures and the results file; default: the pool's model name")
    String label;

    @Option(names = "--results", paramLabel = "FILE",
            description = "JSON file this run's per-upload results are saved to; default: target/eval/<label>.json")
    Path results;

    @Option(names = "--compare", arity = "1..*", paramLabel = "FILE",
            description = "results saved by earlier runs (other models), drawn as further columns beside this run's")
    List<Path> compare = new ArrayList<>();

    @Option(names = "--plot", arity = "0..1", paramLabel = "PNG", defaultValue = DEFAULT_PLOT, fallbackValue = DEFAULT_PLOT,
            description = "where the figures go, drawn on every run: accuracy against coverage in PNG, the reliability "
                    + "diagrams and the confusions beside it, named after it (see below); default ${DEFAULT-VALUE}")
    Path plot;

    @Option(names = "--top", paramLabel = "N", defaultValue = "12",
            description = "rows of the confusion table: the N most frequent wrong (true, answered) leaf pairs; default ${DEFAULT-VALUE}")
    int top;

    @Option(names = "--cross-fit", paramLabel = "ROUNDS", defaultValue = "0",
            description = "also report each field's calibration error out of sample: maps fitted on a random half of the "
                    + "uploads, measured on the other half, both ways, this many times (mean and p90); default 0 (off)")
    int crossFit;

    @Option(names = "--photos-per-upload", paramLabel = "N", defaultValue = "1",
            description = "photos per upload: consecutive uploads of one product (same category path) are sent together; default 1")
    int photosPerUpload;

    /** Uploads of N photos: consecutive listings with the same category path, in groups of exactly N. */
    static List<List<Listing>> groups(List<Listing> listings, int n) {
        if (n < 1) {
            throw new IllegalArgumentException("--photos-per-upload must be >= 1");
        }
        List<List<Listing>> groups = new ArrayList<>();
        List<Listing> current = new ArrayList<>();
        for (Listing l : listings) {
            if (!current.isEmpty() && !current.get(0).category().equals(l.category())) {
                current = new ArrayList<>();
            }
            current.add(l);
            if (current.size() == n) {
                groups.add(List.copyOf(current));
                current = new ArrayList<>();
            }
        }
        return groups;
    }

    /** What the pool's confidences mean for this evaluation: raw shares, maps fitted elsewhere, or in-sample maps. */
    static String calibrationNote(Calibration maps, String catalogSha) {
        if (maps == null || maps.isNone()) {
            return "confidences: raw vote shares (the pool has no calibration maps)";
        }
        String fitted = String.format(Locale.ROOT, "confidences: calibrated by the pool's maps, fitted on %d uploads of %s (%s)",
                maps.uploads(), maps.catalog(), maps.precision());
        return catalogSha.equals(maps.sha256())
                ? fitted + "; that is this catalog, so the calibration errors below are in-sample (optimistic): "
                        + "judge them on uploads the maps were not fitted on"
                : fitted + "; not this catalog: the calibration errors below are out-of-sample";
    }

    /** Runs the evaluation and returns the scorecard (used by tests and by {@link #call()}). */
    public static Scorecard evaluate(LensConfig config, Path catalogFile, Path poolDir, Path imageRoot, String precision) throws Exception {
        return evaluate(config, catalogFile, poolDir, imageRoot, precision, 1);
    }

    public static Scorecard evaluate(LensConfig config, Path catalogFile, Path poolDir, Path imageRoot, String precision,
                                     int photosPerUpload) throws Exception {
        return run(config, catalogFile, poolDir, imageRoot, precision, photosPerUpload).card();
    }

    /**
     * An evaluation: the scorecard, per upload its truth and the neighbours the pool found, what was evaluated (catalog,
     * pool, query model) and the name of the model the pool was built with.
     */
    public record Evaluation(Scorecard card, List<Listing> truths, List<List<Neighbour>> neighbours,
                             EvaluationResults.Setup setup, String poolModel) {

        /** Calibration errors with maps fitted on random halves of these uploads and measured on the other halves. */
        public Map<String, CrossFit.FieldError> crossFit(LensConfig config, int rounds) {
            return CrossFit.run(truths, neighbours, Settings.suggest(config.suggest()), rounds, 42);
        }
    }

    public static Evaluation run(LensConfig config, Path catalogFile, Path poolDir, Path imageRoot, String precision,
                                 int photosPerUpload) throws Exception {
        CatalogReader.Catalog uploads = CatalogReader.read(catalogFile);
        uploads.errors().forEach(e -> System.err.println("skipped " + e));
        Path root = imageRoot != null ? imageRoot : catalogFile.toAbsolutePath().getParent();
        WeightClasses classes = new WeightClasses(config.suggest().weightClassesGrams());
        Scorecard card = new Scorecard(classes);
        List<Listing> truths = new ArrayList<>();
        List<List<Neighbour>> found = new ArrayList<>();
        String catalogSha = PoolFiles.sha256(catalogFile);
        String poolVersion;
        long poolListings;
        String poolModel;
        // the model as the service resolves it (configured files, or a store or directory version with its own views)
        Settings.ResolvedModel model;
        try (Artifacts artifacts = config.model().source().equalsIgnoreCase("store") ? Settings.artifacts(config) : null) {
            model = Settings.resolveModel(config, artifacts, precision);
        }
        try (Embedder embedder = new DjlEmbedder(model.settings());
             PoolManager pools = new PoolManager()) {
            Pool opened = Settings.openPool(config, poolDir, embedder, model.space());
            pools.swap(opened);
            System.err.printf(Locale.ROOT, "pool %s: %d listings; model %s %s; %d uploads%n",
                    opened.manifest().poolVersion(), opened.size(), config.model().name(), precision, uploads.listings().size());
            System.err.println(calibrationNote(opened.manifest().calibration(), catalogSha));
            poolVersion = opened.manifest().poolVersion();
            poolListings = opened.size();
            poolModel = opened.manifest().model() == null ? null : opened.manifest().model().name();
            SuggestPipeline pipeline = Settings.pipeline(config, embedder, Settings.suggest(config.suggest()), Settings.scales(config, model));
            List<List<Listing>> groups = groups(uploads.listings(), photosPerUpload);
            Progress progress = new Progress(System.err, "evaluating", groups.size());
            for (List<Listing> group : groups) {
                List<byte[]> photos = new ArrayList<>();
                for (Listing photo : group) {
                    photos.add(Files.readAllBytes(root.resolve(photo.image())));
                }
                SuggestPipeline.Result result = pipeline.suggest(photos, pools);
                card.add(group.get(0), result.suggestion());
                truths.add(group.get(0));
                found.add(result.neighbours());
                progress.advance(1);
            }
            progress.finish();
        }
        EvaluationResults.Setup setup = new EvaluationResults.Setup(catalogFile.toString(), catalogSha, poolVersion, poolListings,
                config.model().name(), precision, photosPerUpload, Instant.now().toString());
        return new Evaluation(card, List.copyOf(truths), List.copyOf(found), setup, poolModel);
    }

    @Override
    public Integer call() throws Exception {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (catalog == null && compare.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "give --catalog to evaluate, or --compare with saved results to draw them");
        }
        if (top < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--top must be >= 1");
        }
        List<EvaluationResults> runs = new ArrayList<>();
        if (catalog != null) {
            runs.add(evaluateAndSave(out));
        } else if (label != null || results != null) {
            err.println("lens evaluate: --label and --results name a new evaluation (--catalog); ignored");
        }
        for (Path file : compare) {
            runs.add(ResultsFile.read(file));
        }
        checkComparable(runs, err);
        if (runs.size() > 1) {
            out.println("side by side: accuracy (its standard error, in points) and ECE (10 bins), per run");
            out.print(Scorecard.comparison(runs.stream().map(EvaluationResults::label).toList(),
                    runs.stream().map(EvaluationResults::scorecard).toList()));
        }
        Figures figures = Figures.beside(plot);
        figures.write(runs, top);
        out.println("accuracy against coverage: " + figures.curve());
        out.println("reliability diagrams: " + figures.reliability());
        out.println("most confused leaf categories: " + figures.confusion());
        out.flush();
        return 0;
    }

    /** Evaluates the catalog, prints the scores, saves the results and returns them. */
    private EvaluationResults evaluateAndSave(PrintWriter out) throws Exception {
        LensConfig config = ConfigLoader.load();
        String p = precision != null ? precision : config.model().precision();
        long t0 = System.nanoTime();
        Path poolDir = pool;
        if (poolDir == null) {
            try (Artifacts artifacts = Settings.artifacts(config)) {
                poolDir = artifacts.currentPool(Settings.defaultTenant(config));
            }
        }
        Evaluation evaluation = run(config, catalog, poolDir, imageRoot.orElse(null), p, photosPerUpload);
        Scorecard card = evaluation.card();
        out.printf(Locale.ROOT, "%d uploads of %d photo(s) from %s in %.1f s (fusion %s)%n", card.uploads(), photosPerUpload,
                catalog, (System.nanoTime() - t0) / 1e9, config.suggest().fusion().name().toLowerCase(Locale.ROOT));
        out.print(card.table());
        if (crossFit > 0) {
            out.printf(Locale.ROOT, "calibration error out of sample (maps fitted on half of these uploads, measured on the "
                    + "other half, %d x 2 splits; floor: the error perfectly calibrated confidences show on halves this small):%n"
                    + "%-18s %9s %9s %9s%n", crossFit, "field", "ECE mean", "ECE p90", "floor");
            evaluation.crossFit(config, crossFit).forEach((field, e) -> out.printf(Locale.ROOT, "%-18s %9.3f %9.3f %9.3f%n",
                    field, e.mean(), e.p90(), e.floor()));
        }
        String name = label != null ? label : defaultLabel(evaluation.poolModel());
        EvaluationResults saved = EvaluationResults.of(name, evaluation.setup(), card.outcomes());
        Path file = results != null ? results : Path.of("target", "eval", fileName(name) + ".json");
        ResultsFile.write(file, saved);
        out.println("results (" + name + "): " + file);
        return saved;
    }

    /** The label of a run without --label: the pool's model name, else "model". */
    static String defaultLabel(String poolModel) {
        return poolModel == null || poolModel.isBlank() ? "model" : poolModel;
    }

    /** A label as a file name: characters other than letters, digits, '.', '_' and '-' become '_'. */
    static String fileName(String label) {
        String name = label.replaceAll("[^A-Za-z0-9._-]", "_");
        return name.isEmpty() || name.startsWith(".") ? "_" + name : name;
    }

    /** Warns of runs that cannot be told apart or were not evaluated on the same uploads. */
    static void checkComparable(List<EvaluationResults> runs, PrintWriter err) {
        Set<String> labels = new HashSet<>();
        for (EvaluationResults r : runs) {
            if (!labels.add(r.label())) {
                err.println("lens evaluate: two runs are labelled '" + r.label() + "'; give each its own --label");
            }
        }
        if (runs.isEmpty() || runs.get(0).header().setup() == null) {
            return;
        }
        String sha = runs.get(0).header().setup().catalogSha256();
        for (EvaluationResults r : runs.subList(1, runs.size())) {
            EvaluationResults.Setup setup = r.header().setup();
            if (sha != null && setup != null && !sha.equals(setup.catalogSha256())) {
                err.println("lens evaluate: '" + r.label() + "' was evaluated on other uploads (" + setup.catalog() + ") than '"
                        + runs.get(0).label() + "': its figures are not comparable upload for upload");
            }
        }
    }

    /**
     * The report's PNG files: {@code curve} (accuracy against coverage) where --plot says, and beside it, named after
     * it, {@code <name>-reliability.png} and {@code <name>-confusion.png}.
     */
    record Figures(Path curve, Path reliability, Path confusion) {

        static Figures beside(Path png) {
            String name = png.getFileName().toString();
            String stem = name.toLowerCase(Locale.ROOT).endsWith(".png") ? name.substring(0, name.length() - 4) : name;
            return new Figures(png, png.resolveSibling(stem + "-reliability.png"), png.resolveSibling(stem + "-confusion.png"));
        }

        /** Draws the runs side by side, this order left to right, and writes the three PNGs. */
        void write(List<EvaluationResults> runs, int top) throws IOException {
            Files.createDirectories(curve.toAbsolutePath().getParent());
            png(ReportFigures.accuracyCoverage(runs), curve);
            png(ReportFigures.reliability(runs, BINS), reliability);
            png(ReportFigures.confusion(runs, "category leaf", top), confusion);
        }

        private static void png(BufferedImage image, Path file) throws IOException {
            if (!ImageIO.write(image, "png", file.toFile())) {
                throw new IOException("no PNG writer for " + file);
            }
        }
    }
}
