package com.listinglens.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * What only operators see, on the management port ({@code quarkus.management.port}, 9000; the chart's Service does not
 * expose it): beside Quarkus's own {@code /q/health} and {@code /q/metrics},
 * <ul>
 *   <li>{@code GET /v1/status}: {@link StatusReport} as JSON (model, inference path, tenants and their pools, cache,
 *       recent latency);</li>
 *   <li>{@code GET /status}: the status page that renders it ({@code management/status.html} and {@code status.js},
 *       with the public page's {@code dom.js} helpers and {@code lens.css} style).</li>
 * </ul>
 * The public port answers none of these: they name tenants, versions and the machine's paths.
 */
@ApplicationScoped
public class ManagementRoutes {

    private final StatusReport status;
    private final ObjectMapper json;

    public ManagementRoutes(StatusReport status, ObjectMapper json) {
        this.status = status;
        this.json = json;
    }

    void register(@Observes ManagementInterface management) {
        var router = management.router();
        router.get("/v1/status").blockingHandler(this::status, false);
        Buffer page = resource("management/status.html");
        Buffer script = resource("management/status.js");
        Buffer dom = resource("META-INF/resources/dom.js");
        Buffer style = resource("META-INF/resources/lens.css");
        router.get("/status").handler(rc -> send(rc, "text/html; charset=utf-8", page));
        router.get("/status.js").handler(rc -> send(rc, "text/javascript; charset=utf-8", script));
        router.get("/dom.js").handler(rc -> send(rc, "text/javascript; charset=utf-8", dom));
        router.get("/lens.css").handler(rc -> send(rc, "text/css; charset=utf-8", style));
    }

    private void status(RoutingContext rc) {
        try {
            send(rc, "application/json", Buffer.buffer(json.writeValueAsBytes(status.status())));
        } catch (IOException | RuntimeException e) {
            Problem.of("status-unavailable", "Status unavailable", 500, e.getMessage(), "/v1/status").send(rc);
        }
    }

    private static void send(RoutingContext rc, String type, Buffer body) {
        rc.response().putHeader("Content-Type", type).putHeader("Cache-Control", "no-store").end(body);
    }

    private static Buffer resource(String name) {
        try (InputStream in = ManagementRoutes.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " is missing from the service's jar");
            }
            return Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
