package com.listinglens.pipeline;

import com.listinglens.budget.Deadline;
import com.listinglens.budget.DeadlineExceededException;
import com.listinglens.embedding.Embedder;
import com.listinglens.embedding.ModelInfo;
import com.listinglens.image.ColourNamer;
import com.listinglens.image.DecodeBudget;
import com.listinglens.image.DecodedImage;
import com.listinglens.image.ImageDecoder;
import com.listinglens.image.ImageRejectedException;
import com.listinglens.image.MultiScale;
import com.listinglens.image.NamedColour;
import com.listinglens.image.Preprocessor;
import com.listinglens.pool.ChangeId;
import com.listinglens.pool.ListingFilter;
import com.listinglens.pool.Manifest;
import com.listinglens.pool.Neighbour;
import com.listinglens.pool.Pool;
import com.listinglens.pool.PoolManager;
import com.listinglens.suggest.Fusion;
import com.listinglens.suggest.ListingSuggestion;
import com.listinglens.suggest.Suggester;
import com.listinglens.vector.SearchParams;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The path of an upload: bytes -> image -> tensor -> embedding -> neighbours -> suggestion, timed stage by
 * stage. Plain Java: the REST resource, the evaluator and the benchmarks all run this same code.
 */
public final class SuggestPipeline {

    /**
     * Where the first photo's colour is worked out while the request waits for the model: one daemon thread per core
     * (a few ms of CPU per request; at saturation the same CPU as on the request's own thread).
     */
    private static final ExecutorService COLOUR = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(), r -> {
        Thread t = new Thread(r, "lens-colour");
        t.setDaemon(true);
        return t;
    });

    private final ImageDecoder decoder;
    private final MultiScale scales;
    private final ColourNamer colourNamer;
    private final Embedder embedder;
    private final Suggester suggester;
    private final int k;
    private final SearchParams searchParams;
    private final Fusion fusion;

    public SuggestPipeline(ImageDecoder decoder, Preprocessor preprocessor, ColourNamer colourNamer, Embedder embedder,
                           Suggester suggester, int k, SearchParams searchParams, Fusion fusion) {
        this(decoder, new MultiScale(preprocessor), colourNamer, embedder, suggester, k, searchParams, fusion);
    }

    /** With multi-scale views: each photo is embedded at every scale and stands for the mean of its views. */
    public SuggestPipeline(ImageDecoder decoder, MultiScale scales, ColourNamer colourNamer, Embedder embedder,
                           Suggester suggester, int k, SearchParams searchParams, Fusion fusion) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1");
        }
        this.decoder = decoder;
        this.scales = scales;
        this.colourNamer = colourNamer;
        this.embedder = embedder;
        this.suggester = suggester;
        this.k = k;
        this.searchParams = searchParams;
        this.fusion = fusion;
    }

    /** Milliseconds spent per stage of one request. */
    public record Timings(double decodeMs, double embedMs, double searchMs, double aggregateMs, double totalMs) {
    }

    /** A suggestion with what produced it. */
    public record Result(ListingSuggestion suggestion, List<Neighbour> neighbours, NamedColour colour, ModelInfo model,
                         Manifest pool, ChangeId liveThrough, Timings timings) {
    }

    /** A photo of a request that was refused, with its position (0-based) among the request's photos. */
    public static final class PhotoRejectedException extends RuntimeException {
        private final int photo;
        private final ImageRejectedException rejection;

        PhotoRejectedException(int photo, ImageRejectedException rejection) {
            super("photo " + (photo + 1) + ": " + rejection.getMessage(), rejection);
            this.photo = photo;
            this.rejection = rejection;
        }

        public int photo() {
            return photo;
        }

        public ImageRejectedException rejection() {
            return rejection;
        }
    }

    /**
     * One or more photos of one item as search queries: decoded, embedded and fused as configured (mean: one query;
     * merge: one query per photo), with the first photo's dominant colour.
     */
    public record Query(float[][] vectors, NamedColour colour, double decodeMs, double embedMs) {

        /** The fused embedding of all photos (the mean of the queries, normalised): what a live addition stores. */
        public float[] fused() {
            return vectors.length == 1 ? vectors[0] : mean(vectors);
        }
    }

    /** Decodes, checks and embeds the photos of one item, without a deadline. */
    public Query embed(List<byte[]> photos) {
        return embed(photos, Deadline.NONE);
    }

    /**
     * Decodes, checks and embeds the photos of one item within {@code deadline}: checked after each photo is decoded
     * and while waiting for the model.
     *
     * @throws DeadlineExceededException when it passes first
     */
    public Query embed(List<byte[]> photos, Deadline deadline) {
        if (photos.isEmpty()) {
            throw new IllegalArgumentException("at least one photo is required");
        }
        long t0 = System.nanoTime();
        List<float[]> tensors = new ArrayList<>(photos.size());
        ColourNamer.Sample sample = null;
        for (int i = 0; i < photos.size(); i++) {
            Duration left = deadline.bounded() ? Duration.ofNanos(Math.max(0, deadline.remainingNanos()))
                    : Duration.ofDays(1);
            try (DecodedImage image = decoder.decode(photos.get(i), scales.decodeShorter(), left)) {
                tensors.addAll(scales.toTensors(image));
                if (i == 0) {
                    sample = colourNamer.sample(image);
                }
            } catch (ImageRejectedException e) {
                throw new PhotoRejectedException(i, e);
            }
            deadline.check("decoding photo " + (i + 1) + " of " + photos.size());
        }
        long t1 = System.nanoTime();
        // the first photo's colour is worked out beside the model (a few ms of CPU that need not add to the latency)
        ColourNamer.Sample first = sample;
        CompletableFuture<NamedColour> colour = CompletableFuture.supplyAsync(first::dominant, COLOUR);
        float[][] embeddings;
        try {
            embeddings = embedder.embedViews(tensors, scales.views(), deadline);
        } catch (RuntimeException e) {
            colour.cancel(false);
            throw e;
        }
        long t2 = System.nanoTime();
        float[][] queries = fusion == Fusion.MEAN && embeddings.length > 1 ? new float[][]{mean(embeddings)} : embeddings;
        try {
            return new Query(queries, colour.join(), ms(t1 - t0), ms(t2 - t1));
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /**
     * Suggestions for one item from one or more photos of it (the first photo gives the colour), from the
     * listings of the pool {@code pools} serves (a tenant's), live changes included.
     */
    public Result suggest(List<byte[]> photos, PoolManager pools) {
        return suggest(photos, pools, Deadline.NONE);
    }

    /**
     * {@link #suggest(List, PoolManager)} within {@code deadline}: checked up to the search; once the neighbours are
     * found the answer is completed (what remains takes well under a millisecond).
     */
    public Result suggest(List<byte[]> photos, PoolManager pools, Deadline deadline) {
        long t0 = System.nanoTime();
        Query query = embed(photos, deadline);
        deadline.check("about to search");
        long t2 = System.nanoTime();
        Pool pool = pools.acquire();
        try {
            List<List<Neighbour>> found = pool.search(query.vectors(), k, searchParams);
            long t3 = System.nanoTime();
            List<Neighbour> merged = Suggester.merge(found, k);
            ListingSuggestion suggestion = suggester.suggest(merged, pool.manifest().calibrationOrNone());
            long t4 = System.nanoTime();
            return new Result(suggestion, merged, query.colour(), embedder.info(), pool.manifest(),
                    pool.overlay().through(),
                    new Timings(query.decodeMs(), query.embedMs(), ms(t3 - t2), ms(t4 - t3), ms(t4 - t0)));
        } finally {
            pools.release(pool);
        }
    }

    /** One page of a search: what was found, how many listings passed the filter, and whether it had to widen. */
    public record Found(List<Neighbour> neighbours, long matching, boolean widened, Manifest pool, double searchMs) {
    }

    /**
     * The {@code k} listings most like the query that pass {@code filter} (several queries: each listing's best
     * similarity), with the pool version that answered.
     */
    public Found search(float[][] queries, int k, ListingFilter filter, PoolManager pools) {
        long t0 = System.nanoTime();
        Pool pool = pools.acquire();
        try {
            Pool.Found found = pool.search(queries, k, searchParams, filter);
            List<Neighbour> merged = Suggester.merge(found.rows(), k);
            return new Found(merged, found.matching(), found.widened(), pool.manifest(), ms(System.nanoTime() - t0));
        } finally {
            pools.release(pool);
        }
    }

    /** The memory budget the pipeline's decodes are admitted against. */
    public DecodeBudget decodeBudget() {
        return decoder.budget();
    }

    public ModelInfo model() {
        return embedder.info();
    }

    /** The normalised mean of unit vectors. */
    static float[] mean(float[][] rows) {
        float[] sum = new float[rows[0].length];
        for (float[] row : rows) {
            for (int i = 0; i < sum.length; i++) {
                sum[i] += row[i];
            }
        }
        double norm = 0;
        for (float v : sum) {
            norm += v * v;
        }
        float scale = norm > 0 ? (float) (1 / Math.sqrt(norm)) : 0f;
        for (int i = 0; i < sum.length; i++) {
            sum[i] *= scale;
        }
        return sum;
    }

    private static double ms(long nanos) {
        return Math.round(nanos / 1e4) / 100.0;
    }
}
