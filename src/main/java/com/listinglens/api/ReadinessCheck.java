package com.listinglens.api;

import com.listinglens.app.LensService;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready only once the model and the pool are loaded. */
@Readiness
@ApplicationScoped
public class ReadinessCheck implements HealthCheck {

    private final LensService service;

    public ReadinessCheck(LensService service) {
        this.service = service;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("model-and-pool")
                .status(service.state() == LensService.State.READY)
                .withData("state", service.state().name().toLowerCase());
        if (service.failure() != null) {
            b.withData("failure", service.failure());
        }
        if (service.embedder() != null) {
            b.withData("model", service.embedder().info().name() + " " + service.embedder().info().precision());
        }
        if (service.lastRefusal() != null) {
            b.withData("lastRefusedPool", service.lastRefusal());
        }
        service.pools().manifest().ifPresent(m -> b.withData("pool", m.poolVersion()).withData("listings", m.listingCount()));
        return b.build();
    }
}
