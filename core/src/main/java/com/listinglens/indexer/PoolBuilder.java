package com.listinglens.indexer;

import com.listinglens.calibration.Calibration;
import com.listinglens.catalog.CatalogReader.Catalog;
import com.listinglens.catalog.CatalogReader;
import com.listinglens.catalog.Listing;
import com.listinglens.catalog.ListingJson;
import com.listinglens.embedding.Embedder;
import com.listinglens.embedding.ModelInfo;
import com.listinglens.image.ImageDecoder;
import com.listinglens.image.MultiScale;
import com.listinglens.image.Preprocessor;
import com.listinglens.live.Change;
import com.listinglens.live.FoldedChanges;
import com.listinglens.pool.ChangeId;
import com.listinglens.pool.ListingStoreWriter;
import com.listinglens.pool.Manifest;
import com.listinglens.pool.PhotoVectors;
import com.listinglens.pool.PoolException;
import com.listinglens.pool.PoolFiles;
import com.listinglens.pool.Sq8Rows;
import com.listinglens.projection.Projection;
import com.listinglens.vector.FaissIndex;
import com.listinglens.vector.Metric;

import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Builds a pool directory from JSONL catalogs: every photo decoded and embedded (with progress), a FAISS
 * index made from the configured index_factory string, listings and manifest written beside it. The pool
 * is written to a temporary directory and moved into place at the end, so a failed build never leaves a
 * half-written pool where a service could load it.
 */
public final class PoolBuilder {

    /** What to build. {@code imageRoot} null: photos are relative to each catalog's own directory. */
    public record Request(List<Path> catalogs, Path imageRoot, Path output, String indexFactory, Metric metric,
                          String modelName, String modelSpace, boolean replace, LiveChanges live, ProjectionSpec projection,
                          PoolCalibrator calibrator) {

        /**
         * A build of {@code catalogs} into {@code output} with this index and metric, in this model's space; photos
         * under each catalog's folder, no pool replaced, no live change folded, no projection learned, no confidence
         * maps: the withers below add each.
         * <pre>
         * Request.of(catalogs, out, "auto", Metric.INNER_PRODUCT, "mobilenet_v2", space).replacing(true).learning(lda)
         * </pre>
         */
        public static Request of(List<Path> catalogs, Path output, String indexFactory, Metric metric, String modelName,
                                 String modelSpace) {
            return new Request(catalogs, null, output, indexFactory, metric, modelName, modelSpace, false, null, null, null);
        }

        /** Photos under {@code root} (null: each catalog's folder). */
        public Request imageRoot(Path root) {
            return new Request(catalogs, root, output, indexFactory, metric, modelName, modelSpace, replace, live, projection, calibrator);
        }

        /** Whether a pool already at the output is replaced (else the build refuses to start). */
        public Request replacing(boolean yes) {
            return new Request(catalogs, imageRoot, output, indexFactory, metric, modelName, modelSpace, yes, live, projection, calibrator);
        }

        /** The live changes to fold in (null: none). */
        public Request folding(LiveChanges changes) {
            return new Request(catalogs, imageRoot, output, indexFactory, metric, modelName, modelSpace, replace, changes, projection,
                    calibrator);
        }

        /** The projection to learn (null: none). */
        public Request learning(ProjectionSpec spec) {
            return new Request(catalogs, imageRoot, output, indexFactory, metric, modelName, modelSpace, replace, live, spec, calibrator);
        }

        /** What fits the confidence maps (null: none). */
        public Request calibratedBy(PoolCalibrator c) {
            return new Request(catalogs, imageRoot, output, indexFactory, metric, modelName, modelSpace, replace, live, projection, c);
        }
    }

    /**
     * Fits the confidence maps of a freshly written pool (its directory, complete but not yet in place): queries it
     * with uploads it does not hold. The maps go into the manifest before the pool is moved into place.
     */
    @FunctionalInterface
    public interface PoolCalibrator {
        Calibration calibrate(Path pool) throws Exception;
    }

    /**
     * A projection to learn from the pool's own leaf categories: {@code method} "lda", at most {@code dimension}
     * output dimensions (and at most classes - 1), within-class scatter shrunk by {@code shrinkage}.
     */
    public record ProjectionSpec(String method, int dimension, double shrinkage) {
        public ProjectionSpec {
            if (!"lda".equals(method)) {
                throw new IllegalArgumentException("unknown projection method '" + method + "' (known: lda)");
            }
            if (dimension < 1) {
                throw new IllegalArgumentException("projection dimension must be >= 1");
            }
        }
    }

    /**
     * Live changes to fold into the build, in log order, as far as {@code through}: removals drop listings, additions
     * join with the embeddings the service computed (their photos are not needed again).
     */
    public record LiveChanges(List<Change> changes, ChangeId through) {
    }

    /** What a build did. */
    public record Report(Path pool, Manifest manifest, long rejectedLines, long unreadableImages, double seconds) {
    }

    /**
     * The embedded listings a pool is finished from, in pool-row order: {@code vectors} holds {@code listings.size()}
     * rows of {@code dimension} (the model's space); {@code sources} the catalogs they came from with their counts;
     * {@code liveAdded}/{@code liveDropped} what a live fold did (0 without one).
     */
    public record Embedded(List<Listing> listings, float[] vectors, int dimension, List<Manifest.SourceCatalog> sources,
                           long rejectedLines, long unreadable, int liveAdded, long liveDropped) {
        public Embedded {
            if ((long) listings.size() * dimension != vectors.length) {
                throw new IllegalArgumentException(listings.size() + " listings of dimension " + dimension + " need "
                        + (long) listings.size() * dimension + " components, got " + vectors.length);
            }
        }
    }

    /**
     * Makes the pool's index file {@code out} from {@code n} rows of {@code vectors} (already projected, dimension
     * {@code dimension}); ids are the rows. {@code trainRows}: the rows the index policy trains on (0 when the factory
     * was given, not chosen). {@link #LOCAL} trains and adds in this process; the Spark job trains a template here on
     * a sample and encodes shards on its executors ({@code projection}: what they apply to the model's embeddings
     * first, null for none).
     */
    @FunctionalInterface
    public interface IndexMaker {
        void make(String factory, int dimension, Metric metric, float[] vectors, int n, int trainRows, Projection projection,
                  Path out);
    }

    /** Trains (when the index needs it) on every row and adds them all, here (as this builder always has). */
    public static final IndexMaker LOCAL = (factory, dimension, metric, vectors, n, trainRows, projection, out) -> {
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i;
        }
        try (FaissIndex index = FaissIndex.create(factory, dimension, metric)) {
            if (!index.isTrained()) {
                index.train(vectors, n);
            }
            index.addWithIds(vectors, ids);
            index.write(out);
        }
    };

    private final ImageDecoder decoder;
    private final MultiScale scales;
    private final Embedder embedder;
    private final int batchSize;
    private final int decodeThreads;
    private final PrintStream log;
    private IndexPolicy policy;

    /** How an index factory of "auto" is resolved by the pool's size; returns this builder. */
    public PoolBuilder policy(IndexPolicy policy) {
        this.policy = policy;
        return this;
    }

    public PoolBuilder(ImageDecoder decoder, Preprocessor preprocessor, Embedder embedder, int batchSize,
                       int decodeThreads, PrintStream log) {
        this(decoder, new MultiScale(preprocessor), embedder, batchSize, decodeThreads, log);
    }

    /** With multi-scale views: each photo embedded at every scale, its row the mean of its views (as the service queries). */
    public PoolBuilder(ImageDecoder decoder, MultiScale scales, Embedder embedder, int batchSize,
                       int decodeThreads, PrintStream log) {
        PhotoEmbedding.requireSizes(batchSize, decodeThreads);
        this.decoder = decoder;
        this.scales = scales;
        this.embedder = embedder;
        this.batchSize = batchSize;
        this.decodeThreads = decodeThreads;
        this.log = log;
    }

    private record Item(Listing listing, Counts catalog, long line, Path image) {
    }

    /** What was taken from one catalog. */
    private static final class Counts {
        final Path file;
        final long lines;
        long accepted;
        long rejected;
        long unreadable;

        Counts(Path file, long lines) {
            this.file = file;
            this.lines = lines;
        }
    }

    public Report build(Request request) {
        long start = System.nanoTime();
        if (request.catalogs().isEmpty()) {
            throw new IllegalArgumentException("at least one catalog is required");
        }
        if (Files.exists(request.output()) && !request.replace()) {
            throw new PoolException("pool " + request.output() + " exists; pass --replace to rebuild it");
        }
        List<Item> items = new ArrayList<>();
        List<Counts> counts = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (Path file : request.catalogs()) {
            if (!Files.isRegularFile(file)) {
                throw new PoolException("catalog " + file + " does not exist");
            }
            Catalog catalog = CatalogReader.read(file);
            Path root = request.imageRoot() != null ? request.imageRoot() : file.toAbsolutePath().getParent();
            Counts count = new Counts(file, catalog.lines());
            counts.add(count);
            catalog.errors().forEach(e -> log.println("skipped " + e));
            count.rejected += catalog.errors().size();
            for (int i = 0; i < catalog.listings().size(); i++) {
                Listing listing = catalog.listings().get(i);
                long line = catalog.lineNumbers().get(i);
                if (!ids.add(listing.id())) {
                    log.println("skipped " + file + ":" + line + ": duplicate id '" + listing.id() + "' (an earlier catalog has it)");
                    count.rejected++;
                    continue;
                }
                items.add(new Item(listing, count, line, root.resolve(listing.image())));
                count.accepted++;
            }
            log.printf(Locale.ROOT, "catalog %s: %d lines, %d listings, %d lines rejected%n", file, count.lines,
                    count.accepted, count.rejected);
        }
        Map<String, Change> additions = new LinkedHashMap<>();
        long droppedFromCatalogs = 0;
        if (request.live() != null) {
            Set<String> dropped = new HashSet<>();
            for (Change c : request.live().changes()) {
                if (c.op() == Change.Op.ADD) {
                    if (!c.space().equals(request.modelSpace()) || c.embedding().length != embedder.dimension()) {
                        throw new PoolException("change " + c.id() + " adds " + c.listingId() + " embedded in space '" + c.space()
                                + "' (dimension " + c.embedding().length + "), this build embeds in '" + request.modelSpace()
                                + "' (dimension " + embedder.dimension() + "); its photos are not kept, so it cannot be re-embedded: "
                                + "build without --live (the service applies the log on top) or re-add it");
                    }
                }
                dropped.add(c.listingId());
                additions.remove(c.listingId());
                if (c.op() == Change.Op.ADD) {
                    additions.put(c.listingId(), c);
                }
            }
            int before = items.size();
            items.removeIf(item -> dropped.contains(item.listing().id()));
            droppedFromCatalogs = before - items.size();
            log.printf(Locale.ROOT, "live changes through %s: %d catalog listings replaced or removed, %d listings added%n",
                    request.live().through(), droppedFromCatalogs, additions.size());
        }
        if (items.isEmpty() && additions.isEmpty()) {
            throw new PoolException("the catalogs hold no usable listing");
        }

        int d = embedder.dimension();
        float[] vectors = new float[(items.size() + additions.size()) * d];
        List<Listing> kept = new ArrayList<>(items.size() + additions.size());
        Progress progress = new Progress(log, "embedding", items.size());
        int[] rows = {0};
        float[] into = vectors;
        try (PhotoEmbedding embedding = new PhotoEmbedding(decoder, scales, embedder, batchSize, decodeThreads)) {
            embedding.embed(items, Item::image, new PhotoEmbedding.Sink<>() {
                @Override
                public void embedded(Item item, float[] embedding) {
                    System.arraycopy(embedding, 0, into, rows[0] * d, d);
                    kept.add(item.listing());
                    rows[0]++;
                }

                @Override
                public void unusable(Item item, Throwable cause) {
                    log.println("skipped " + item.catalog().file + ":" + item.line() + ": photo " + item.image()
                            + " unusable: " + cause.getMessage());
                    item.catalog().unreadable++;
                }
            }, progress);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot embed the catalogs' photos: " + e.getMessage(), e);
        }
        progress.finish();
        for (Change c : additions.values()) {
            System.arraycopy(c.embedding(), 0, vectors, rows[0] * d, d);
            kept.add(c.listing());
            rows[0]++;
        }
        vectors = Arrays.copyOf(vectors, rows[0] * d);
        List<Manifest.SourceCatalog> sources = new ArrayList<>();
        long rejectedLines = 0;
        long unreadable = 0;
        for (Counts c : counts) {
            sources.add(new Manifest.SourceCatalog(c.file.toString(), PoolFiles.sha256(c.file), c.lines,
                    c.accepted - c.unreadable, c.rejected, c.unreadable));
            rejectedLines += c.rejected;
            unreadable += c.unreadable;
        }

        return finish(request, new Embedded(kept, vectors, d, sources, rejectedLines, unreadable, additions.size(),
                droppedFromCatalogs), embedder.info(), policy, LOCAL, log, start);
    }

    /**
     * Writes the pool of {@code embedded} to {@code request.output()}: the projection learned (when asked and the labels
     * allow), the index chosen ("auto": by {@code policy}) and made by {@code maker}, listings, re-ranking rows,
     * manifest and confidence maps, all in a temporary directory moved into place last. The single-machine build and
     * the Spark job both finish here, so their pools have one format and one manifest.
     */
    public static Report finish(Request request, Embedded embedded, ModelInfo model, IndexPolicy policy, IndexMaker maker,
                                PrintStream log, long startNanos) {
        return finish(request, embedded, model, policy, maker, log, startNanos, null);
    }

    /**
     * A projection the embeddings were already made with, carried into the pool from {@code fromPool} (checked there:
     * {@link EmbeddingPoolBuilder}'s rules); the pool keeps no unprojected photo vectors then.
     */
    public record CarriedProjection(Path fromPool, Manifest.ProjectionRef ref) {}

    /** As {@link #finish(Request, Embedded, ModelInfo, IndexPolicy, IndexMaker, PrintStream, long)}, with {@code carried}. */
    public static Report finish(Request request, Embedded embedded, ModelInfo model, IndexPolicy policy, IndexMaker maker,
                                PrintStream log, long startNanos, CarriedProjection carried) {
        if (carried != null && request.projection() != null) {
            throw new IllegalArgumentException("embeddings made with a projection cannot learn another");
        }
        List<Listing> kept = embedded.listings();
        float[] vectors = embedded.vectors();
        int d = embedded.dimension();
        List<Manifest.SourceCatalog> sources = embedded.sources();
        long rejectedLines = embedded.rejectedLines();
        long unreadable = embedded.unreadable();
        long start = startNanos;
        if (kept.isEmpty()) {
            throw new PoolException("no photo of the catalogs could be embedded");
        }
        if (Files.exists(request.output()) && !request.replace()) {
            throw new PoolException("pool " + request.output() + " exists; pass --replace to rebuild it");
        }
        Path tmp = request.output().resolveSibling(request.output().getFileName() + ".building-" + System.nanoTime());
        try {
            Files.createDirectories(tmp);
            Manifest.ProjectionRef projectionRef = null;
            int indexDimension = d;
            Projection projection = request.projection() == null ? null : learn(request.projection(), kept, vectors, d, log);
            if (projection != null) {
                Path file = tmp.resolve(PROJECTION);
                projection.write(file);
                PhotoVectors.write(tmp.resolve(PHOTO_VECTORS), vectors, kept.size(), d);
                float[] projected = new float[kept.size() * projection.outputDimension()];
                projection.apply(vectors, kept.size(), projected);
                vectors = projected;
                indexDimension = projection.outputDimension();
                projectionRef = new Manifest.ProjectionRef(PROJECTION, projection.method(), d, indexDimension, projection.sha256(),
                        PHOTO_VECTORS);
            }
            if (carried != null) {
                Files.copy(carried.fromPool().resolve(carried.ref().file()), tmp.resolve(carried.ref().file()));
                projectionRef = carried.ref();
            }
            IndexPolicy.Choice choice = null;
            if (IndexPolicy.AUTO.equals(request.indexFactory())) {
                if (policy == null) {
                    throw new IllegalArgumentException("index factory 'auto' needs an index policy (lens.build.auto.*)");
                }
                choice = policy.choose(kept.size(), indexDimension);
            }
            String factory = choice == null ? request.indexFactory() : choice.factory();
            log.printf(Locale.ROOT, "indexing %d vectors with '%s' (%s)%s%n", kept.size(), factory, request.metric(),
                    choice == null ? "" : ": " + choice.reason());
            maker.make(factory, indexDimension, request.metric(), vectors, kept.size(),
                    choice == null ? 0 : (int) Math.min(Integer.MAX_VALUE, choice.trainRows()), projection, tmp.resolve(PoolFiles.INDEX));
            ListingStoreWriter.write(tmp.resolve(PoolFiles.LISTING_STORE), kept);
            List<String> names = new ArrayList<>(projectionRef == null ? List.of(PoolFiles.INDEX, PoolFiles.LISTING_STORE)
                    : carried != null ? List.of(PoolFiles.INDEX, PoolFiles.LISTING_STORE, carried.ref().file())
                    : List.of(PoolFiles.INDEX, PoolFiles.LISTING_STORE, PROJECTION, PHOTO_VECTORS));
            if (request.live() != null) {
                // what this build folded, for the next one to start from once the log is trimmed
                FoldedChanges.write(tmp.resolve(PoolFiles.LIVE_CHANGES),
                        FoldedChanges.compact(request.live().changes()));
                names.add(PoolFiles.LIVE_CHANGES);
            }
            if (choice != null && choice.refine() > 0) {
                try (var out = new BufferedOutputStream(Files.newOutputStream(tmp.resolve(PoolFiles.INDEX_VECTORS)), 1 << 16)) {
                    EmbeddingSet.writeFloats(out, vectors, 0, kept.size() * indexDimension);
                }
                names.add(PoolFiles.INDEX_VECTORS);
                writeSq8Rows(tmp, kept.size(), indexDimension, log);
                names.add(PoolFiles.INDEX_VECTORS_SQ8);
            }
            List<Manifest.FileRef> files = new ArrayList<>();
            for (String name : names) {
                files.add(PoolFiles.describeFile(tmp.resolve(name)));
            }
            Instant now = Instant.now();
            Manifest manifest = new Manifest(Manifest.FORMAT_VERSION,
                    DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(now)
                            + "-" + kept.size(),
                    new Manifest.ModelRef(request.modelName(), request.modelSpace(), model.precision(), model.sha256()),
                    indexDimension, kept.size(), now, factory, request.metric().name().toLowerCase(Locale.ROOT),
                    sources, files,
                    request.live() == null ? null : new Manifest.LiveFold(request.live().through().toString(),
                            embedded.liveAdded(), embedded.liveDropped()),
                    projectionRef, null, choice == null ? null : choice.manifestEntry());
            PoolFiles.writeManifest(tmp, manifest);
            if (request.calibrator() != null) {
                Calibration maps;
                try {
                    maps = request.calibrator().calibrate(tmp);
                } catch (IOException | RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new PoolException("cannot fit the confidence maps of pool " + request.output() + ": " + e.getMessage(), e);
                }
                if (maps != null && !maps.isNone()) {
                    manifest = manifest.withCalibration(maps);
                    PoolFiles.writeManifest(tmp, manifest);
                }
            }
            replace(tmp, request.output(), request.replace());
            double seconds = (System.nanoTime() - start) / 1e9;
            return new Report(request.output(), manifest, rejectedLines, unreadable, seconds);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write pool " + request.output() + ": " + e.getMessage(), e);
        } finally {
            deleteTree(tmp);
        }
    }

    /** File name of a pool's projection. */
    public static final String PROJECTION = "projection.bin";
    /** File name of a projected pool's unprojected embeddings (fp16), for the near-duplicate test. */
    public static final String PHOTO_VECTORS = "photo-vectors.f16";

    /**
     * Encodes a pool folder's fp32 index rows ({@link PoolFiles#INDEX_VECTORS}, {@code n} of dimension {@code d}) into
     * its 8-bit rows ({@link PoolFiles#INDEX_VECTORS_SQ8}), with progress.
     */
    public static void writeSq8Rows(Path dir, long n, int d, PrintStream log) throws IOException {
        Progress progress = new Progress(log, "8-bit rows", 2 * n);
        Sq8Rows.encode(dir.resolve(PoolFiles.INDEX_VECTORS), n, d, dir.resolve(PoolFiles.INDEX_VECTORS_SQ8),
                progress::advance);
        progress.finish();
    }

    /**
     * Learns the projection from the leaf categories of the listings that have one; null (with a warning) when the
     * labels cannot support one: a catalog of one category, or of one listing per category.
     */
    private static Projection learn(ProjectionSpec spec, List<Listing> kept, float[] vectors, int d, PrintStream log) {
        Map<String, Integer> classes = new LinkedHashMap<>();
        List<Integer> rows = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int r = 0; r < kept.size(); r++) {
            Listing l = kept.get(r);
            if (l.hasCategory()) {
                rows.add(r);
                labels.add(classes.computeIfAbsent(String.join("/", l.category()), c -> classes.size()));
            }
        }
        // LDA needs two categories, and the variation inside a category from at least one with two listings or more
        Map<Integer, Integer> perClass = new HashMap<>();
        labels.forEach(c -> perClass.merge(c, 1, Integer::sum));
        boolean anyRepeated = perClass.values().stream().anyMatch(count -> count >= 2);
        if (classes.size() < 2 || !anyRepeated) {
            log.printf(Locale.ROOT, "projection: NOT learned, the pool is built in the model's space: %s needs two categories and "
                            + "one with two listings or more; the pool has %d labelled listings in %d categories%n",
                    spec.method(), rows.size(), classes.size());
            return null;
        }
        float[] train = new float[rows.size() * d];
        int[] y = new int[rows.size()];
        for (int i = 0; i < y.length; i++) {
            System.arraycopy(vectors, rows.get(i) * d, train, i * d, d);
            y[i] = labels.get(i);
        }
        int out = Math.min(spec.dimension(), classes.size() - 1);
        long t0 = System.nanoTime();
        Projection p = Projection.lda(train, y.length, d, y, out, spec.shrinkage());
        log.printf(Locale.ROOT, "projection: %s from %d labelled listings in %d categories, %d -> %d dimensions, shrinkage %s, %.1f s%n",
                spec.method(), y.length, classes.size(), d, out, spec.shrinkage(), (System.nanoTime() - t0) / 1e9);
        return p;
    }

    static void replace(Path tmp, Path output, boolean replace) throws IOException {
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Path old = null;
        if (Files.exists(output)) {
            if (!replace) {
                throw new PoolException("pool " + output + " exists; pass --replace to rebuild it");
            }
            old = output.resolveSibling(output.getFileName() + ".old-" + System.nanoTime());
            Files.move(output, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(tmp, output, StandardCopyOption.ATOMIC_MOVE);
        if (old != null) {
            deleteTree(old);
        }
    }

    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort clean-up of a temporary directory
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
