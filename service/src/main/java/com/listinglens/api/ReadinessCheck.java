package com.listinglens.api;

import com.listinglens.live.LiveSync;

import com.listinglens.app.LensService;
import com.listinglens.app.PoolSync;
import com.listinglens.app.TenantPool;
import java.time.Instant;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only once the model and every tenant's pool are loaded. Per tenant it reports the pool served, its size,
 * whether it is "fresh" or "stale" (the store's pointer not read for longer than lens.storage.stale-after; serving
 * goes on), the last store error and the last refused version with its reason.
 */
@Readiness
@ApplicationScoped
public class ReadinessCheck implements HealthCheck {

    private final LensService service;

    public ReadinessCheck(LensService service) {
        this.service = service;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("model-and-pools")
                .status(service.state() == LensService.State.READY)
                .withData("state", service.state().name().toLowerCase());
        if (service.failure() != null) {
            b.withData("failure", service.failure());
        }
        if (service.embedder() != null) {
            b.withData("model", service.embedder().info().name() + " " + service.embedder().info().precision()
                    + (service.modelVersion() == null ? "" : " " + service.modelVersion()));
        }
        if (service.inferencePath() != null) {
            b.withData("inferencePath", service.inferencePath().path() + " (" + service.inferencePath().how() + ")");
            b.withData("inferencePathReason", service.inferencePath().reason());
        }
        PoolSync sync = service.sync();
        if (sync != null) {
            b.withData("store", sync.store());
            Instant now = sync.now();
            for (TenantPool t : sync.tenants()) {
                String p = "tenant." + t.tenant() + ".";
                t.serving().ifPresent(m -> b.withData(p + "pool", m.poolVersion()).withData(p + "listings", m.listingCount()));
                b.withData(p + "sync", t.stale(now, sync.staleAfter()) ? "stale" : "fresh");
                sync.pinned(t.tenant()).ifPresent(v -> b.withData(p + "pinned", v));
                if (t.lastSync() != null) {
                    b.withData(p + "lastSync", t.lastSync().toString());
                }
                if (t.storeError() != null) {
                    b.withData(p + "storeError", t.storeErrorAt() + ": " + t.storeError());
                }
                TenantPool.Refusal r = t.refusal();
                if (r != null) {
                    b.withData(p + "refused", r.version() + " (" + r.reason() + ") at " + r.at() + ": " + r.message());
                }
                service.live().filter(l -> t.pools().isLoaded()).ifPresent(l -> {
                    LiveSync.State s = l.state(t.tenant());
                    b.withData(p + "live", s.summary());
                    if (s.error() != null) {
                        b.withData(p + "liveError", s.errorAt() + ": " + s.error());
                    }
                });
            }
        }
        return b.build();
    }
}
