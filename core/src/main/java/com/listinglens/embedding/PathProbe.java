package com.listinglens.embedding;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Measures the inference paths this CPU can serve a model on, for {@link PathChoice}: fp32 first (the reference), then
 * each int8 file (the model's own, and its 7-bit-activation variant where there is one) on every quantized engine the
 * loaded libtorch supports. Each path is loaded on its own (one predictor,
 * the configured batch size and thread count), embeds the probe photos (their views, as the service computes them),
 * whose embeddings are compared with fp32's, and is then timed embedding them again in the same batches of
 * {@code batch} photos on one thread for {@code timePerPath}. Paths are measured one after another because libtorch's quantized engine is
 * process-wide and int8 weights are packed for the engine active when the model loads.
 *
 * <pre>{@code
 * PathProbe.Result r = PathProbe.run(fp32Settings, int8Settings, tensors, views, new PathProbe.Settings(
 *         Duration.ofSeconds(1), 2, 0.98, 0.7, 10), log::info);
 * ModelSettings serve = r.choice().chosen().path().settings(r.choice().chosen().path().isInt8() ? int8Settings : fp32Settings);
 * }</pre>
 */
public final class PathProbe {

    private static final System.Logger LOG = System.getLogger(PathProbe.class.getName());

    /**
     * @param timePerPath how long each path is timed (after one unmeasured pass over the probe photos)
     * @param batch photos per model call while timing (the micro-batcher's largest batch)
     * @param minMeanCosine least mean cosine to fp32 for an int8 path
     * @param minNeighbourOverlap least top-k overlap of the probe photos' nearest other photos
     * @param k neighbours compared per photo (at most photos - 1)
     */
    public record Settings(Duration timePerPath, int batch, double minMeanCosine, double minNeighbourOverlap, int k) {
        public Settings {
            Objects.requireNonNull(timePerPath, "timePerPath");
            if (timePerPath.isNegative() || batch < 1 || k < 1) {
                throw new IllegalArgumentException("need timePerPath >= 0, batch >= 1 and k >= 1");
            }
        }
    }

    /** The choice, and how long the probe took. */
    public record Result(PathChoice choice, double seconds, int photos, int views) {
    }

    private PathProbe() {
    }

    /**
     * @param fp32 settings of the fp32 model (the reference; always measured)
     * @param int8 settings of the int8 model, or null when there is none (then fp32 is the only path)
     * @param engines the quantized engines to try int8 on; empty: every engine the loaded libtorch supports
     * @param tensors the probe photos' views, photo after photo ({@code views} tensors each, as {@link Embedder#embedViews})
     * @param progress told each path's figures as they come (may be a no-op)
     */
    public static Result run(ModelSettings fp32, ModelSettings int8, List<QuantizedEngine.Kind> engines, List<float[]> tensors,
                             int views, Settings settings, Consumer<String> progress) {
        Map<String, ModelSettings> int8Files = new LinkedHashMap<>();
        if (int8 != null) {
            int8Files.put("", int8);
        }
        return run(fp32, int8Files, engines, tensors, views, settings, progress);
    }

    /**
     * As {@link #run(ModelSettings, ModelSettings, List, List, int, Settings, Consumer)}, with several int8 files:
     * variant ("" for the model's own int8 file, {@link InferencePath#REDUCED_RANGE} for the one with 7-bit activations)
     * to its settings; each is tried on every engine.
     */
    public static Result run(ModelSettings fp32, Map<String, ModelSettings> int8Files, List<QuantizedEngine.Kind> engines,
                             List<float[]> tensors, int views, Settings settings, Consumer<String> progress) {
        Objects.requireNonNull(fp32, "fp32");
        if (views < 1 || tensors.isEmpty() || tensors.size() % views != 0) {
            throw new IllegalArgumentException(tensors.size() + " probe tensors are not " + views + " views of whole photos");
        }
        int photos = tensors.size() / views;
        if (photos < 2) {
            throw new IllegalArgumentException("the probe needs at least 2 photos, got " + photos);
        }
        int k = Math.min(settings.k(), photos - 1);
        long t0 = System.nanoTime();
        List<PathChoice.Trial> trials = new ArrayList<>();
        float[][] reference;
        try (DjlEmbedder model = new DjlEmbedder(probing(fp32))) {
            reference = embed(model, tensors, views, settings);
            double speed = time(model, tensors, views, settings);
            trials.add(new PathChoice.Trial(InferencePath.FP32, speed, 1, 1, 1, null));
            progress.accept(InferencePath.FP32.label() + ": " + trials.getLast().figures());
        }
        if (!int8Files.isEmpty()) {
            Optional<QuantizedEngine> qe = QuantizedEngine.loaded();
            Optional<QuantizedEngine.Kind> before = qe.map(QuantizedEngine::current);
            try {
                for (var file : int8Files.entrySet()) {
                    tryInt8(file.getKey(), file.getValue(), engines, tensors, views, settings, reference, k, trials, progress);
                }
            } finally {
                before.filter(b -> b != QuantizedEngine.Kind.NONE).ifPresent(b -> qe.get().use(b)); // process-wide: as it was
            }
        }
        PathChoice choice = PathChoice.choose(trials, settings.minMeanCosine(), settings.minNeighbourOverlap());
        return new Result(choice, (System.nanoTime() - t0) / 1e9, photos, views);
    }

    private static void tryInt8(String variant, ModelSettings int8, List<QuantizedEngine.Kind> engines, List<float[]> tensors, int views,
                                Settings settings, float[][] reference, int k, List<PathChoice.Trial> trials, Consumer<String> progress) {
        List<QuantizedEngine.Kind> tryOn = engines.isEmpty() ? supportedEngines() : engines;
        for (QuantizedEngine.Kind engine : tryOn) {
            InferencePath path = InferencePath.int8(variant, engine);
            PathChoice.Trial trial;
            try (DjlEmbedder model = new DjlEmbedder(probing(path.settings(int8)))) {
                float[][] candidate = embed(model, tensors, views, settings);
                VariantCheck.Result agreement = VariantCheck.compare(reference, candidate, k);
                double speed = time(model, tensors, views, settings);
                trial = new PathChoice.Trial(path, speed, agreement.meanCosine(), agreement.minCosine(),
                        agreement.neighbourOverlap(), null);
            } catch (RuntimeException e) {
                LOG.log(Level.DEBUG, "inference path " + path.label() + " failed", e);
                trial = PathChoice.Trial.failed(path, e.getMessage());
            }
            trials.add(trial);
            progress.accept(path.label() + ": " + trial.figures());
        }
    }

    /** The quantized engines of the libtorch loaded in this process (x86 CPUs: fbgemm, qnnpack, x86, onednn). */
    public static List<QuantizedEngine.Kind> supportedEngines() {
        return QuantizedEngine.loaded().map(QuantizedEngine::supported).orElse(List.of()).stream()
                .filter(k -> k != QuantizedEngine.Kind.NONE).toList();
    }

    private static ModelSettings probing(ModelSettings s) {
        return s.withBatch(s.batchSize(), 1);
    }

    /**
     * The probe photos' embeddings, embedded in batches of {@code settings.batch()} photos as the timing then runs
     * them: this pass is also the unmeasured one before the timing.
     */
    private static float[][] embed(Embedder model, List<float[]> tensors, int views, Settings settings) {
        int photos = tensors.size() / views;
        int batch = Math.min(settings.batch(), photos);
        float[][] out = new float[photos][];
        for (int at = 0; at < photos; at += batch) {
            int n = Math.min(batch, photos - at);
            System.arraycopy(model.embedViews(tensors.subList(at * views, (at + n) * views), views), 0, out, at, n);
        }
        return out;
    }

    /** Photos per second embedding the probe in batches of {@code settings.batch()} photos (after {@link #embed}). */
    private static double time(Embedder model, List<float[]> tensors, int views, Settings settings) {
        int photos = tensors.size() / views;
        int batch = Math.min(settings.batch(), photos);
        long budget = settings.timePerPath().toNanos();
        long start = System.nanoTime();
        long done = 0;
        int at = 0;
        do {
            int n = Math.min(batch, photos - at);
            model.embedViews(tensors.subList(at * views, (at + n) * views), views);
            done += n;
            at = at + n >= photos ? 0 : at + n;
        } while (System.nanoTime() - start < budget);
        return done / ((System.nanoTime() - start) / 1e9);
    }

    /** The trials as one log line each. */
    public static String describe(Result r) {
        return String.format(Locale.ROOT, "inference paths measured on %d photos x %d views in %.1f s: %s; serving %s",
                r.photos(), r.views(), r.seconds(), r.choice().summary(), r.choice().reason());
    }
}
