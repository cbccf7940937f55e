package com.listinglens.app;

import com.listinglens.config.LensConfig;
import com.listinglens.embedding.Embedder;
import com.listinglens.image.ColourNamer;
import com.listinglens.image.ImageDecoder;
import com.listinglens.image.Preprocessor;
import com.listinglens.pipeline.SuggestPipeline;
import com.listinglens.pool.Pool;
import com.listinglens.pool.PoolManager;
import com.listinglens.suggest.Suggester;
import com.listinglens.embedding.ModelSettings;
import com.listinglens.image.ImageSettings;
import com.listinglens.suggest.SuggestSettings;
import com.listinglens.suggest.WeightClasses;
import com.listinglens.vector.Metric;
import com.listinglens.vector.SearchParams;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Turns the configuration into the settings records of the plain-Java parts. */
public final class Settings {

    private Settings() {
    }

    public static ImageSettings image(LensConfig.Image c) {
        return new ImageSettings(c.resizeShorter(), c.cropSize(), floats(c.mean()), floats(c.std()),
                c.maxBytes(), c.maxPixels(), c.maxSide());
    }

    /** Model settings for a precision ("int8" or "fp32"): the file is picked by precision. */
    public static ModelSettings model(LensConfig.Model c, String precision) {
        String p = precision.toLowerCase(Locale.ROOT);
        Path path = switch (p) {
            case "int8" -> c.int8Path();
            case "fp32", "fp16" -> c.fp32Path();
            default -> throw new IllegalArgumentException("unknown model precision '" + precision + "' (int8, fp32)");
        };
        return new ModelSettings(c.name(), path, p, c.device(), c.dimension(), c.batchSize(), c.predictors(), c.threads());
    }

    public static SuggestSettings suggest(LensConfig.Suggest c) {
        return new SuggestSettings(c.temperature(), c.categoryVote(), c.minCategoryConfidence(), c.minConfidence(), c.minSupport(),
                new WeightClasses(c.weightClassesGrams()), c.priceLowQuantile(), c.priceHighQuantile(),
                c.minPriceNeighbours(), c.neighboursShown(), c.currency().orElse(null));
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

    /** The suggestion pipeline over a loaded model and pool manager, as configured. */
    public static SuggestPipeline pipeline(LensConfig config, Embedder embedder, PoolManager pools) {
        ImageSettings image = image(config.image());
        return new SuggestPipeline(new ImageDecoder(image), new Preprocessor(image), new ColourNamer(), embedder, pools,
                new Suggester(suggest(config.suggest())), config.search().k(), search(config.search()),
                config.suggest().fusion());
    }

    /** Opens the configured pool, checked against the model that will query it. */
    public static Pool openPool(LensConfig config, Path dir, Embedder embedder) {
        return Pool.open(dir, new Pool.OpenOptions(config.pool().memoryMap(), config.pool().verifyChecksums(),
                config.model().space(), embedder.dimension()));
    }

    private static float[] floats(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }
}
