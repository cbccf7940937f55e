package com.listinglens.api;

import com.listinglens.app.LensService;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

/**
 * Down once loading has failed for good (a model or pool that cannot be served, or a store still unreachable after
 * lens.storage.model-attempts), so that the orchestrator restarts the pod instead of leaving it unready forever. Up
 * while loading or retrying: slow loading is the startup probe's business.
 */
@Liveness
@ApplicationScoped
public class LivenessCheck implements HealthCheck {

    private final LensService service;

    public LivenessCheck(LensService service) {
        this.service = service;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("loading")
                .status(service.state() != LensService.State.FAILED)
                .withData("state", service.state().name().toLowerCase());
        if (service.state() == LensService.State.FAILED && service.failure() != null) {
            b.withData("failure", service.failure());
        }
        return b.build();
    }
}
