package com.listinglens.api;

import com.listinglens.config.LensConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Admission control in front of everything the API does with a request body: at most
 * {@code lens.request.max-in-flight} POSTs to {@code /v1/} are admitted at once (uploading, queued for a worker
 * thread, decoding, waiting for the model, ...); one more is answered 503 {@code overloaded} with Retry-After at
 * once, before its body is read. With the model's own bounded queue this keeps every queue in the service bounded,
 * whatever the load. 0 turns it off.
 */
@ApplicationScoped
public class Admission {

    /** After the request id filter (which runs first so that refusals carry an id too). */
    private static final int PRIORITY = 900;

    private final InFlightLimit inFlight;
    private final long retryAfterSeconds;
    private final Counter refused;

    public Admission(LensConfig config, MeterRegistry registry) {
        this.inFlight = new InFlightLimit(config.request().maxInFlight());
        this.retryAfterSeconds = config.request().retryAfterSeconds();
        this.refused = registry.counter("lens.problems", "type", "overloaded", "status", "503");
        Gauge.builder("lens.requests.in-flight", inFlight, InFlightLimit::current)
                .description("POST requests to /v1/ being handled").register(registry);
    }

    void register(@Observes Filters filters) {
        filters.register(this::admit, PRIORITY);
    }

    private void admit(RoutingContext rc) {
        // the normalised path: routing resolves "/./v1/suggestions" and "/v1//suggestions" to the API too
        if (rc.request().method() != HttpMethod.POST || !rc.normalizedPath().startsWith("/v1/")) {
            rc.next();
            return;
        }
        if (!inFlight.enter(rc)) {
            refused.increment();
            Problem.of("overloaded", "Overloaded", 503, "the service is handling " + inFlight.limit()
                    + " requests already (lens.request.max-in-flight); try again in " + retryAfterSeconds + " s",
                    rc.normalizedPath()).send(rc, "Retry-After", Long.toString(retryAfterSeconds));
            return;
        }
        rc.next();
    }

    /** Requests being handled now (for tests and the gauge). */
    int inFlight() {
        return inFlight.current();
    }
}
