package com.listinglens.config;

import com.listinglens.cache.RedisSettings;
import com.listinglens.cache.RedisStore;
import com.listinglens.config.LensConfig;
import com.listinglens.embedding.Embedder;
import com.listinglens.embedding.ModelSettings;
import com.listinglens.image.ColourNamer;
import com.listinglens.image.DecodeBudget;
import com.listinglens.image.ImageDecoder;
import com.listinglens.image.ImageSettings;
import com.listinglens.image.MultiScale;
import com.listinglens.image.Preprocessor;
import com.listinglens.indexer.IndexPolicy;
import com.listinglens.indexer.PoolBuildRequest;
import com.listinglens.live.ChangeLog;
import com.listinglens.live.RedisChangeLog;
import com.listinglens.pipeline.SuggestPipeline;
import com.listinglens.pool.Pool;
import com.listinglens.storage.ArtifactRefusedException;
import com.listinglens.storage.Artifacts;
import com.listinglens.storage.BlobStore;
import com.listinglens.storage.Fetcher;
import com.listinglens.storage.FileBlobStore;
import com.listinglens.storage.FileEntry;
import com.listinglens.storage.Layout;
import com.listinglens.storage.ManifestSigner;
import com.listinglens.storage.ManifestVerifier;
import com.listinglens.storage.ModelManifest;
import com.listinglens.storage.Publisher;
import com.listinglens.storage.S3BlobStore;
import com.listinglens.storage.S3Settings;
import com.listinglens.storage.StorageException;
import com.listinglens.suggest.SuggestSettings;
import com.listinglens.suggest.Suggester;
import com.listinglens.suggest.WeightClasses;
import com.listinglens.vector.Metric;
import com.listinglens.vector.SearchParams;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/** Turns the configuration into the settings records of the plain-Java parts. */
public final class Settings {

    private Settings() {
    }

    public static ImageSettings image(LensConfig.Image c) {
        return new ImageSettings(c.resizeShorter(), c.cropSize(), floats(c.mean()), floats(c.std()),
                c.maxBytes(), c.maxPixels(), c.maxSide(), c.reducedDecodeMargin());
    }

    /** The photo decoder as configured (limits, reduced decoding, lens.image.jpeg-decoder). */
    public static ImageDecoder decoder(LensConfig.Image c) {
        return new ImageDecoder(image(c), ImageDecoder.JpegDecoding.parse(c.jpegDecoder()));
    }

    /**
     * The views each photo is embedded in for the configured model files: lens.image.scales when set, else
     * lens.model.views, else the crop size alone.
     */
    public static MultiScale scales(LensConfig config) {
        return scales(config, config.model().views().orElse(List.of()));
    }

    /** The views of a resolved model (its manifest's, or lens.model.views); lens.image.scales, when set, wins. */
    public static MultiScale scales(LensConfig config, ResolvedModel model) {
        return scales(config, model.views());
    }

    private static MultiScale scales(LensConfig config, List<Integer> modelViews) {
        return new MultiScale(image(config.image()), config.image().scales().orElse(modelViews));
    }

    /** The index policy as configured (lens.build.auto.*), for lens.build.index-factory=auto. */
    public static IndexPolicy indexPolicy(LensConfig.Build.Auto c) {
        return new IndexPolicy(c.exactBelow(), c.listSize(), c.minLists(), c.maxLists(), c.dimsPerCode(),
                c.nprobe(), c.trainPerList(), c.maxTrainRows(), c.refine());
    }

    /** The memory the service's decodes may hold at once (lens.image.decode-budget-mb, decode-wait). */
    public static DecodeBudget decodeBudget(LensConfig.Image c) {
        long bytes = c.decodeBudgetMb().map(mb -> mb << 20).orElseGet(DecodeBudget::automaticCapacity);
        int large = c.largeDecodes() > 0 ? c.largeDecodes() : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        return new DecodeBudget(bytes, c.decodeWait(), c.largeDecodePixels(), large);
    }

    /** Model settings for a precision ("int8" or "fp32"): the file is picked by precision. */
    public static ModelSettings model(LensConfig.Model c, String precision) {
        String p = precision.toLowerCase(Locale.ROOT);
        Path path = switch (p) {
            case "int8" -> c.int8Path();
            case "int8-rr" -> c.int8RrPath().orElseThrow(() -> new IllegalArgumentException(
                    "no int8 model with 7-bit activations: set lens.model.int8-rr-path (models/quantize_int8.py makes one)"));
            case "fp32" -> c.fp32Path();
            case "fp16" -> c.fp16Path().orElse(c.fp32Path());
            default -> throw new IllegalArgumentException("unknown model precision '" + precision + "' (int8, fp32)");
        };
        return new ModelSettings(c.name(), path, filePrecision(p), c.device(), c.dimension(), c.batchSize(), c.predictors(), c.threads(),
                c.quantizedEngine());
    }

    /** The precision a model file runs at: "int8-rr" (7-bit activations) is an int8 file. */
    private static String filePrecision(String fileKey) {
        return fileKey.startsWith("int8-") ? "int8" : fileKey;
    }

    public static SuggestSettings suggest(LensConfig.Suggest c) {
        return new SuggestSettings(c.temperature(), c.categoryVote(), c.minCategoryConfidence(), c.minConfidence(), c.minSupport(),
                new WeightClasses(c.weightClassesGrams()), c.priceLowQuantile(), c.priceHighQuantile(),
                c.minPriceNeighbours(), c.neighboursShown(), c.currency().orElse(null), c.minBrandSupport());
    }

    public static SearchParams search(LensConfig.Search c) {
        return new SearchParams(c.nprobe(), c.efSearch());
    }

    public static Metric metric(String name) {
        return switch (name.toLowerCase(Locale.ROOT).replace('-', '_')) {
            case "inner_product", "ip", "cosine" -> Metric.INNER_PRODUCT;
            case "l2" -> Metric.L2;
            default -> throw new IllegalArgumentException("unknown metric '" + name + "' (inner_product, l2)");
        };
    }

    /** The suggestion pipeline over a loaded model, as configured. */
    public static SuggestPipeline pipeline(LensConfig config, Embedder embedder) {
        return pipeline(config, embedder, suggest(config.suggest()));
    }

    /** The suggestion pipeline as configured, with other suggestion settings. */
    public static SuggestPipeline pipeline(LensConfig config, Embedder embedder, SuggestSettings suggestSettings) {
        return pipeline(config, embedder, suggestSettings, scales(config));
    }

    /** The suggestion pipeline with the views of the model actually served ({@link #scales(LensConfig, ResolvedModel)}). */
    public static SuggestPipeline pipeline(LensConfig config, Embedder embedder, SuggestSettings suggestSettings,
                                           MultiScale views) {
        return new SuggestPipeline(decoder(config.image()).withBudget(decodeBudget(config.image())), views, new ColourNamer(), embedder,
                new Suggester(suggestSettings), config.search().k(), search(config.search()),
                config.suggest().fusion());
    }

    /** The artifact store as configured: a local folder (or volume) or an S3 bucket, with the local cache. */
    /** Redis as configured, with {@code timeout} for every command. */
    public static RedisSettings redis(LensConfig.Redis r, Duration timeout) {
        return new RedisSettings(r.host(), r.port(), r.user().orElse(null), r.password().orElse(null),
                r.tls(), r.database(), timeout, r.maxConnections(), r.retryAfter(), r.tlsCaFile().orElse(null));
    }

    /** The longest a suggestion session may live (lens.redis.session-ttl). */
    public static final Duration MAX_SESSION_TTL = Duration.ofDays(7);

    /** Refuses Redis settings that would let request-time state grow without bound (TTLs, session size). */
    public static void checkRedis(LensConfig.Redis r, Duration cursorTtl) {
        if (!r.sessionTtl().isPositive() || r.sessionTtl().compareTo(MAX_SESSION_TTL) > 0) {
            throw new IllegalArgumentException("lens.redis.session-ttl must be above 0 and at most " + MAX_SESSION_TTL.toDays()
                    + " days, got " + r.sessionTtl());
        }
        if (!r.answerTtl().isPositive() || !cursorTtl.isPositive()) {
            throw new IllegalArgumentException("lens.redis.answer-ttl and lens.search.cursor-ttl must be above 0: every key "
                    + "but the change log's needs a TTL (Redis evicts only those, under volatile-ttl)");
        }
        if (r.sessionMaxBytes() < 1024) {
            throw new IllegalArgumentException("lens.redis.session-max-bytes must be at least 1024, got " + r.sessionMaxBytes());
        }
    }

    /** The change log of live listing changes, when live changes are enabled (they need Redis). */
    public static Optional<ChangeLog> changeLog(LensConfig config) {
        if (!config.live().enabled() || !config.redis().enabled()) {
            return Optional.empty();
        }
        return Optional.of(new RedisChangeLog(
                new RedisStore(redis(config.redis(), config.live().timeout())), true));
    }

    public static Artifacts artifacts(LensConfig config) {
        LensConfig.Storage c = config.storage();
        Layout layout = new Layout(c.prefix().orElse(""));
        ManifestVerifier verifier = verifier(c.signing());
        if (verifier != null) {
            LOG.log(System.Logger.Level.INFO, "models and pools must be signed by key " + String.join(" or ", verifier.keyIds()));
        }
        BlobStore store = switch (c.type().toLowerCase(Locale.ROOT)) {
            case "directory", "dir", "local" -> new FileBlobStore(c.directory());
            case "s3" -> {
                LensConfig.Storage.S3 s3 = c.s3();
                yield new S3BlobStore(new S3Settings(s3.bucket().orElse(null), s3.endpoint().orElse(null), s3.region(), s3.pathStyle(),
                        s3.accessKey().filter(k -> !k.isBlank()).orElse(null), s3.secretKey().filter(k -> !k.isBlank()).orElse(null),
                        s3.callTimeout(), s3.retries(), s3.multipartThreshold(), s3.partSize()));
            }
            default -> throw new IllegalArgumentException("unknown lens.storage.type '" + c.type() + "' (directory, s3)");
        };
        return new Artifacts(store, layout, c.cacheDir(), verifier);
    }

    private static final System.Logger LOG = System.getLogger(Settings.class.getName());
    private static final AtomicBoolean UNAUTHENTICATED_LOGGED = new AtomicBoolean();

    /**
     * The keys manifests must be signed by (lens.storage.signing.public-key), null when none is configured (logged
     * once: artifacts are then not authenticated). A key that cannot be read is a configuration error, never "no key".
     */
    public static ManifestVerifier verifier(LensConfig.Storage.Signing c) {
        Optional<String> key = c.publicKey().filter(k -> !k.isBlank());
        if (key.isEmpty()) {
            if (UNAUTHENTICATED_LOGGED.compareAndSet(false, true)) {
                LOG.log(System.Logger.Level.WARNING, "artifacts are not authenticated: lens.storage.signing.public-key is not set, "
                        + "so models and pools are checked against their manifests but their signatures are not");
            }
            return null;
        }
        return ManifestVerifier.fromSetting(key.get(), "lens.storage.signing.public-key");
    }

    /**
     * A publisher into the configured store, signing with lens.storage.signing.private-key-file when set. Publishing
     * unsigned while a public key is configured, or signing with a key it does not list, is said on {@code log}.
     */
    public static Publisher publisher(LensConfig config, Artifacts artifacts, PrintStream log) {
        LensConfig.Storage.Signing c = config.storage().signing();
        ManifestSigner signer = c.privateKeyFile()
                .map(f -> ManifestSigner.load(f, "lens.storage.signing.private-key-file")).orElse(null);
        artifacts.verifier().ifPresent(v -> {
            if (signer == null) {
                log.println("warning: publishing unsigned (no lens.storage.signing.private-key-file): a service with "
                        + "lens.storage.signing.public-key refuses what is published");
            } else if (!v.keyIds().contains(signer.keyId())) {
                log.println("warning: signing with key " + signer.keyId() + ", which lens.storage.signing.public-key does not list ("
                        + String.join(", ", v.keyIds()) + ")");
            }
        });
        return new Publisher(artifacts.store(), artifacts.layout(), log, signer);
    }

    /** The model to load: its settings, the space it embeds into, and its store version (null for plain files). */
    /**
     * A model ready to load: its settings, its embedding space (with the views' suffix), its version (null for
     * configured files) and the views it embeds at (its manifest's, or lens.model.views; empty: the crop size alone).
     */
    public record ResolvedModel(ModelSettings settings, String space, String version, List<Integer> views,
                                List<Path> probePhotos) {
        public ResolvedModel {
            views = views == null ? List.of() : List.copyOf(views);
            probePhotos = probePhotos == null ? List.of() : List.copyOf(probePhotos);
        }

        /** The same model with other settings (a pinned inference path). */
        public ResolvedModel withSettings(ModelSettings s) {
            return new ResolvedModel(s, space, version, views, probePhotos);
        }
    }

    /**
     * The model as configured: from the files of lens.model.*-path, (source=store) from the store's
     * models/&lt;name&gt;/&lt;version&gt;/, fetched to the cache and verified against its manifest, or (source=directory)
     * from one version's folder, verified in place.
     */
    public static ResolvedModel resolveModel(LensConfig config, Artifacts artifacts, String precision) {
        LensConfig.Model m = config.model();
        switch (m.source().toLowerCase(Locale.ROOT)) {
            case "files" -> {
                List<Integer> views = m.views().orElse(List.of());
                return new ResolvedModel(model(m, precision), m.space() + scales(config, views).spaceSuffix(), null, views, List.of());
            }
            case "store" -> {
                ModelManifest manifest = artifacts.modelManifest(m.name(), m.version().orElse(null));
                ModelManifest.ModelFile file = fileFor(manifest, precision, "");
                return fromManifest(config, manifest, artifacts.fetchModel(manifest), file, precision);
            }
            case "directory" -> {
                Path folder = m.directory().orElseThrow(() -> new IllegalArgumentException(
                        "lens.model.source=directory needs lens.model.directory (the model version's folder)"));
                Path manifestFile = folder.resolve(Layout.MANIFEST);
                byte[] bytes;
                try {
                    bytes = Files.readAllBytes(manifestFile);
                } catch (IOException e) {
                    throw new IllegalArgumentException("lens.model.directory " + folder + " holds no readable model manifest ("
                            + manifestFile + ": " + e.getMessage() + ")", e);
                }
                ModelManifest manifest = ModelManifest.parse(bytes, manifestFile.toString());
                if (!m.name().equals(manifest.name())) {
                    throw new ArtifactRefusedException("invalid-manifest", manifestFile + " describes model "
                            + manifest.name() + ", not lens.model.name " + m.name());
                }
                if (m.version().isPresent() && !m.version().get().equals(manifest.version())) {
                    throw new ArtifactRefusedException("invalid-manifest", manifestFile + " describes version "
                            + manifest.version() + ", not lens.model.version " + m.version().get());
                }
                ManifestVerifier verifier = verifier(config.storage().signing());
                if (verifier != null) {
                    Path sigFile = folder.resolve(Layout.SIGNATURE);
                    byte[] sig = null;
                    try {
                        sig = Files.readAllBytes(sigFile);
                    } catch (NoSuchFileException e) {
                        // unsigned: refused below
                    } catch (IOException e) {
                        throw new StorageException("cannot read " + sigFile + ": " + e.getMessage(), e);
                    }
                    verifier.verify(Artifacts.MODELS, manifest.name(), manifest.version(),
                            bytes, sig, manifestFile.toString());
                }
                ModelManifest.ModelFile file = fileFor(manifest, precision, " in " + folder);
                // only the file that will be loaded, and the probe photos, are read (and checked) from the volume
                List<FileEntry> used = new ArrayList<>(List.of(file.entry()));
                used.addAll(manifest.probe());
                Fetcher.verify(folder, used, true, folder + "/");
                return fromManifest(config, manifest, folder, file, precision);
            }
            default -> throw new IllegalArgumentException("unknown lens.model.source '" + m.source() + "' (files, store, directory)");
        }
    }

    /** The manifest's file for a precision (fp16 runs the version's fp16 file, or its fp32 file when it has none). */
    private static ModelManifest.ModelFile fileFor(ModelManifest manifest, String precision, String where) {
        String p = precision.toLowerCase(Locale.ROOT);
        String filePrecision = p.equals("fp16") && manifest.file("fp16").isEmpty() ? "fp32" : p;
        return manifest.file(filePrecision).orElseThrow(() -> new IllegalArgumentException(
                "model " + manifest.name() + " " + manifest.version() + where + " has no " + filePrecision + " file"));
    }

    /** A model version from its manifest, its files (and probe photos) in a verified local folder. */
    private static ResolvedModel fromManifest(LensConfig config, ModelManifest manifest, Path folder, ModelManifest.ModelFile file,
                                              String precision) {
        LensConfig.Model m = config.model();
        // the views the version was trained for, when its manifest names them; else those configured for model files
        List<Integer> views = manifest.views().isEmpty() ? m.views().orElse(List.of()) : manifest.views();
        return new ResolvedModel(new ModelSettings(m.name(), folder.resolve(file.name()), filePrecision(precision.toLowerCase(Locale.ROOT)),
                m.device(), manifest.dimension(), m.batchSize(), m.predictors(), m.threads(), m.quantizedEngine()),
                manifest.space() + scales(config, views).spaceSuffix(), manifest.version(), views,
                manifest.probe().stream().map(p -> folder.resolve(p.name())).toList());
    }

    /**
     * Pinned pool versions from {@code lens.pool.versions} entries ("tenant=version"): tenant -> version, in order.
     * A malformed entry, or a tenant named twice, is refused with the entry in the message.
     */
    public static Map<String, String> pinnedPools(List<String> entries) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String raw : entries) {
            String e = raw.strip();
            if (e.isEmpty()) {
                continue;
            }
            int eq = e.indexOf('=');
            if (eq <= 0 || eq == e.length() - 1 || e.indexOf('=', eq + 1) >= 0) {
                throw new IllegalArgumentException("lens.pool.versions entry '" + e + "' is not tenant=version");
            }
            String tenant = Layout.segment("tenant", e.substring(0, eq).strip());
            String version = Layout.segment("pool version", e.substring(eq + 1).strip());
            if (out.putIfAbsent(tenant, version) != null) {
                throw new IllegalArgumentException("lens.pool.versions pins tenant '" + tenant + "' twice");
            }
        }
        return out;
    }

    /** Opens a pool folder, checked against the model that will query it. */
    public static Pool openPool(LensConfig config, Path dir, Embedder embedder) {
        return openPool(config, dir, embedder, config.model().space() + scales(config).spaceSuffix());
    }

    /** A pool opened for a resolved model: refused unless it is in {@code space} (the model's, with its views' suffix). */
    public static Pool openPool(LensConfig config, Path dir, Embedder embedder, String space) {
        return Pool.open(dir, new Pool.OpenOptions(config.pool().memoryMap(), config.pool().verifyChecksums(),
                space, embedder.dimension(), 0, config.pool().exactRerank()));
    }

    private static float[] floats(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    /** The projection to learn: {@code override} (--projection) or lens.build.projection; null for none. */
    public static PoolBuildRequest.ProjectionSpec projectionSpec(LensConfig config, String override) {
        String method = override != null ? override : config.build().projection();
        if (method.equals("none")) {
            return null;
        }
        return new PoolBuildRequest.ProjectionSpec(method, config.build().projectionDimension(), config.build().projectionShrinkage());
    }

    /** The tenant a build publishes for when none is named: lens.default-tenant, else the first of lens.tenants. */
    public static String defaultTenant(LensConfig config) {
        return config.defaultTenant().filter(t -> !t.isBlank()).orElse(config.tenants().get(0));
    }
}
