package com.listinglens.cli;

import com.listinglens.config.Settings;
import com.listinglens.catalog.CatalogReader;
import com.listinglens.catalog.Listing;
import com.listinglens.config.ConfigLoader;
import com.listinglens.config.LensConfig;
import com.listinglens.embedding.DjlEmbedder;
import com.listinglens.embedding.Embedder;
import com.listinglens.eval.Scorecard;
import com.listinglens.indexer.Progress;
import com.listinglens.pipeline.SuggestPipeline;
import com.listinglens.pool.Pool;
import com.listinglens.pool.PoolManager;
import com.listinglens.suggest.WeightClasses;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code lens evaluate}: suggestions for a catalog of uploads, scored against their own metadata. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Ask the pool for suggestions for every upload of a catalog and print per-field accuracy, coverage, "
                + "precision, accuracy at 90 %% coverage and expected calibration error, and plot accuracy against coverage.")
public final class EvaluateCommand implements Callable<Integer> {

    @Option(names = {"-c", "--catalog"}, required = true, description = "JSONL catalog of uploads with their true metadata")
    Path catalog;

    @Option(names = {"-p", "--pool"}, description = "pool directory; default: the default tenant's current pool in the store")
    Path pool;

    @Mixin
    SharedOptions.ImageRoot imageRoot = new SharedOptions.ImageRoot();

    @Option(names = "--precision", description = "query model precision: int8 or fp32; default: lens.model.precision")
    String precision;

    @Option(names = "--plot", defaultValue = "target/eval/accuracy-coverage.png",
            description = "PNG of accuracy against coverage per field; default ${DEFAULT-VALUE}")
    Path plot;

    @Option(names = "--cross-fit", defaultValue = "0",
            description = "also report each field's calibration error out of sample: maps fitted on a random half of the "
                    + "uploads, measured on the other half, both ways, this many times (mean and p90); default 0 (off)")
    int crossFit;

    @Option(names = "--photos-per-upload", defaultValue = "1",
            description = "photos per upload: consecutive uploads of one product (same category path) are sent together; default 1")
    int photosPerUpload;

    /** Uploads of N photos: consecutive listings with the same category path, in groups of exactly N. */
    static List<List<Listing>> groups(List<Listing> listings, int n) {
        if (n < 1) {
            throw new IllegalArgumentException("--photos-per-upload must be >= 1");
        }
        List<List<Listing>> groups = new java.util.ArrayList<>();
        List<Listing> current = new java.util.ArrayList<>();
        for (Listing l : listings) {
            if (!current.isEmpty() && !current.get(0).category().equals(l.category())) {
                current = new java.util.ArrayList<>();
            }
            current.add(l);
            if (current.size() == n) {
                groups.add(List.copyOf(current));
                current = new java.util.ArrayList<>();
            }
        }
        return groups;
    }

    /** What the pool's confidences mean for this evaluation: raw shares, maps fitted elsewhere, or in-sample maps. */
    static String calibrationNote(com.listinglens.calibration.Calibration maps, String catalogSha) {
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

    /** An evaluation: the scorecard, and per upload its truth and the neighbours the pool found. */
    public record Evaluation(Scorecard card, List<Listing> truths, List<List<com.listinglens.pool.Neighbour>> neighbours) {

        /** Calibration errors with maps fitted on random halves of these uploads and measured on the other halves. */
        public java.util.Map<String, com.listinglens.eval.CrossFit.FieldError> crossFit(LensConfig config, int rounds) {
            return com.listinglens.eval.CrossFit.run(truths, neighbours, Settings.suggest(config.suggest()), rounds, 42);
        }
    }

    public static Evaluation run(LensConfig config, Path catalogFile, Path poolDir, Path imageRoot, String precision,
                                 int photosPerUpload) throws Exception {
        CatalogReader.Catalog uploads = CatalogReader.read(catalogFile);
        uploads.errors().forEach(e -> System.err.println("skipped " + e));
        Path root = imageRoot != null ? imageRoot : catalogFile.toAbsolutePath().getParent();
        WeightClasses classes = new WeightClasses(config.suggest().weightClassesGrams());
        Scorecard card = new Scorecard(classes);
        List<Listing> truths = new java.util.ArrayList<>();
        List<List<com.listinglens.pool.Neighbour>> found = new java.util.ArrayList<>();
        try (Embedder embedder = new DjlEmbedder(Settings.model(config.model(), precision));
             PoolManager pools = new PoolManager()) {
            Pool opened = Settings.openPool(config, poolDir, embedder);
            pools.swap(opened);
            System.err.printf(Locale.ROOT, "pool %s: %d listings; model %s %s; %d uploads%n",
                    opened.manifest().poolVersion(), opened.size(), config.model().name(), precision, uploads.listings().size());
            System.err.println(calibrationNote(opened.manifest().calibration(), com.listinglens.pool.PoolFiles.sha256(catalogFile)));
            SuggestPipeline pipeline = Settings.pipeline(config, embedder);
            List<List<Listing>> groups = groups(uploads.listings(), photosPerUpload);
            Progress progress = new Progress(System.err, "evaluating", groups.size());
            for (List<Listing> group : groups) {
                List<byte[]> photos = new java.util.ArrayList<>();
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
        return new Evaluation(card, List.copyOf(truths), List.copyOf(found));
    }

    @Override
    public Integer call() throws Exception {
        LensConfig config = ConfigLoader.load();
        String p = precision != null ? precision : config.model().precision();
        long t0 = System.nanoTime();
        Path poolDir = pool;
        if (poolDir == null) {
            try (com.listinglens.storage.Artifacts artifacts = Settings.artifacts(config)) {
                poolDir = artifacts.currentPool(Settings.defaultTenant(config));
            }
        }
        Evaluation evaluation = run(config, catalog, poolDir, imageRoot.orElse(null), p, photosPerUpload);
        Scorecard card = evaluation.card();
        System.out.printf(Locale.ROOT, "%d uploads of %d photo(s) from %s in %.1f s (fusion %s)%n", card.uploads(), photosPerUpload,
                catalog, (System.nanoTime() - t0) / 1e9, config.suggest().fusion().name().toLowerCase(Locale.ROOT));
        System.out.print(card.table());
        if (crossFit > 0) {
            System.out.printf(Locale.ROOT, "calibration error out of sample (maps fitted on half of these uploads, measured on the "
                    + "other half, %d x 2 splits; floor: the error perfectly calibrated confidences show on halves this small):%n"
                    + "%-18s %9s %9s %9s%n", crossFit, "field", "ECE mean", "ECE p90", "floor");
            evaluation.crossFit(config, crossFit).forEach((field, e) -> System.out.printf(Locale.ROOT, "%-18s %9.3f %9.3f %9.3f%n",
                    field, e.mean(), e.p90(), e.floor()));
        }
        card.plot(plot);
        System.out.println("accuracy against coverage: " + plot);
        return 0;
    }
}
