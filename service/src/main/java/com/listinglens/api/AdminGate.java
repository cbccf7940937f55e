package com.listinglens.api;

import com.listinglens.config.LensConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The door of /admin/*, on the router ahead of any body handling, on the normalised path: the bearer token is checked
 * first ({@link AdminAccess}: 401 with its problem and {@code Connection: close}, so an unauthenticated body is never
 * read); then a Content-Length over lens.admin.max-body-bytes is 413, and more than lens.admin.max-in-flight admin
 * requests at once 503 with Retry-After, both unread. The resources behind it do not check tokens again.
 */
@ApplicationScoped
public class AdminGate {

    /** After the request id filter (1000), before admission (900). */
    private static final int PRIORITY = 950;

    private final AdminAccess access;
    private final long maxBody;
    private final long retryAfterSeconds;
    private final InFlightLimit inFlight;
    private final Counter unauthorized;

    public AdminGate(LensConfig config, MeterRegistry registry) {
        this.access = new AdminAccess(config.admin().token(), config.admin().tenantTokens());
        this.inFlight = new InFlightLimit(config.admin().maxInFlight());
        this.maxBody = config.admin().maxBodyBytes();
        this.retryAfterSeconds = config.request().retryAfterSeconds();
        this.unauthorized = registry.counter("lens.problems", "type", "unauthorized", "status", "401");
    }

    void register(@Observes Filters filters) {
        filters.register(this::filter, PRIORITY);
    }

    private void filter(RoutingContext rc) {
        String path = rc.normalizedPath();
        if (!path.equals("/admin") && !path.startsWith("/admin/")) {
            rc.next();
            return;
        }
        String why = access.check(path, rc.request().getHeader("Authorization"));
        if (why != null) {
            unauthorized.increment();
            Problem.of("unauthorized", "Unauthorized", 401, why, path).send(rc, "WWW-Authenticate", "Bearer realm=\"listing-lens-admin\"");
            return;
        }
        String length = rc.request().getHeader("Content-Length");
        if (length != null) {
            long n;
            try {
                n = Long.parseLong(length.strip());
            } catch (NumberFormatException e) {
                n = Long.MAX_VALUE;
            }
            if (n > maxBody) {
                Problem.of("request-too-large", "Request too large", 413, "the body is " + length
                        + " bytes; admin requests may send at most " + maxBody + " (lens.admin.max-body-bytes)", path).send(rc);
                return;
            }
        }
        if (!inFlight.enter(rc)) {
            Problem.of("overloaded", "Overloaded", 503, "the service is handling " + inFlight.limit()
                    + " admin requests already (lens.admin.max-in-flight); try again in " + retryAfterSeconds + " s", path)
                    .send(rc, "Retry-After", Long.toString(retryAfterSeconds));
            return;
        }
        rc.next();
    }

    /** Admin requests being handled now. */
    int inFlight() {
        return inFlight.current();
    }
}
