package com.listinglens.eval;

import com.listinglens.calibration.Calibration;
import com.listinglens.catalog.CatalogReader;
import com.listinglens.catalog.Listing;
import com.listinglens.config.LensConfig;
import com.listinglens.config.Settings;
import com.listinglens.embedding.DjlEmbedder;
import com.listinglens.embedding.Embedder;
import com.listinglens.embedding.ModelSettings;
import com.listinglens.eval.Calibrator;
import com.listinglens.image.MultiScale;
import com.listinglens.indexer.PoolBuildRequest;
import com.listinglens.indexer.Progress;
import com.listinglens.pipeline.SuggestPipeline;
import com.listinglens.pool.Pool;
import com.listinglens.pool.PoolException;
import com.listinglens.pool.PoolFiles;
import com.listinglens.pool.PoolManager;
import com.listinglens.suggest.WeightClasses;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The build step that fits a pool's confidence maps: every upload of the calibration catalog goes through the new
 * pool exactly as a request would (the service's decoder, views, query model and search), with no minimum confidence,
 * and {@link Calibrator} fits a Platt map per field from what was right. The catalog's photos must not be in the pool
 * (a photo finding itself would teach the maps to trust every answer): a listing id shared with the pool is refused.
 */
public final class CalibrationStep implements PoolBuildRequest.PoolCalibrator {

    private final LensConfig config;
    private final ModelSettings queryModel;
    private final MultiScale views;
    private final String space;
    private final Path catalog;
    private final Path imageRoot;
    private final PrintStream log;

    public CalibrationStep(LensConfig config, ModelSettings queryModel, Path catalog, Path imageRoot, PrintStream log) {
        this(config, queryModel, Settings.scales(config), config.model().space() + Settings.scales(config).spaceSuffix(), catalog,
                imageRoot, log);
    }

    /** As above, embedding the uploads at the views of the model the pool is built with. */
    public CalibrationStep(LensConfig config, ModelSettings queryModel, MultiScale views, String space,
                           Path catalog, Path imageRoot, PrintStream log) {
        this.config = config;
        this.queryModel = queryModel;
        this.views = views;
        this.space = space;
        this.catalog = catalog;
        this.imageRoot = imageRoot;
        this.log = log;
    }

    /**
     * The calibration catalog a setting names (lens.build.calibration-catalog or --calibration-catalog), or empty for
     * {@code none}; a named file that does not exist is refused.
     */
    public static Optional<Path> catalog(String setting) {
        String c = setting == null ? "" : setting.strip();
        if (c.isEmpty() || c.equalsIgnoreCase("none")) {
            return Optional.empty();
        }
        Path file = Path.of(c);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("calibration catalog " + file + " does not exist (none: no calibration)");
        }
        return Optional.of(file);
    }

    /** The step as configured, querying with {@code queryModel}; empty when lens.build.calibration-catalog is none. */
    public static Optional<CalibrationStep> configured(LensConfig config, Settings.ResolvedModel queryModel, PrintStream log) {
        return catalog(config.build().calibrationCatalog()).map(file -> new CalibrationStep(config, queryModel.settings(),
                Settings.scales(config, queryModel), queryModel.space(), file, config.build().calibrationImageRoot().orElse(null), log));
    }

    /** The step as configured, querying with {@code queryModel} at the configured views. */
    public static Optional<CalibrationStep> configured(LensConfig config, ModelSettings queryModel, PrintStream log) {
        return catalog(config.build().calibrationCatalog()).map(file ->
                new CalibrationStep(config, queryModel, file, config.build().calibrationImageRoot().orElse(null), log));
    }

    @Override
    public Calibration calibrate(Path poolDir) throws Exception {
        long t0 = System.nanoTime();
        CatalogReader.Catalog uploads = CatalogReader.read(catalog);
        uploads.errors().forEach(e -> log.println("calibration: skipped " + e));
        Path root = imageRoot != null ? imageRoot : catalog.toAbsolutePath().getParent();
        WeightClasses classes = new WeightClasses(config.suggest().weightClassesGrams());
        Calibrator calibrator = new Calibrator(classes);
        long used = 0;
        long unreadable = 0;
        try (Embedder embedder = new DjlEmbedder(queryModel); PoolManager pools = new PoolManager()) {
            Pool pool = Settings.openPool(config, poolDir, embedder, space);
            pools.swap(pool);
            for (Listing upload : uploads.listings()) {
                if (pool.holds(upload.id())) {
                    throw new PoolException("calibration catalog " + catalog + " holds listing '" + upload.id()
                            + "', which the pool holds too: calibrate on uploads the pool does not hold");
                }
            }
            SuggestPipeline pipeline = Settings.pipeline(config, embedder, Settings.suggest(config.suggest()).withoutMinimumConfidence(),
                    views);
            log.printf(Locale.ROOT, "calibration: %d uploads of %s through the new pool, model %s %s%n",
                    uploads.listings().size(), catalog, queryModel.name(), queryModel.precision());
            Progress progress = new Progress(log, "calibrating", uploads.listings().size());
            for (Listing upload : uploads.listings()) {
                byte[] photo;
                try {
                    photo = Files.readAllBytes(root.resolve(upload.image()));
                    calibrator.add(upload, pipeline.suggest(List.of(photo), pools).suggestion());
                    used++;
                } catch (IOException | SuggestPipeline.PhotoRejectedException e) {
                    log.println("calibration: skipped " + upload.id() + ": " + e.getMessage());
                    unreadable++;
                }
                progress.advance(1);
            }
            progress.finish();
        }
        Calibration maps = calibrator.fit(catalog.toString(), PoolFiles.sha256(catalog), used, queryModel.precision());
        log.printf(Locale.ROOT, "calibration: %d uploads (%d unusable) in %.1f s; maps for %s%n", used, unreadable,
                (System.nanoTime() - t0) / 1e9, maps.fields().isEmpty() ? "no field (too few answers)" : String.join(", ", maps.fields().keySet()));
        maps.fields().forEach((field, m) -> log.printf(Locale.ROOT, "  %-18s a %.3f b %.3f  ECE %.3f -> %.3f (on these uploads)%n",
                field, m.a(), m.b(), maps.eceBefore().get(field), maps.eceAfter().get(field)));
        return maps;
    }
}
