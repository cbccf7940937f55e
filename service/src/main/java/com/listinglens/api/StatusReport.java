package com.listinglens.api;

import com.listinglens.app.InferencePathReport;
import com.listinglens.app.LensService;
import com.listinglens.app.PoolSync;
import com.listinglens.app.TenantPool;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the service is serving now, for operators (the status page) rather than for Prometheus: model, each tenant's
 * pool and live changes, the answer cache's hit rate and recent latency percentiles (Micrometer's decaying window,
 * about the last two minutes). It names tenants, versions and the inference path, so it is served on the management
 * port only ({@link ManagementRoutes}: {@code GET /v1/status} there), never on the public one.
 */
@ApplicationScoped
public class StatusReport {

    private final LensService service;
    private final MeterRegistry registry;

    public StatusReport(LensService service, MeterRegistry registry) {
        this.service = service;
        this.registry = registry;
    }

    /**
     * The model served. {@code path} is how it runs on this CPU (e.g. int8/fbgemm), {@code pathChosen} how that was
     * decided (measured, pinned, configured), {@code pathReason} why, {@code paths} what each path measured at start;
     * {@code views} the crop sizes each photo is embedded at (the model version's own, from its manifest).
     */
    public record Model(String name, String version, String space, List<Integer> views, String precision, String device, String sha256, String path,
                        String pathChosen, String pathReason, Double pathProbeSeconds, List<InferencePathReport.Trial> paths) {
    }

    public record Tenant(String tenant, String poolVersion, Long listings, Instant builtAt, String indexFactory, String sync,
                         String live, String refused) {
    }

    public record Cache(double hits, double misses, double overtaken, double errors, Double hitRate) {
    }

    /** Latency of one measured step: requests counted since start, percentiles over the recent window. */
    public record Latency(String name, long count, Map<String, Double> recentMs) {
    }

    public record Status(String state, String failure, Model model, List<Tenant> tenants, Cache cache, List<Latency> latency) {
    }

    /** Model and pool versions per tenant, pool sizes, live changes, answer-cache hit rate and recent latency percentiles. */
    public Status status() {
        Model model = null;
        if (service.embedder() != null) {
            var info = service.embedder().info();
            InferencePathReport p = service.inferencePath();
            model = new Model(info.name(), service.modelVersion(), service.modelSpace(), service.modelViews(), info.precision(), info.device(), info.sha256(),
                    p == null ? null : p.path(), p == null ? null : p.how(), p == null ? null : p.reason(),
                    p == null ? null : p.probeSeconds(), p == null ? List.of() : p.trials());
        }
        List<Tenant> tenants = new ArrayList<>();
        PoolSync sync = service.sync();
        if (sync != null) {
            Instant now = sync.now();
            for (TenantPool t : sync.tenants()) {
                var m = t.serving().orElse(null);
                String live = service.live().filter(l -> t.pools().isLoaded()).map(l -> l.state(t.tenant()).summary()).orElse(null);
                TenantPool.Refusal r = t.refusal();
                tenants.add(new Tenant(t.tenant(), m == null ? null : m.poolVersion(), m == null ? null : m.listingCount(),
                        m == null ? null : m.builtAt(), m == null ? null : m.indexFactory(),
                        t.stale(now, sync.staleAfter()) ? "stale" : "fresh", live,
                        r == null ? null : r.version() + " (" + r.reason() + ")"));
            }
        }
        double hits = count("hit");
        double misses = count("miss");
        Cache cache = new Cache(hits, misses, count("overtaken"), count("error"),
                hits + misses == 0 ? null : Math.round(hits / (hits + misses) * 1000) / 1000.0);
        List<Latency> latency = new ArrayList<>();
        for (String stage : List.of("total", "decode", "embed", "search")) {
            Timer timer = registry.find("lens.suggest.stage").tag("stage", stage).timer();
            if (timer != null) {
                latency.add(latency("suggestion " + stage, timer));
            }
        }
        Timer search = registry.find("lens.search.pool").timer();
        if (search != null) {
            latency.add(latency("image search (pool)", search));
        }
        return new Status(service.state().name().toLowerCase(), service.failure(), model, tenants, cache, latency);
    }

    private double count(String result) {
        Counter c = registry.find("lens.cache.requests").tag("result", result).counter();
        return c == null ? 0 : c.count();
    }

    private static Latency latency(String name, Timer timer) {
        HistogramSnapshot snapshot = timer.takeSnapshot();
        Map<String, Double> ms = new LinkedHashMap<>();
        for (ValueAtPercentile p : snapshot.percentileValues()) {
            ms.put("p" + Math.round(p.percentile() * 100), Math.round(p.value(TimeUnit.MILLISECONDS) * 100) / 100.0);
        }
        return new Latency(name, snapshot.count(), ms);
    }
}
