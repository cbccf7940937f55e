package com.listinglens.cli;

import com.listinglens.app.Settings;
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
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code lens evaluate}: suggestions for a catalog of uploads, scored against their own metadata. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Ask the pool for suggestions for every upload of a catalog and print per-field accuracy, coverage, "
                + "precision, accuracy at 90 % coverage and expected calibration error, and plot accuracy against coverage.")
public final class EvaluateCommand implements Callable<Integer> {

    @Option(names = {"-c", "--catalog"}, required = true, description = "JSONL catalog of uploads with their true metadata")
    Path catalog;

    @Option(names = {"-p", "--pool"}, description = "pool directory; default: the default tenant's current pool in the store")
    Path pool;

    @Option(names = "--image-root", description = "folder the catalog's image paths are relative to; default: the catalog's folder")
    Path imageRoot;

    @Option(names = "--precision", description = "query model precision: int8 or fp32; default: lens.model.precision")
    String precision;

    @Option(names = "--plot", defaultValue = "target/eval/accuracy-coverage.png",
            description = "PNG of accuracy against coverage per field; default ${DEFAULT-VALUE}")
    Path plot;

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

    /** Runs the evaluation and returns the scorecard (used by tests and by {@link #call()}). */
    public static Scorecard evaluate(LensConfig config, Path catalogFile, Path poolDir, Path imageRoot, String precision) throws Exception {
        return evaluate(config, catalogFile, poolDir, imageRoot, precision, 1);
    }

    public static Scorecard evaluate(LensConfig config, Path catalogFile, Path poolDir, Path imageRoot, String precision,
                                     int photosPerUpload) throws Exception {
        CatalogReader.Catalog uploads = CatalogReader.read(catalogFile);
        uploads.errors().forEach(e -> System.err.println("skipped " + e));
        Path root = imageRoot != null ? imageRoot : catalogFile.toAbsolutePath().getParent();
        WeightClasses classes = new WeightClasses(config.suggest().weightClassesGrams());
        Scorecard card = new Scorecard(classes);
        try (Embedder embedder = new DjlEmbedder(Settings.model(config.model(), precision));
             PoolManager pools = new PoolManager()) {
            Pool opened = Settings.openPool(config, poolDir, embedder);
            pools.swap(opened);
            System.err.printf(Locale.ROOT, "pool %s: %d listings; model %s %s; %d uploads%n",
                    opened.manifest().poolVersion(), opened.size(), config.model().name(), precision, uploads.listings().size());
            SuggestPipeline pipeline = Settings.pipeline(config, embedder);
            List<List<Listing>> groups = groups(uploads.listings(), photosPerUpload);
            Progress progress = new Progress(System.err, "evaluating", groups.size());
            for (List<Listing> group : groups) {
                List<byte[]> photos = new java.util.ArrayList<>();
                for (Listing photo : group) {
                    photos.add(Files.readAllBytes(root.resolve(photo.image())));
                }
                card.add(group.get(0), pipeline.suggest(photos, pools).suggestion());
                progress.advance(1);
            }
            progress.finish();
        }
        return card;
    }

    @Override
    public Integer call() throws Exception {
        LensConfig config = ConfigLoader.load();
        String p = precision != null ? precision : config.model().precision();
        long t0 = System.nanoTime();
        Path poolDir = pool;
        if (poolDir == null) {
            try (com.listinglens.storage.Artifacts artifacts = Settings.artifacts(config)) {
                poolDir = artifacts.currentPool(PublishPoolCommand.defaultTenant(config));
            }
        }
        Scorecard card = evaluate(config, catalog, poolDir, imageRoot, p, photosPerUpload);
        System.out.printf(Locale.ROOT, "%d uploads of %d photo(s) from %s in %.1f s (fusion %s)%n", card.uploads(), photosPerUpload,
                catalog, (System.nanoTime() - t0) / 1e9, config.suggest().fusion().name().toLowerCase(Locale.ROOT));
        System.out.print(card.table());
        card.plot(plot);
        System.out.println("accuracy against coverage: " + plot);
        return 0;
    }
}
