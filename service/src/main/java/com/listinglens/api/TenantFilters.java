package com.listinglens.api;

import com.listinglens.app.LensService;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.lang.reflect.Method;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * One request path for every operation of a tenant ({@link TenantScoped}), in two JAX-RS filters:
 * <ol>
 * <li>before matching, {@code /v1/tenants/{tenant}/<rest>} is mapped onto {@code /v1/<rest>} (the query kept), the
 *     tenant noted: both forms reach the one method that declares the operation. The request's own path is left as
 *     it came (problems name it as their instance; the router filters saw it);</li>
 * <li>once matched, before the body is read, the tenant is resolved once ({@link LensService#scope}: the path's, else
 *     the {@value RequestTenant#HEADER} header's, else lens.default-tenant; 400 {@code no-tenant}, 503
 *     {@code not-ready} for an operation that runs the model, 404 {@code unknown-tenant}) into {@link RequestTenant}.</li>
 * </ol>
 */
public class TenantFilters {

    static final String PREFIX = "/v1/tenants/";

    /** The first path segments under /v1/ of the tenant's operations: only these are mapped from the tenant paths. */
    static final Set<String> ROOTS = Set.of("suggestions", "search");

    /** The request property holding the tenant named in the path (decoded). */
    private static final String PATH_TENANT = TenantFilters.class.getName() + ".pathTenant";

    /** After {@link RequestIds#intoMdc}, so that a refusal's log lines carry the request id. */
    private static final int PRIORITY = Priorities.USER + 100;

    private final LensService service;
    private final RequestTenant tenant;

    public TenantFilters(LensService service, RequestTenant tenant) {
        this.service = service;
        this.tenant = tenant;
    }

    /** A tenant path mapped: the tenant named (decoded) and the operation's own path (raw, as it came). */
    record Mapped(String tenant, String path) {
    }

    /** {@code /v1/tenants/{tenant}/<rest>} with {@code <rest>} under one of {@link #ROOTS}, mapped; null otherwise. */
    static Mapped map(String normalisedPath) {
        if (normalisedPath == null || !normalisedPath.startsWith(PREFIX)) {
            return null;
        }
        int slash = normalisedPath.indexOf('/', PREFIX.length());
        if (slash <= PREFIX.length()) {
            return null;
        }
        String rest = normalisedPath.substring(slash + 1);
        int end = rest.indexOf('/');
        if (!ROOTS.contains(end < 0 ? rest : rest.substring(0, end))) {
            return null;
        }
        String name;
        try {
            // as a path parameter is decoded: %XX sequences, and a '+' stays a '+'
            name = URLDecoder.decode(normalisedPath.substring(PREFIX.length(), slash).replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        return new Mapped(name, "/v1/" + rest);
    }

    @ServerRequestFilter(preMatching = true)
    public void mapTenantPath(ContainerRequestContext request, RoutingContext rc) {
        Mapped mapped = map(rc.normalizedPath());
        if (mapped == null) {
            return;
        }
        String query = rc.request().query();
        URI uri;
        try {
            uri = URI.create(query == null ? mapped.path() : mapped.path() + "?" + query);
        } catch (IllegalArgumentException e) {
            return; // not a path JAX-RS could match either
        }
        request.setProperty(PATH_TENANT, mapped.tenant());
        request.setRequestUri(uri);
    }

    @ServerRequestFilter(priority = PRIORITY)
    public void resolveTenant(ContainerRequestContext request, ResourceInfo resource) {
        Method method = resource.getResourceMethod();
        if (method == null) {
            return;
        }
        TenantScoped scoped = method.getAnnotation(TenantScoped.class);
        Object pathTenant = request.getProperty(PATH_TENANT);
        if (scoped == null) {
            if (pathTenant != null) {
                // mapped from a tenant path onto an operation that takes no tenant (TenantFiltersTest keeps ROOTS to
                // the tenant's operations): no such route
                throw new NotFoundException();
            }
            return;
        }
        // the first header of that name, as @HeaderParam would read it
        String named = pathTenant != null ? (String) pathTenant : request.getHeaders().getFirst(RequestTenant.HEADER);
        tenant.set(service.scope(named, scoped.model()));
    }
}
