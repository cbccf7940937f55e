package com.listinglens.pipeline;

import com.listinglens.embedding.Embedder;
import com.listinglens.embedding.ModelInfo;
import com.listinglens.image.ColourNamer;
import com.listinglens.image.DecodedImage;
import com.listinglens.image.ImageDecoder;
import com.listinglens.image.ImageRejectedException;
import com.listinglens.image.NamedColour;
import com.listinglens.image.Preprocessor;
import com.listinglens.pool.Manifest;
import com.listinglens.pool.Neighbour;
import com.listinglens.pool.Pool;
import com.listinglens.pool.PoolManager;
import com.listinglens.suggest.Fusion;
import com.listinglens.suggest.ListingSuggestion;
import com.listinglens.suggest.Suggester;
import com.listinglens.vector.SearchParams;

import java.util.ArrayList;
import java.util.List;

/**
 * The path of an upload: bytes -> image -> tensor -> embedding -> neighbours -> suggestion, timed stage by
 * stage. Plain Java: the REST resource, the evaluator and the benchmarks all run this same code.
 */
public final class SuggestPipeline {

    private final ImageDecoder decoder;
    private final Preprocessor preprocessor;
    private final ColourNamer colourNamer;
    private final Embedder embedder;
    private final Suggester suggester;
    private final int k;
    private final SearchParams searchParams;
    private final Fusion fusion;

    public SuggestPipeline(ImageDecoder decoder, Preprocessor preprocessor, ColourNamer colourNamer, Embedder embedder,
                           Suggester suggester, int k, SearchParams searchParams, Fusion fusion) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1");
        }
        this.decoder = decoder;
        this.preprocessor = preprocessor;
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
                         Manifest pool, Timings timings) {
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
     * Suggestions for one item from one or more photos of it (the first photo gives the colour), from the
     * listings of the pool {@code pools} serves (a tenant's).
     */
    public Result suggest(List<byte[]> photos, PoolManager pools) {
        if (photos.isEmpty()) {
            throw new IllegalArgumentException("at least one photo is required");
        }
        long t0 = System.nanoTime();
        List<float[]> tensors = new ArrayList<>(photos.size());
        NamedColour colour = null;
        for (int i = 0; i < photos.size(); i++) {
            try (DecodedImage image = decoder.decode(photos.get(i), decoder.settings().resizeShorter())) {
                tensors.add(preprocessor.toTensor(image));
                if (i == 0) {
                    colour = colourNamer.dominant(image);
                }
            } catch (ImageRejectedException e) {
                throw new PhotoRejectedException(i, e);
            }
        }
        long t1 = System.nanoTime();
        float[][] embeddings = embedder.embed(tensors);
        long t2 = System.nanoTime();
        Pool pool = pools.acquire();
        try {
            float[][] queries = fusion == Fusion.MEAN && embeddings.length > 1 ? new float[][]{mean(embeddings)} : embeddings;
            List<List<Neighbour>> found = pool.search(queries, k, searchParams);
            long t3 = System.nanoTime();
            List<Neighbour> merged = Suggester.merge(found, k);
            ListingSuggestion suggestion = suggester.suggest(merged);
            long t4 = System.nanoTime();
            return new Result(suggestion, merged, colour, embedder.info(), pool.manifest(),
                    new Timings(ms(t1 - t0), ms(t2 - t1), ms(t3 - t2), ms(t4 - t3), ms(t4 - t0)));
        } finally {
            pools.release(pool);
        }
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
