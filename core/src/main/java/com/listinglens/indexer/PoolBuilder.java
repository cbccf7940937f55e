package com.listinglens.indexer;

import com.listinglens.calibration.Calibration;
import com.listinglens.catalog.CatalogReader.Catalog;
import com.listinglens.catalog.CatalogReader;
import com.listinglens.catalog.Listing;
import com.listinglens.embedding.Embedder;
import com.listinglens.embedding.ModelInfo;
import com.listinglens.image.ImageDecoder;
import com.listinglens.image.MultiScale;
import com.listinglens.image.Preprocessor;
import com.listinglens.indexer.PoolBuildRequest.LiveChanges;
import com.listinglens.indexer.PoolBuildRequest.ProjectionSpec;
import com.listinglens.live.Change;
import com.listinglens.live.FoldedChanges;
import com.listinglens.pool.ListingStoreWriter;
import com.listinglens.pool.Manifest;
import com.listinglens.pool.PhotoVectors;
import com.listinglens.pool.PoolException;
import com.listinglens.pool.PoolFiles;
import com.listinglens.pool.Sq8Rows;
import com.listinglens.projection.Projection;
import com.listinglens.vector.Metric;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Builds a pool directory from JSONL catalogs ({@link PoolBuildRequest}), stage by stage: {@link #build} reads the
 * catalogs, folds in the live changes and embeds every photo (with progress); {@link #finish} learns the projection,
 * chooses and makes the FAISS index ({@link IndexMaker}), writes listings, folded changes, re-ranking rows and manifest,
 * fits the confidence maps, and reports ({@link PoolBuildReport}). The pool is written to a temporary directory and
 * moved into place at the end, so a failed build never leaves a half-written pool where a service could load it.
 */
public final class PoolBuilder {

    /** File name of a pool's projection. */
    public static final String PROJECTION = "projection.bin";
    /** File name of a projected pool's unprojected embeddings (fp16), for the near-duplicate test. */
    public static final String PHOTO_VECTORS = "photo-vectors.f16";

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

    /** The catalogs' usable listings, in catalog order, and what was taken from each catalog. */
    private record Catalogs(List<Item> items, List<Counts> counts) {
    }

    /** What folding the live changes did: the listings added (by id, in log order) and the catalog listings dropped. */
    private record LiveFold(Map<String, Change> additions, long droppedFromCatalogs) {
    }

    /** The pool's listings and their embeddings, {@code dimension} floats a row, in row order. */
    private record Rows(List<Listing> listings, float[] vectors, int dimension) {
    }

    /**
     * The rows the index is made of, the projection they went through (null: the model's own space, or a carried one)
     * and its manifest entry (null: none), and the files written for it.
     */
    private record IndexRows(float[] vectors, int dimension, Projection projection, Manifest.ProjectionRef ref,
                             List<String> files) {
    }

    /**
     * Builds the pool {@code request} asks for: reads the catalogs, folds the live changes in, embeds the photos, then
     * {@link #finish finishes} the pool with its index made here ({@link IndexMaker#LOCAL}).
     */
    public PoolBuildReport build(PoolBuildRequest request) {
        long start = System.nanoTime();
        if (request.catalogs().isEmpty()) {
            throw new IllegalArgumentException("at least one catalog is required");
        }
        refuseExisting(request.output(), request.replace());
        Catalogs catalogs = readCatalogs(request);
        LiveFold fold = foldLiveChanges(request, catalogs.items());
        if (catalogs.items().isEmpty() && fold.additions().isEmpty()) {
            throw new PoolException("the catalogs hold no usable listing");
        }
        Rows rows = embed(catalogs.items(), fold.additions().values());
        return finish(request, tally(rows, catalogs.counts(), fold), embedder.info(), policy, IndexMaker.LOCAL, log, start);
    }

    /**
     * Reads each catalog: bad lines reported with their line numbers and skipped, a listing whose id an earlier
     * catalog has rejected; each usable listing with its photo's path.
     */
    private Catalogs readCatalogs(PoolBuildRequest request) {
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
        return new Catalogs(items, counts);
    }

    /**
     * Folds the request's live changes (none: nothing to do): every catalog listing a change names leaves
     * {@code items}, and each listing whose last change adds it joins with the embedding the service computed. An
     * addition embedded in another space or dimension is refused: its photos are not kept, so it cannot be re-embedded.
     */
    private LiveFold foldLiveChanges(PoolBuildRequest request, List<Item> items) {
        if (request.live() == null) {
            return new LiveFold(Map.of(), 0);
        }
        Map<String, Change> additions = new LinkedHashMap<>();
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
        long droppedFromCatalogs = before - items.size();
        log.printf(Locale.ROOT, "live changes through %s: %d catalog listings replaced or removed, %d listings added%n",
                request.live().through(), droppedFromCatalogs, additions.size());
        return new LiveFold(additions, droppedFromCatalogs);
    }

    /**
     * Embeds the items' photos at every view (an unusable photo is reported, skipped and counted against its catalog),
     * then appends the live additions with their embeddings: the pool's rows.
     */
    private Rows embed(List<Item> items, Collection<Change> additions) {
        int d = embedder.dimension();
        float[] vectors = new float[(items.size() + additions.size()) * d];
        List<Listing> kept = new ArrayList<>(items.size() + additions.size());
        Progress progress = new Progress(log, "embedding", items.size());
        int[] next = {0};
        try (PhotoEmbedding embedding = new PhotoEmbedding(decoder, scales, embedder, batchSize, decodeThreads)) {
            embedding.embed(items, Item::image, new PhotoEmbedding.Sink<>() {
                @Override
                public void embedded(Item item, float[] embedding) {
                    System.arraycopy(embedding, 0, vectors, next[0] * d, d);
                    kept.add(item.listing());
                    next[0]++;
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
        for (Change c : additions) {
            System.arraycopy(c.embedding(), 0, vectors, next[0] * d, d);
            kept.add(c.listing());
            next[0]++;
        }
        return new Rows(kept, Arrays.copyOf(vectors, next[0] * d), d);
    }

    /** The rows with what the catalogs gave (each one's counts, the manifest's sources) and what the live fold did. */
    private static EmbeddedListings tally(Rows rows, List<Counts> counts, LiveFold fold) {
        List<Manifest.SourceCatalog> sources = new ArrayList<>();
        long rejectedLines = 0;
        long unreadable = 0;
        for (Counts c : counts) {
            sources.add(new Manifest.SourceCatalog(c.file.toString(), PoolFiles.sha256(c.file), c.lines,
                    c.accepted - c.unreadable, c.rejected, c.unreadable));
            rejectedLines += c.rejected;
            unreadable += c.unreadable;
        }
        return new EmbeddedListings(rows.listings(), rows.vectors(), rows.dimension(), sources, rejectedLines, unreadable,
                fold.additions().size(), fold.droppedFromCatalogs());
    }

    /**
     * Writes the pool of {@code embedded} to {@code request.output()}, stage by stage in a temporary folder moved into
     * place last: the projection learned (when asked and the labels allow), the index chosen ("auto": by
     * {@code policy}) and made by {@code maker}, the listings, the folded live changes, the re-ranking rows, the
     * manifest and the confidence maps. The single-machine build and the Spark job both finish here, so their pools
     * have one format and one manifest.
     */
    public static PoolBuildReport finish(PoolBuildRequest request, EmbeddedListings embedded, ModelInfo model, IndexPolicy policy,
                                         IndexMaker maker, PrintStream log, long startNanos) {
        return finish(request, embedded, model, policy, maker, log, startNanos, null);
    }

    /**
     * As {@link #finish(PoolBuildRequest, EmbeddedListings, ModelInfo, IndexPolicy, IndexMaker, PrintStream, long)}, for
     * embeddings made with the projection {@code carried} (null: none) instead of one learned.
     */
    public static PoolBuildReport finish(PoolBuildRequest request, EmbeddedListings embedded, ModelInfo model, IndexPolicy policy,
                                         IndexMaker maker, PrintStream log, long startNanos, CarriedProjection carried) {
        if (carried != null && request.projection() != null) {
            throw new IllegalArgumentException("embeddings made with a projection cannot learn another");
        }
        if (embedded.listings().isEmpty()) {
            throw new PoolException("no photo of the catalogs could be embedded");
        }
        refuseExisting(request.output(), request.replace());
        Path tmp = request.output().resolveSibling(request.output().getFileName() + ".building-" + System.nanoTime());
        try {
            Files.createDirectories(tmp);
            int n = embedded.listings().size();
            List<String> files = new ArrayList<>(List.of(PoolFiles.INDEX, PoolFiles.LISTING_STORE));
            IndexRows rows = projectRows(request.projection(), carried, embedded, tmp, log);
            files.addAll(rows.files());
            IndexPolicy.Choice choice = chooseIndex(request.indexFactory(), policy, n, rows.dimension());
            String factory = choice == null ? request.indexFactory() : choice.factory();
            makeIndex(maker, factory, choice, request.metric(), rows, n, tmp, log);
            ListingStoreWriter.write(tmp.resolve(PoolFiles.LISTING_STORE), embedded.listings());
            files.addAll(writeFoldedChanges(request.live(), tmp));
            files.addAll(writeRerankingRows(choice, rows, n, tmp, log));
            Manifest manifest = writeManifest(request, embedded, model, factory, choice, rows, tmp, files);
            manifest = calibrate(request, tmp, manifest);
            replace(tmp, request.output(), request.replace());
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            return new PoolBuildReport(request.output(), manifest, embedded.rejectedLines(), embedded.unreadable(), seconds);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write pool " + request.output() + ": " + e.getMessage(), e);
        } finally {
            deleteTree(tmp);
        }
    }

    /**
     * The rows the index is made of: the embeddings projected by a projection learned now (its file and the
     * unprojected photo vectors written to {@code tmp}), or as they are, under the {@code carried} projection (its
     * file copied) or in the model's own space.
     */
    private static IndexRows projectRows(ProjectionSpec spec, CarriedProjection carried, EmbeddedListings embedded, Path tmp,
                                         PrintStream log) throws IOException {
        List<Listing> kept = embedded.listings();
        float[] vectors = embedded.vectors();
        int d = embedded.dimension();
        Projection projection = spec == null ? null : learn(spec, kept, vectors, d, log);
        if (projection != null) {
            projection.write(tmp.resolve(PROJECTION));
            PhotoVectors.write(tmp.resolve(PHOTO_VECTORS), vectors, kept.size(), d);
            float[] projected = new float[kept.size() * projection.outputDimension()];
            projection.apply(vectors, kept.size(), projected);
            return new IndexRows(projected, projection.outputDimension(), projection, new Manifest.ProjectionRef(PROJECTION,
                    projection.method(), d, projection.outputDimension(), projection.sha256(), PHOTO_VECTORS),
                    List.of(PROJECTION, PHOTO_VECTORS));
        }
        if (carried != null) {
            Files.copy(carried.fromPool().resolve(carried.ref().file()), tmp.resolve(carried.ref().file()));
            return new IndexRows(vectors, d, null, carried.ref(), List.of(carried.ref().file()));
        }
        return new IndexRows(vectors, d, null, null, List.of());
    }

    /** What {@code policy} chooses for {@code n} rows of {@code dimension} when {@code factory} is "auto"; else null. */
    private static IndexPolicy.Choice chooseIndex(String factory, IndexPolicy policy, int n, int dimension) {
        if (!IndexPolicy.AUTO.equals(factory)) {
            return null;
        }
        if (policy == null) {
            throw new IllegalArgumentException("index factory 'auto' needs an index policy (lens.build.auto.*)");
        }
        return policy.choose(n, dimension);
    }

    /** Makes the index of the {@code n} rows with {@code factory} through {@code maker}, trained as {@code choice} says. */
    private static void makeIndex(IndexMaker maker, String factory, IndexPolicy.Choice choice, Metric metric, IndexRows rows,
                                  int n, Path tmp, PrintStream log) {
        log.printf(Locale.ROOT, "indexing %d vectors with '%s' (%s)%s%n", n, factory, metric,
                choice == null ? "" : ": " + choice.reason());
        maker.make(factory, rows.dimension(), metric, rows.vectors(), n,
                choice == null ? 0 : (int) Math.min(Integer.MAX_VALUE, choice.trainRows()), rows.projection(),
                tmp.resolve(PoolFiles.INDEX));
    }

    /**
     * What the build folded of the change log, for the next one to start from once the log is trimmed; returns the file
     * written (none without live changes).
     */
    private static List<String> writeFoldedChanges(LiveChanges live, Path tmp) {
        if (live == null) {
            return List.of();
        }
        FoldedChanges.write(tmp.resolve(PoolFiles.LIVE_CHANGES), FoldedChanges.compact(live.changes()));
        return List.of(PoolFiles.LIVE_CHANGES);
    }

    /**
     * The re-ranking rows where the index choice asks for re-ranking: the index's rows in fp32, then in 8 bits; returns
     * the files written (none without re-ranking).
     */
    private static List<String> writeRerankingRows(IndexPolicy.Choice choice, IndexRows rows, int n, Path tmp, PrintStream log)
            throws IOException {
        if (choice == null || choice.refine() <= 0) {
            return List.of();
        }
        try (var out = new BufferedOutputStream(Files.newOutputStream(tmp.resolve(PoolFiles.INDEX_VECTORS)), 1 << 16)) {
            EmbeddingSet.writeFloats(out, rows.vectors(), 0, n * rows.dimension());
        }
        writeSq8Rows(tmp, n, rows.dimension(), log);
        return List.of(PoolFiles.INDEX_VECTORS, PoolFiles.INDEX_VECTORS_SQ8);
    }

    /**
     * Writes the manifest: each of {@code files} with its size and sha-256, model, space, dimension, catalogs, the live
     * fold, the projection and the index choice.
     */
    private static Manifest writeManifest(PoolBuildRequest request, EmbeddedListings embedded, ModelInfo model, String factory,
                                          IndexPolicy.Choice choice, IndexRows rows, Path tmp, List<String> files) {
        List<Manifest.FileRef> described = describeFiles(tmp, files);
        Instant now = Instant.now();
        int n = embedded.listings().size();
        Manifest manifest = new Manifest(Manifest.FORMAT_VERSION, poolVersion(now, n),
                new Manifest.ModelRef(request.modelName(), request.modelSpace(), model.precision(), model.sha256()),
                rows.dimension(), n, now, factory, request.metric().name().toLowerCase(Locale.ROOT),
                embedded.sources(), described,
                request.live() == null ? null : new Manifest.LiveFold(request.live().through().toString(),
                        embedded.liveAdded(), embedded.liveDropped()),
                rows.ref(), null, choice == null ? null : choice.manifestEntry());
        PoolFiles.writeManifest(tmp, manifest);
        return manifest;
    }

    /**
     * The manifest with the confidence maps the request's calibrator fits on the finished folder, written again; as it
     * was without a calibrator or maps.
     */
    private static Manifest calibrate(PoolBuildRequest request, Path tmp, Manifest manifest) throws IOException {
        if (request.calibrator() == null) {
            return manifest;
        }
        Calibration maps;
        try {
            maps = request.calibrator().calibrate(tmp);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new PoolException("cannot fit the confidence maps of pool " + request.output() + ": " + e.getMessage(), e);
        }
        if (maps == null || maps.isNone()) {
            return manifest;
        }
        Manifest calibrated = manifest.withCalibration(maps);
        PoolFiles.writeManifest(tmp, calibrated);
        return calibrated;
    }

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

    /**
     * Refuses a build whose output already holds a pool, unless it is to replace it: the check every builder (this
     * one, {@link EmbeddingPoolBuilder}, the Spark job) makes before it spends any work.
     */
    public static void refuseExisting(Path output, boolean replace) {
        if (Files.exists(output) && !replace) {
            throw new PoolException("pool " + output + " exists; pass --replace to rebuild it");
        }
    }

    /** A new pool's version: its UTC time to the second and its listing count ({@code 20260101T120000Z-1000}). */
    static String poolVersion(Instant now, long listings) {
        return DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(now) + "-" + listings;
    }

    /** The manifest's entries of the files {@code names} in {@code dir}: size and sha-256 each, in that order. */
    static List<Manifest.FileRef> describeFiles(Path dir, List<String> names) {
        List<Manifest.FileRef> files = new ArrayList<>();
        for (String name : names) {
            files.add(PoolFiles.describeFile(dir.resolve(name)));
        }
        return files;
    }

    /** Moves the finished folder {@code tmp} to {@code output}, the pool there first moved aside and deleted. */
    static void replace(Path tmp, Path output, boolean replace) throws IOException {
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        refuseExisting(output, replace);
        Path old = null;
        if (Files.exists(output)) {
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
