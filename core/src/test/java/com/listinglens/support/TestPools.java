package com.listinglens.support;

import com.listinglens.config.Settings;
import com.listinglens.eval.CalibrationStep;
import com.listinglens.config.ConfigLoader;
import com.listinglens.config.LensConfig;
import com.listinglens.embedding.DjlEmbedder;
import com.listinglens.embedding.Embedder;
import com.listinglens.image.ImageDecoder;
import com.listinglens.image.ImageSettings;
import com.listinglens.indexer.PoolBuilder;
import com.listinglens.indexer.PoolBuildRequest;
import com.listinglens.pool.PoolFiles;

import java.nio.file.Path;
import java.util.List;

/**
 * Real pools for tests, built once per checkout under target/test-pools with the real model and the shared
 * grocery catalog (the same code path as {@code bin/lens build-pool}).
 */
public final class TestPools {

    private TestPools() {
    }

    public static Path sharedDir() {
        String dir = System.getProperty("lens.shared-dir", System.getenv().getOrDefault("LENS_SHARED_DIR", "../shared"));
        return Path.of(dir).toAbsolutePath().normalize();
    }

    public static Path grocery() {
        return sharedDir().resolve("datasets/grocery");
    }

    /**
     * The demo pool as bin/serve builds it: grocery train + iconic listings embedded in fp32 at the configured scales,
     * with the configured projection and the confidence maps fitted on the calibration catalog (val).
     */
    public static synchronized Path demo() {
        return build("demo", List.of(grocery().resolve("train.jsonl"), grocery().resolve("iconic.jsonl")), null, true);
    }

    /** A small pool of lines [from, to) of the iconic catalog. */
    public static synchronized Path iconic(String name, int from, int to) {
        Path dir = Root.target("test-pools", name);
        if (PoolFiles.exists(dir)) {
            return dir;
        }
        try {
            java.util.List<String> lines = java.nio.file.Files.readAllLines(grocery().resolve("iconic.jsonl")).subList(from, to);
            Path catalog = java.nio.file.Files.createTempFile("lens-iconic-", ".jsonl");
            java.nio.file.Files.write(catalog, lines);
            return build(name, List.of(catalog), grocery(), false);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A pool of {@code catalogs}; {@code asConfigured}: with the configured projection and calibration (else neither). */
    private static Path build(String name, List<Path> catalogs, Path imageRoot, boolean asConfigured) {
        Path dir = Root.target("test-pools", name);
        if (PoolFiles.exists(dir)) {
            return dir;
        }
        LensConfig config = ConfigLoader.load();
        ImageSettings image = Settings.image(config.image());
        try (Embedder embedder = new DjlEmbedder(Settings.model(config.model(), config.build().precision()))) {
            new PoolBuilder(new ImageDecoder(image), Settings.scales(config), embedder, config.model().batchSize(),
                    config.build().decodeThreads(), System.err)
                    .policy(com.listinglens.config.Settings.indexPolicy(config.build().auto()))
                    .build(PoolBuildRequest.of(catalogs, dir, config.build().indexFactory(), Settings.metric(config.build().metric()),
                                    config.model().name(), config.model().space() + Settings.scales(config).spaceSuffix())
                            .imageRoot(imageRoot)
                            .replacing(true)
                            .learning(asConfigured ? Settings.projectionSpec(config, null) : null)
                            .calibratedBy(asConfigured ? CalibrationStep.configured(config,
                                    Settings.model(config.model(), config.model().precision()), System.err).orElse(null) : null));
        } catch (Exception e) {
            throw new IllegalStateException("cannot build test pool " + name + ": " + e.getMessage(), e);
        }
        return dir;
    }
}
