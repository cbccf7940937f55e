package com.listinglens.config;

import com.listinglens.suggest.CategoryVote;
import com.listinglens.suggest.Fusion;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * All of Listing Lens's settings, read from {@code application.properties} and overridable by
 * environment variables ({@code lens.model.precision} -> {@code LENS_MODEL_PRECISION}).
 * The service gets it injected; the command-line tools load the same mapping through {@link ConfigLoader}.
 */
@ConfigMapping(prefix = "lens")
public interface LensConfig {

    /** Folder of the shared model and catalog (the other paths default to places inside it). */
    Path sharedDir();

    Model model();

    Image image();

    Pool pool();

    Search search();

    Suggest suggest();

    Build build();

    Redis redis();

    Admin admin();

    Request request();

    /** Budgets of one photo request (suggestions, search by photo). */
    interface Request {
        /**
         * Longest time from when the service starts on a photo request (its upload received) to its answer; past it
         * the answer is 503 deadline-exceeded with Retry-After. 0 turns the deadline off. Default in
         * application.properties (500ms; the tests' profile allows 30s).
         */
        Duration deadline();

        /** Seconds a 503 deadline-exceeded or overloaded (admission) tells the client to wait (Retry-After). */
        @WithDefault("1")
        long retryAfterSeconds();

        /**
         * Most POST requests to /v1/ handled at once (being uploaded, waiting for a worker thread, decoding, queued
         * for the model); one more is answered 503 overloaded before its body is read. 0 = no limit.
         */
        @WithDefault("64")
        int maxInFlight();
    }

    interface Admin {
        /**
         * The operator's bearer token: every admin endpoint, every tenant. Without it and without a tenant's own token
         * the admin endpoints answer 401 to everybody (fail closed).
         */
        Optional<String> token();

        /**
         * Bearer tokens of single tenants ({@code lens.admin.tenant-tokens.<tenant>=<token>}): each opens that tenant's
         * admin endpoints (/admin/tenants/&lt;tenant&gt;/..., /admin/pools/&lt;tenant&gt;/reload) and nothing else.
         */
        Map<String, String> tenantTokens();

        /** Admin requests handled at once (authenticated first); one more is answered 503 with Retry-After unread. */
        @WithDefault("4")
        int maxInFlight();

        /** Largest admin request body (a batch of changes with its photos); a larger Content-Length is 413 unread. */
        @WithDefault("67108864")
        long maxBodyBytes();
    }

    /**
     * Tenants (marketplaces) served, each with its own pool (pools/&lt;tenant&gt;/current in the store). A request
     * names its tenant in the X-Tenant header or the path (/v1/tenants/{tenant}/...).
     */
    List<String> tenants();

    /** Tenant of requests that name none; without one such requests are refused (400). */
    Optional<String> defaultTenant();

    Storage storage();

    interface Storage {
        /** "directory" (a local folder or read-only volume) or "s3". */
        @WithDefault("directory")
        String type();

        /** Root folder of the store when type=directory. */
        Path directory();

        /** Folder of the store's layout inside the bucket or directory ("" for its root). */
        Optional<String> prefix();

        /** Local cache of versions downloaded from a bucket (verified before use). */
        Path cacheDir();

        /** How often the pointers are read for new versions. */
        Duration watchInterval();

        /** First wait after a failed read of the store; doubled per failure up to backoff-max. */
        Duration backoffInitial();

        Duration backoffMax();

        /**
         * Attempts at fetching the model at start while the store is unreachable (waiting backoff-initial, doubled
         * up to backoff-max, between them); then loading has failed for good and liveness reports DOWN.
         */
        @WithDefault("8")
        int modelAttempts();

        /** Health says "stale" once the pointers could not be read for this long. */
        Duration staleAfter();

        Signing signing();

        /** Ed25519 signatures of published manifests (manifest.json.sig beside each manifest.json). */
        interface Signing {
            /**
             * Public key(s) every model and pool manifest must be signed by: PEM text (one or more PUBLIC KEY blocks,
             * several while keys rotate) or the path of a PEM file (a mounted Secret). Unsigned or wrongly signed
             * versions are then refused. Without it, artifacts are checked against their manifests, not authenticated.
             */
            Optional<String> publicKey();

            /** PKCS#8 PEM private key the publishing tools sign with (publish-model, publish-pool, build-pool --publish). */
            Optional<Path> privateKeyFile();
        }

        S3 s3();

        interface S3 {
            Optional<String> bucket();

            /** Endpoint of an S3 protocol server other than AWS (MinIO, S3Proxy, Ceph ...). */
            Optional<URI> endpoint();

            @WithDefault("us-east-1")
            String region();

            /** Path-style addressing (most S3 protocol servers other than AWS need it). */
            @WithDefault("false")
            boolean pathStyle();

            /** Static credentials; without them the AWS default chain (environment, profile, instance role). */
            Optional<String> accessKey();

            Optional<String> secretKey();

            @WithDefault("30s")
            Duration callTimeout();

            @WithDefault("2")
            int retries();

            /** Files from this size up are uploaded in parts. */
            @WithDefault("16777216")
            long multipartThreshold();

            @WithDefault("8388608")
            long partSize();
        }
    }

    interface Redis {
        /** Use Redis for the answer cache and suggestion sessions. */
        @WithDefault("true")
        boolean enabled();

        @WithDefault("127.0.0.1")
        String host();

        @WithDefault("6379")
        int port();

        Optional<String> user();

        Optional<String> password();

        @WithDefault("false")
        boolean tls();

        /**
         * PEM file of the CA certificates Redis's TLS certificate must chain to (with tls); absent: the JVM's trust
         * store. Either way the certificate must name lens.redis.host.
         */
        Optional<Path> tlsCaFile();

        @WithDefault("0")
        int database();

        /** Longest wait for Redis per command (connect, pool and socket alike). */
        @WithDefault("50ms")
        Duration timeout();

        @WithDefault("16")
        int maxConnections();

        /** After a failure, Redis is not asked again for this long (answers go uncached meanwhile). */
        @WithDefault("1s")
        Duration retryAfter();

        /** How long a cached answer lives. */
        @WithDefault("1h")
        Duration answerTtl();

        /** How long a suggestion session lives (the shipping check needs it); at most 7 days. */
        @WithDefault("24h")
        Duration sessionTtl();

        /**
         * Largest suggestion session kept, in bytes of JSON (at least 1024): a bigger one keeps only its most similar
         * neighbours that fit (the shipping check weighs fewer). Typical sizes: docs/benchmarks.md#session-size.
         */
        @WithDefault("8192")
        int sessionMaxBytes();
    }

    interface Model {
        /** Name of the model, reported with every answer. */
        String name();

        /**
         * The embedding space the model writes into. A pool records the space it was built in; the service
         * refuses a pool of another space (int8 and fp32 variants of one model share one space).
         */
        String space();

        /** int8 (quantized, CPU) or fp32. */
        @WithDefault("int8")
        String precision();

        /**
         * Synthetic photos run through the whole pipeline (decode, both views, model at batch sizes 1 and 2, search)
         * before the service reports ready, so that the first real requests do not pay for the JIT and libtorch's
         * first calls (measured: docs/benchmarks.md#warm-up). 0 = none.
         */
        @WithDefault("16")
        int warmupPhotos();

        /** cpu or gpu (gpu runs the fp32 file in fp16). */
        @WithDefault("cpu")
        String device();

        /**
         * The views (crop sizes) the model files of lens.model.*-path embed photos at, e.g. 224,320: each photo is
         * embedded at every one and stands for the mean. A published model version's manifest names its own views (a
         * model trained on the catalog for one view names that view), which then win. Unset, and no manifest views:
         * the crop size alone. lens.image.scales, when set, overrides both.
         */
        Optional<List<Integer>> views();

        /**
         * Where the model files come from: "files" (the int8-path and fp32-path below), "store" (the artifact
         * store's models/&lt;name&gt;/&lt;version&gt;/, verified against its manifest) or "directory" (one model
         * version's folder, manifest.json and files, such as a read-only volume per model version; verified in place).
         */
        @WithDefault("files")
        String source();

        /**
         * With source=store: the version to serve; without one, the version named by models/&lt;name&gt;/current.
         * With source=directory: the version the folder must hold (checked against its manifest), if given.
         */
        Optional<String> version();

        /** With source=directory: the model version's folder (manifest.json beside its TorchScript files). */
        Optional<Path> directory();

        @WithName("int8-path")
        Path int8Path();

        @WithName("fp32-path")
        Path fp32Path();

        /** An fp16 TorchScript file of the same model, for precision fp16 on a GPU; unset: precision fp16 needs a store version's fp16 file. */
        Optional<Path> fp16Path();

        /**
         * Optional: an int8 file of the same model whose activations use 7 bits (reduce range), exact on FBGEMM's AVX2
         * kernels (models/quantize_int8.py makes it). With lens.model.path=auto its paths (int8-rr/&lt;engine&gt;) are
         * measured beside the others. A model version in the store carries it as its "int8-rr" file.
         */
        @WithName("int8-rr-path")
        Optional<Path> int8RrPath();

        int dimension();

        @WithDefault("8")
        int batchSize();

        /** How many model instances serve requests at once. */
        @WithDefault("2")
        int predictors();

        /**
         * Intra-op threads of the inference engine, per model instance: one, because two threads each collapse when
         * the cores are busy.
         */
        @WithDefault("1")
        int threads();

        /**
         * libtorch's quantized engine for int8 on the CPU: auto (FBGEMM on CPUs with AVX-512 VNNI, not libtorch's own
         * default there, x86, which hands the 320-px view to oneDNN; QNNPACK elsewhere), qnnpack (the shared int8 model
         * was trained for it; correct on every x86 CPU, more slowly), fbgemm, x86, onednn, or default (libtorch's
         * choice: FBGEMM, whose AVX2 kernels saturate on this model). Measured: docs/benchmarks.md#quantized-engine.
         */
        @WithDefault("auto")
        String quantizedEngine();

        /**
         * Micro-batching of the service's requests: concurrent requests' photos are embedded together, at most
         * {@code max-batch} photos per model call, a worker waiting at most {@code max-wait-micros} for more after the
         * first; at most {@code queue-capacity} requests wait (beyond: 503 with Retry-After); one worker per predictor.
         */
        Batching batching();

        interface Batching {
            @WithDefault("true")
            boolean enabled();

            /**
             * Most photos per model call. Batches stay small: with FBGEMM a photo costs about as much alone as in a
             * batch (docs/benchmarks.md#micro-batches).
             */
            @WithDefault("2")
            int maxBatch();

            @WithDefault("2000")
            long maxWaitMicros();

            @WithDefault("32")
            int queueCapacity();

            @WithDefault("1s")
            Duration retryAfter();
        }

        /**
         * How the service runs the model on the CPU: "auto" measures at start every path this CPU can serve (fp32, and
         * the int8 model on each quantized engine libtorch supports here), checks each against fp32 on the probe photos
         * with lens.model.check's minimums, and serves the fastest that passes ({@code embedding.PathChoice});
         * "configured" serves lens.model.precision with lens.model.quantized-engine, unmeasured; a path label
         * (fp32, int8/qnnpack, int8/fbgemm, int8/x86, int8/onednn) pins that path. The GPU always runs as configured.
         */
        @WithDefault("auto")
        String path();

        /** The start-up measurement of lens.model.path=auto. */
        Probe probe();

        interface Probe {
            /** Photos of lens.model.check.catalog (spread evenly over it) each path embeds and is compared on. */
            @WithDefault("16")
            int photos();

            /** How long each path is timed, after one unmeasured pass over the probe photos. */
            @WithDefault("1s")
            Duration timePerPath();
        }

        /** What {@code lens check-model} requires of two variants before they may share one embedding space. */
        Check check();

        interface Check {
            /** Photos the variants embed (a catalog's images). */
            Path catalog();

            /** Least mean cosine between a photo's two embeddings. */
            @WithDefault("0.98")
            double minMeanCosine();

            /** Least mean share of each photo's k nearest other photos that both variants agree on. */
            @WithDefault("0.7")
            double minNeighbourOverlap();

            /** Neighbours compared per photo. */
            @WithDefault("10")
            int k();
        }
    }

    interface Image {
        /**
         * OpenCV's own worker threads for one resize or colour conversion (process-wide; -1: OpenCV's default, one
         * per core). 1 and -1 measured alike at concurrency 8: docs/benchmarks.md#opencv-threads.
         */
        @WithDefault("-1")
        int opencvThreads();

        /**
         * A large JPEG is decoded at 1/2, 1/4 or 1/8 DCT scale while its shorter side stays at least this many times the
         * largest resize target (then resized, antialiased, as usual). Fidelity and time by margin
         * (bench/decode-margin.sh): docs/benchmarks.md#reduced-jpeg-decoding-2026-12-02.
         */
        @WithDefault("1.0")
        double reducedDecodeMargin();

        /**
         * Which library decodes JPEGs: auto (the system's libjpeg-turbo through TurboJPEG when libturbojpeg.so.0
         * loads, else OpenCV), turbojpeg (refuse to start without it) or opencv (its bundled libjpeg-turbo, built
         * without SIMD). Both give identical pixels; TurboJPEG is faster (docs/benchmarks.md#jpeg-decoding).
         */
        @WithDefault("auto")
        String jpegDecoder();

        /**
         * Megabytes that the service's decodes may hold at once ({@code image.DecodeBudget}): each photo is admitted
         * with its decoded pixels x bytes per pixel of its format (6 for JPEG, PNG, WebP and BMP; 11 with alpha; 4 for
         * GIF) and holds them until its views are made. Unset: a quarter of the memory limit (the cgroup's memory.max,
         * else the machine's memory), so 1 GiB in the chart's 4 GiB pod. One image that could never fit (a 40 MP PNG
         * with alpha needs 440 MB) is refused 413.
         */
        Optional<Long> decodeBudgetMb();

        /**
         * How long a decode waits for room in the budget (at most what is left of its request's deadline) before its
         * request is answered 503 with Retry-After.
         */
        @WithDefault("250ms")
        Duration decodeWait();

        /**
         * Decodes of more pixels than this (after a JPEG's DCT reduction, so in practice huge PNG, WebP, GIF or BMP
         * uploads) are large (what one costs: docs/benchmarks.md#large-decodes).
         */
        @WithDefault("16000000")
        long largeDecodePixels();

        /** Large decodes at once (0: half the cores, at least one); one more is answered 503 at once. */
        @WithDefault("0")
        int largeDecodes();

        @WithDefault("256")
        int resizeShorter();

        @WithDefault("224")
        int cropSize();

        /**
         * Multi-scale views (crop sizes, e.g. 224,320) overriding the model's own (lens.model.views, or its manifest's):
         * each photo is embedded at every one (resized in the ratio resize-shorter / crop-size) and stands for the mean
         * of its views, pools and queries alike. Unset: the model's views. The views are part of the embedding space
         * (a pool built with other scales is refused).
         */
        Optional<List<Integer>> scales();

        List<Float> mean();

        List<Float> std();

        /** Largest accepted photo, in bytes. */
        long maxBytes();

        /** Largest accepted photo, in pixels (width x height, read from the header before decoding). */
        long maxPixels();

        /** Largest accepted side, in pixels. */
        int maxSide();

        /** Most photos in one request. */
        int maxPhotos();
    }

    interface Pool {
        /** Map the index file instead of reading it into memory, where the index type allows. */
        @WithDefault("false")
        boolean memoryMap();

        /** Check the sha-256 of every pool file against its manifest before serving it. */
        @WithDefault("true")
        boolean verifyChecksums();

        /**
         * Re-ranking of a compressed index's candidates in two stages where the pool has 8-bit rows: those rank all
         * refine x k candidates, then the fp32 rows re-score the best exact-rerank x k of them (0: the fp32 rows score
         * every candidate, and the 8-bit rows are not opened). 0 by default, measured best at 50M (bench/pool-scale.sh):
         * docs/benchmarks.md#two-stage-re-ranking.
         */
        @WithDefault("0")
        int exactRerank();

        /**
         * Tenants pinned to one pool version, as "tenant=version" entries (comma-separated in one environment
         * variable: LENS_POOL_VERSIONS=default=20261123T140317Z-2721,shop-de=...). A pinned tenant serves exactly that
         * version of pools/&lt;tenant&gt;/ and does not follow its current pointer (a blue-green colour's pools);
         * the other tenants follow their pointers.
         */
        Optional<List<String>> versions();
    }

    interface Search {
        /** Neighbours asked of the pool per photo. */
        int k();

        /** IVF cells visited per query (0: the index's default). */
        @WithDefault("0")
        int nprobe();

        /** HNSW candidate list size (0: the index's default). */
        @WithDefault("0")
        int efSearch();

        /** OpenMP threads FAISS may use per search (0: FAISS's default). */
        @WithDefault("1")
        int threads();

        /** Results per page of an image search when the request names no limit. */
        @WithDefault("20")
        int pageSize();

        /** Largest page of an image search. */
        @WithDefault("100")
        int maxPageSize();

        /** Deepest result an image search pages to (offset + limit): deeper pages are refused. */
        @WithDefault("1000")
        int maxWindow();

        /** How long a search's cursor can fetch further pages (the query is kept in Redis that long). */
        @WithDefault("15m")
        Duration cursorTtl();

        /**
         * Cosine similarity of the photos' own embeddings (the model's, at the configured views, before any projection)
         * from which a listing's photo counts as (nearly) the same photo as the query's: re-encoded, resized or mildly
         * cropped copies. Set by bench/duplicates.sh for the views 224 + 320:
         * docs/quality.md#near-duplicate-threshold-2026-12-02.
         */
        @WithDefault("0.93")
        double duplicateSimilarity();

        /** Base of image URLs: prefix of the catalog's relative image paths (absolute http(s) paths are kept as they are). */
        @WithDefault("/v1/images/")
        String imageBaseUrl();

        /** Folder the service serves /v1/images/ from (the catalog's photos); unset: it serves none. */
        Optional<Path> imageRoot();
    }

    /** Live listing changes between pool builds (kept in Redis, shared by every replica). */
    Live live();

    interface Live {
        /**
         * Accept and apply live changes (needs lens.redis.enabled). Default in application.properties (true; false in
         * the tests' profile).
         */
        boolean enabled();

        /** How often every replica reads changes other replicas appended. */
        @WithDefault("1s")
        Duration pollInterval();

        /**
         * Change-log entries read per round trip. Redis counts a reply's buffer in used_memory, so pages of additions
         * (each with its embedding) are kept small: docs/benchmarks.md#change-log-page-size.
         */
        @WithDefault("100")
        int pageSize();

        /** Timeout of change-log commands (longer than the cache's: pages of embeddings are large). */
        @WithDefault("2s")
        Duration timeout();

        /** Most changes in one admin batch. */
        @WithDefault("500")
        int maxBatch();

        /**
         * How long a replica's record of how far its serving pool folded the change log counts without a refresh (each
         * poll refreshes it): the log is not trimmed past a live record, and a replica gone for this long no longer holds
         * trims back. At least 3 poll intervals.
         */
        @WithDefault("10m")
        Duration replicaTtl();

        /** How often a replica trims the log entries every live replica's pool has folded. */
        @WithDefault("1m")
        Duration trimInterval();

        /** Trim the change log (false: this replica records its fold, so others' trims respect it, but trims nothing). */
        @WithDefault("true")
        boolean trim();
    }

    interface Suggest {
        /** Votes are weighted by exp(similarity / temperature). */
        double temperature();

        /** Several photos of one item: merge (their neighbour lists) or mean (of their embeddings). */
        @WithDefault("mean")
        Fusion fusion();

        /** leaf (the most-voted whole path) or top_down (level by level). */
        @WithDefault("top_down")
        CategoryVote categoryVote();

        /** A category level is suggested only when at least this share of the vote backs it. */
        double minCategoryConfidence();

        /** Title, brand, weight class: the winning value needs at least this share of the vote. */
        double minConfidence();

        /**
         * Brand, weight class, price: the neighbours that carry the field need at least this share of the
         * total vote, otherwise the field is null ("too few similar listings have it").
         */
        double minSupport();

        /**
         * Brand: the neighbours with a known brand need at least this share of the vote (most of it, by default), so
         * that an unbranded item (fruit, vegetables) does not get the brand of the few packaged goods near it.
         */
        @WithDefault("0.5")
        double minBrandSupport();

        /** Upper bounds of the weight classes in grams, ascending; a last open class takes the rest. */
        List<Integer> weightClassesGrams();

        /** Price band: low and high quantiles of the neighbours' prices (weighted). */
        double priceLowQuantile();

        double priceHighQuantile();

        /** Fewest neighbours with a price for a price band. */
        int minPriceNeighbours();

        /** Neighbours listed in an answer. */
        int neighboursShown();

        /** Currency of catalog prices, reported with price bands. */
        Optional<String> currency();
    }

    interface Build {
        /**
         * FAISS index_factory string of new pools: the index type is configuration, not code; {@code auto} picks one by
         * the pool's size ({@code lens.build.auto.*}) and records the choice in the manifest.
         */
        String indexFactory();

        /** How {@code auto} picks an index by pool size. */
        Auto auto();

        /** Rows per batch when a pool is built from precomputed embeddings (bin/lens build-pool --embeddings). */
        @WithDefault("65536")
        int addBatch();

        /**
         * Partitions per core of the cluster the Spark pool builder embeds and encodes in when --partitions is not
         * given: more than one, so that a slow partition (big photos) or a retried task does not leave cores idle.
         */
        @WithDefault("4")
        int sparkPartitionsPerCore();

        /** Index type by pool size, for {@code lens.build.index-factory=auto} ({@link com.listinglens.indexer.IndexPolicy}). */
        interface Auto {
            /** Pools below this many listings get exact search (IDMap,Flat). */
            long exactBelow();

            /** Listings per inverted list wanted above it (the list count is the nearest power of two). */
            int listSize();

            int minLists();

            int maxLists();

            /** Dimensions per one-byte PQ code. */
            int dimsPerCode();

            /** Lists visited per query, recorded in the manifest for the service. */
            int nprobe();

            /** Training rows per list (FAISS wants at least 39). */
            int trainPerList();

            /** Most training rows. */
            int maxTrainRows();

            /** Candidates per result re-ranked by the pool's fp32 rows (index-vectors.f32); 0: none. */
            int refine();
        }

        /** inner_product (cosine on L2-normalised embeddings) or l2. */
        String metric();

        /** Model precision used to embed the pool (fp32 is the reference; queries may use int8). */
        String precision();

        /** Catalogs of the demo pool, used when no --catalog is given. */
        List<Path> catalogs();

        /** Where photos of a catalog are found; default: the catalog file's directory. */
        Optional<Path> imageRoot();

        /** Photos decoded in parallel while embedding. */
        @WithDefault("2")
        int decodeThreads();

        /**
         * A linear projection learned from the pool's own leaf categories and applied to pool and query embeddings,
         * stored with the pool (projection.bin): {@code lda} or {@code none}.
         */
        @WithDefault("lda")
        String projection();

        /** Most output dimensions of the projection (LDA gives at most categories - 1). */
        @WithDefault("80")
        int projectionDimension();

        /**
         * Shrinkage of LDA's within-class scatter towards a scaled identity (0..1); measured by bench/projection.sh:
         * docs/benchmarks.md#lda-shrinkage.
         */
        @WithDefault("0.1")
        double projectionShrinkage();

        /**
         * Uploads with known truth that the pool does not hold (a validation catalog), run through the new pool at
         * build time with the query model ({@code lens.model.precision}) to fit its confidence maps (Platt scaling per
         * field, stored in the manifest); {@code none}: confidences stay raw vote shares. Default in
         * application.properties: the shared val catalog.
         */
        String calibrationCatalog();

        /** Where the calibration catalog's photos are found; default: the catalog file's directory. */
        Optional<Path> calibrationImageRoot();
    }
}
