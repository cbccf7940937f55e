package com.listinglens.cli;

import com.listinglens.cache.StoreUnavailableException;
import com.listinglens.config.ConfigLoader;
import com.listinglens.config.LensConfig;
import com.listinglens.config.Settings;
import com.listinglens.embedding.DjlEmbedder;
import com.listinglens.embedding.Embedder;
import com.listinglens.eval.CalibrationStep;
import com.listinglens.indexer.EmbeddingPoolBuilder;
import com.listinglens.indexer.EmbeddingSet;
import com.listinglens.indexer.LiveFoldReader;
import com.listinglens.indexer.PoolBuilder;
import com.listinglens.indexer.PoolBuildReport;
import com.listinglens.indexer.PoolBuildRequest;
import com.listinglens.live.ChangeLog;
import com.listinglens.pool.Manifest;
import com.listinglens.pool.PoolFiles;
import com.listinglens.storage.Artifacts;
import com.listinglens.storage.Pointer;
import com.listinglens.vector.FaissIndex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code lens build-pool}: catalogs in, pool directory out, published to the store on request. */
@Command(name = "build-pool", mixinStandardHelpOptions = true,
        description = "Embed every photo of JSONL catalogs and write a pool (index, listings, manifest) to a directory "
                + "(--out), or publish it to the configured store for a tenant (--publish), or both.")
public final class BuildPoolCommand implements Callable<Integer> {

    @Option(names = {"-c", "--catalog"}, description = "JSONL catalog (repeatable); default: lens.build.catalogs")
    List<Path> catalogs;

    @Option(names = {"-o", "--out"}, description = "pool directory to write (kept after publishing)")
    Path out;

    @Option(names = "--publish", description = "publish the pool to the store (lens.storage.*) and move the tenant's pointer to it")
    boolean publish;

    @Mixin
    SharedOptions.Tenant tenant = new SharedOptions.Tenant();

    @Mixin
    SharedOptions.ImageRoot imageRoot = new SharedOptions.ImageRoot();

    @Option(names = "--index-factory", description = "FAISS index_factory string; default: lens.build.index-factory")
    String indexFactory;

    @Option(names = "--metric", description = "inner_product or l2; default: lens.build.metric")
    String metric;

    @Mixin
    SharedOptions.BuildPrecision precision = new SharedOptions.BuildPrecision();

    @Option(names = "--live", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "fold the tenant's live changes (lens:v1:changes:<tenant> in Redis) into the build when it is "
                    + "published or a --tenant is named (default); --no-live builds from the catalogs alone (the service "
                    + "then applies the whole log on top, and refuses the pool once the log has been trimmed)")
    boolean live = true;

    @Option(names = "--live-base", description = "the pool version whose folded live changes (live-changes.ndjson) the "
            + "build starts from, reading the change log after its fold; default: the tenant's current pool, once the log "
            + "has been trimmed (before that the whole log is read)")
    String liveBase;

    @Option(names = "--projection", description = "none or lda: learn a projection from the pool's leaf categories; "
            + "default: lens.build.projection")
    String projection;

    @Option(names = "--calibration-catalog", description = "uploads the pool does not hold, run through the new pool to fit "
            + "its confidence maps; none: raw vote shares; default: lens.build.calibration-catalog")
    String calibrationCatalog;

    @Option(names = "--embeddings", description = "build from precomputed embeddings instead of photos: a folder of "
            + "embeddings.json, embeddings.f32 and listings.jsonl (streamed, never all on the heap); no calibration, no "
            + "live fold (the service applies the change log on top)")
    Path embeddings;

    @Option(names = "--projection-of", description = "with --embeddings: the pool whose projection the embeddings were "
            + "made with; it is carried into the new pool")
    Path projectionOf;

    @Option(names = "--replace", description = "replace an existing pool at --out")
    boolean replace;

    @Option(names = "--if-missing", description = "do nothing when the tenant already has a published pool (--publish) "
            + "or a pool exists at --out")
    boolean ifMissing;

    @Override
    public Integer call() throws Exception {
        LensConfig config = ConfigLoader.load();
        if (out == null && !publish) {
            System.err.println("build-pool: say where the pool goes: --out DIR, --publish, or both");
            return 2;
        }
        String t = tenant.orDefault(config);
        try (Artifacts artifacts = Settings.artifacts(config)) {
            if (ifMissing && (publish ? servable(config, artifacts, t) : PoolFiles.exists(out))) {
                System.err.println(publish ? "tenant " + t + " already has a pool in " + artifacts.store().describe() + "; nothing to build"
                        : "pool " + out + " exists; nothing to build");
                return 0;
            }
            Path output = out != null ? out : Files.createDirectories(config.storage().cacheDir().resolve("builds"))
                    .resolve("pool-" + System.nanoTime());
            try {
                build(config, artifacts, output, live && (publish || tenant.named()) ? t : null);
                if (publish) {
                    Settings.publisher(config, artifacts, System.err).publishPool(output, t, true);
                }
            } finally {
                if (out == null) {
                    PoolBuilder.deleteTree(output);
                }
            }
        }
        return 0;
    }

    /**
     * Whether the tenant has a published pool this configuration can serve: one in the embedding space the configured
     * model and views embed in (a pool of older settings, say single-view, is reported and rebuilt by --if-missing).
     */
    private static boolean servable(LensConfig config, Artifacts artifacts, String tenant) {
        Optional<Pointer> pointer = artifacts.poolPointer(tenant);
        if (pointer.isEmpty()) {
            return false;
        }
        Manifest manifest = artifacts.poolManifest(tenant, pointer.get());
        String space = Settings.resolveModel(config, artifacts, config.build().precision()).space();
        if (manifest.model() != null && !space.equals(manifest.model().space())) {
            System.err.println("tenant " + tenant + "'s pool " + manifest.poolVersion() + " is in embedding space '"
                    + manifest.model().space() + "', this configuration embeds in '" + space + "': building one it can serve");
            return false;
        }
        return true;
    }

    /** The confidence-map step as configured or as --calibration-catalog says; null for none. */
    private PoolBuildRequest.PoolCalibrator calibration(LensConfig config, Artifacts artifacts) {
        Optional<Path> file = CalibrationStep.catalog(
                calibrationCatalog != null ? calibrationCatalog : config.build().calibrationCatalog());
        if (file.isEmpty()) {
            return null;
        }
        Settings.ResolvedModel query = Settings.resolveModel(config, artifacts, config.model().precision());
        return new CalibrationStep(config, query.settings(), Settings.scales(config, query), query.space(), file.get(), config.build().calibrationImageRoot().orElse(null), System.err);
    }

    /**
     * The tenant's live changes to fold, or null when there is none: the whole log while it was never trimmed; once it
     * was, the changes {@code base} (null: the current pool) folded and carries, then the log after its fold.
     */
    static PoolBuildRequest.LiveChanges readLive(LensConfig config, Artifacts artifacts, String tenant, String base) {
        Optional<ChangeLog> opened = Settings.changeLog(config);
        if (opened.isEmpty()) {
            System.err.println("live changes are disabled (lens.live.enabled / lens.redis.enabled): building from the catalogs alone");
            return null;
        }
        try (ChangeLog log = opened.get()) {
            return LiveFoldReader.read(log, artifacts, tenant, base, config.live().pageSize(), System.err);
        } catch (StoreUnavailableException e) {
            throw new IllegalStateException("cannot read the change log of " + tenant + ": " + e.getMessage()
                    + " (pass --no-live to build from the catalogs alone; the service applies the log on top)", e);
        }
    }

    private void build(LensConfig config, Artifacts artifacts, Path output, String liveTenant) throws Exception {
        if (embeddings != null) {
            try (EmbeddingSet set = EmbeddingSet.open(embeddings)) {
                FaissIndex.setThreads(Runtime.getRuntime().availableProcessors());
                new EmbeddingPoolBuilder(System.err).build(new EmbeddingPoolBuilder.Request(
                        set, output, indexFactory != null ? indexFactory : config.build().indexFactory(),
                        Settings.indexPolicy(config.build().auto()),
                        Settings.metric(metric != null ? metric : config.build().metric()), projectionOf, replace,
                        config.build().addBatch()));
            }
            return;
        }
        if (projectionOf != null) {
            throw new IllegalArgumentException("--projection-of goes with --embeddings");
        }
        PoolBuildRequest.LiveChanges changes = liveTenant == null ? null : readLive(config, artifacts, liveTenant, liveBase);
        List<Path> sources = catalogs != null && !catalogs.isEmpty() ? catalogs : config.build().catalogs();
        String p = precision.orDefault(config);
        Settings.ResolvedModel model = Settings.resolveModel(config, artifacts, p);
        try (Embedder embedder = new DjlEmbedder(model.settings())) {
            PoolBuilder builder = new PoolBuilder(Settings.decoder(config.image()), Settings.scales(config, model), embedder,
                    config.model().batchSize(), config.build().decodeThreads(), System.err)
                    .policy(Settings.indexPolicy(config.build().auto()));
            PoolBuildReport report = builder.build(PoolBuildRequest.of(sources, output,
                            indexFactory != null ? indexFactory : config.build().indexFactory(),
                            Settings.metric(metric != null ? metric : config.build().metric()), config.model().name(), model.space())
                    .imageRoot(imageRoot.orElse(config.build().imageRoot().orElse(null)))
                    .replacing(replace)
                    .folding(changes)
                    .learning(Settings.projectionSpec(config, projection))
                    .calibratedBy(calibration(config, artifacts)));
            System.err.printf(Locale.ROOT, "pool %s written to %s: %d listings, %d catalog lines rejected, %d photos unusable, "
                            + "%.1f s (%.1f photos/s), model %s %s%n",
                    report.manifest().poolVersion(), report.pool(), report.manifest().listingCount(), report.rejectedLines(),
                    report.unreadableImages(), report.seconds(), report.manifest().listingCount() / report.seconds(),
                    config.model().name(), p);
        }
    }
}
