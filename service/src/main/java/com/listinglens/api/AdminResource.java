package com.listinglens.api;

import com.listinglens.app.LensService;
import com.listinglens.config.LensConfig;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import com.listinglens.app.PoolSync;
import java.util.List;
import java.util.stream.Collectors;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Operators' endpoints, behind a bearer token from configuration ({@code lens.admin.token}). */
@Path("/admin")
public class AdminResource {

    private final LensService service;
    private final LensConfig config;

    public AdminResource(LensService service, LensConfig config) {
        this.service = service;
        this.config = config;
    }

    /** No or wrong bearer token: 401. */
    public static final class UnauthorizedException extends RuntimeException {
        public UnauthorizedException(String message) {
            super(message);
        }
    }

    /** What a reload did, tenant by tenant. */
    public record ReloadResponse(List<PoolSync.Outcome> tenants) {
    }

    @POST
    @Path("/pools/reload")
    @Blocking
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Read every tenant's pointer now and swap in the new pool versions",
            description = "Needs 'Authorization: Bearer <lens.admin.token>'. Versions refused before are tried again. A pool "
                    + "failing its checks is refused (409) and the old one keeps serving; an unreachable store is a 503.")
    @APIResponse(responseCode = "200", description = "Swapped, or already serving")
    @APIResponse(responseCode = "401", description = "No or wrong token", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "Pool refused", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "Store unreachable", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public ReloadResponse reload(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        authorize(authorization);
        return answer(service.reload(null));
    }

    @POST
    @Path("/pools/{tenant}/reload")
    @Blocking
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Read one tenant's pointer now and swap in its new pool version",
            description = "As POST /admin/pools/reload, for one tenant (404 when unknown).")
    @APIResponse(responseCode = "200", description = "Swapped, or already serving")
    @APIResponse(responseCode = "404", description = "Unknown tenant", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public ReloadResponse reloadTenant(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                                       @PathParam("tenant") String tenant) {
        authorize(authorization);
        return answer(service.reload(tenant));
    }

    private static ReloadResponse answer(List<PoolSync.Outcome> outcomes) {
        List<PoolSync.Outcome> refused = outcomes.stream().filter(o -> o.action() == PoolSync.Action.REFUSED).toList();
        if (!refused.isEmpty()) {
            throw new BadRequestProblem("pool-refused", "Pool refused", 409, refused.stream()
                    .map(o -> "tenant " + o.tenant() + ": pool " + o.to() + " refused (" + o.reason() + "), "
                            + o.from() + " keeps serving: " + o.message())
                    .collect(Collectors.joining("; ")));
        }
        List<PoolSync.Outcome> down = outcomes.stream().filter(o -> o.action() == PoolSync.Action.UNAVAILABLE).toList();
        if (!down.isEmpty()) {
            throw new BadRequestProblem("store-unavailable", "Store unavailable", 503, down.stream()
                    .map(o -> "tenant " + o.tenant() + ": " + o.message() + "; " + o.from() + " keeps serving")
                    .collect(Collectors.joining("; ")));
        }
        return new ReloadResponse(outcomes);
    }

    private void authorize(String authorization) {
        authorize(config, authorization);
    }

    /** Refuses (401) a request without the configured admin bearer token; constant-time comparison. */
    static void authorize(LensConfig config, String authorization) {
        String token = config.admin().token().filter(t -> !t.isBlank()).orElseThrow(() ->
                new UnauthorizedException("admin endpoints are closed: no lens.admin.token is configured"));
        String prefix = "Bearer ";
        if (authorization == null || !authorization.startsWith(prefix)) {
            throw new UnauthorizedException("send 'Authorization: Bearer <token>'");
        }
        byte[] given = authorization.substring(prefix.length()).strip().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, token.getBytes(StandardCharsets.UTF_8))) {
            throw new UnauthorizedException("wrong admin token");
        }
    }
}
