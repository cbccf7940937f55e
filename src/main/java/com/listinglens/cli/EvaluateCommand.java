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
        description = "Ask the pool for suggestions for every upload of a catalog and print per-field accuracy.")
public final class EvaluateCommand implements Callable<Integer> {

    @Option(names = {"-c", "--catalog"}, required = true, description = "JSONL catalog of uploads with their true metadata")
    Path catalog;

    @Option(names = {"-p", "--pool"}, description = "pool directory; default: lens.pool.dir")
    Path pool;

    @Option(names = "--image-root", description = "folder the catalog's image paths are relative to; default: the catalog's folder")
    Path imageRoot;

    @Option(names = "--precision", description = "query model precision: int8 or fp32; default: lens.model.precision")
    String precision;

    /** Runs the evaluation and returns the scorecard (used by tests and by {@link #call()}). */
    public static Scorecard evaluate(LensConfig config, Path catalogFile, Path poolDir, Path imageRoot, String precision) throws Exception {
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
            SuggestPipeline pipeline = Settings.pipeline(config, embedder, pools);
            Progress progress = new Progress(System.err, "evaluating", uploads.listings().size());
            List<Listing> listings = uploads.listings();
            for (Listing upload : listings) {
                byte[] bytes = Files.readAllBytes(root.resolve(upload.image()));
                card.add(upload, pipeline.suggest(List.of(bytes)).suggestion());
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
        Scorecard card = evaluate(config, catalog, pool != null ? pool : config.pool().dir(), imageRoot, p);
        System.out.printf(Locale.ROOT, "%d uploads of %s in %.1f s%n", card.uploads(), catalog, (System.nanoTime() - t0) / 1e9);
        System.out.print(card.table());
        return 0;
    }
}
