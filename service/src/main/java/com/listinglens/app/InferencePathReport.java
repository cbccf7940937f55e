package com.listinglens.app;

import com.listinglens.embedding.PathChoice;
import com.listinglens.embedding.PathProbe;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;

/**
 * Which inference path the service runs and why, for health, {@code /v1/status} and the metrics.
 *
 * @param path the path served, e.g. "int8/fbgemm" or "fp32"
 * @param how "measured" (lens.model.path=auto), "pinned" (a path label) or "configured"
 * @param reason why, in words
 * @param probe the start-up measurement, or null when nothing was measured
 */
public record InferencePathReport(String path, String how, String reason, PathProbe.Result probe) {

    /**
     * One measured path.
     *
     * @param path its label
     * @param photosPerSecond photos (all views) per second on one thread at the service's batch size
     * @param meanCosine mean cosine of its embeddings to fp32's on the probe photos
     * @param minCosine the lowest
     * @param neighbourOverlap agreement of the probe photos' nearest neighbours with fp32's
     * @param verdict "served", "qualified" or "refused: why"
     */
    public record Trial(String path, Double photosPerSecond, Double meanCosine, Double minCosine, Double neighbourOverlap,
                        String verdict) {
    }

    /** The measured paths, fastest first (empty when nothing was measured). */
    public List<Trial> trials() {
        List<Trial> out = new ArrayList<>();
        if (probe == null) {
            return out;
        }
        for (PathChoice.Verdict v : probe.choice().trials()) {
            PathChoice.Trial t = v.trial();
            String verdict = t == probe.choice().chosen() ? "served" : v.qualified() ? "qualified" : "refused: " + v.refusal();
            out.add(new Trial(t.path().label(), round(t.photosPerSecond(), 10), round(t.meanCosine(), 10000), round(t.minCosine(), 10000),
                    round(t.neighbourOverlap(), 1000), verdict));
        }
        return out;
    }

    /** Seconds the measurement took, or null. */
    public Double probeSeconds() {
        return probe == null ? null : round(probe.seconds(), 10);
    }

    /** Gauges per measured path: lens.model.path.throughput and lens.model.path.cosine (tags path, served). */
    void register(MeterRegistry registry) {
        if (probe == null) {
            return;
        }
        for (PathChoice.Verdict v : probe.choice().trials()) {
            PathChoice.Trial t = v.trial();
            String served = String.valueOf(t == probe.choice().chosen());
            Gauge.builder("lens.model.path.throughput", t, PathChoice.Trial::photosPerSecond)
                    .description("photos per second this inference path embedded at start (one thread, the service's batch size)")
                    .tags("path", t.path().label(), "served", served).register(registry);
            Gauge.builder("lens.model.path.cosine", t, PathChoice.Trial::meanCosine)
                    .description("mean cosine of this inference path's embeddings to fp32's on the probe photos")
                    .tags("path", t.path().label(), "served", served).register(registry);
        }
    }

    private static Double round(double v, double scale) {
        return Double.isNaN(v) ? null : Math.round(v * scale) / scale;
    }
}
