package com.listinglens.api;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;
import org.jboss.logging.MDC;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * A request id for every HTTP request (the API, health, metrics, OpenAPI): the caller's {@value #HEADER} when it is a
 * plausible id (1 to 64 letters, digits and {@code . _ : -}), else a new random one. It is echoed in the response's
 * {@value #HEADER}, error responses included, and is in the MDC as {@value #MDC_KEY} while a REST request runs, so
 * every log line it causes carries it (JSON logs put it under "mdc").
 */
@ApplicationScoped
public class RequestIds {

    public static final String HEADER = "X-Request-Id";
    public static final String MDC_KEY = "requestId";
    private static final String KEY = RequestIds.class.getName();
    private static final Pattern PLAUSIBLE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Before the other HTTP filters (CORS, ...), so that every response gets the header. */
    private static final int PRIORITY = 1000;

    void register(@Observes Filters filters) {
        filters.register(rc -> {
            String id = of(rc.request().getHeader(HEADER));
            rc.put(KEY, id);
            rc.response().putHeader(HEADER, id);
            rc.next();
        }, PRIORITY);
    }

    /** Into the MDC of the thread that runs the resource (a worker thread for the blocking photo endpoints). */
    @ServerRequestFilter
    public void intoMdc(RoutingContext rc) {
        Object id = rc.get(KEY);
        if (id != null) {
            MDC.put(MDC_KEY, id);
        }
    }

    @ServerResponseFilter
    public void outOfMdc() {
        MDC.remove(MDC_KEY);
    }

    /** {@code given} when plausible, else a new 16-byte random hex id. */
    static String of(String given) {
        if (given != null && PLAUSIBLE.matcher(given).matches()) {
            return given;
        }
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
