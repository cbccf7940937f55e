package com.listinglens.api;

import com.listinglens.app.LensService;
import com.listinglens.app.ReloadResponse;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import com.listinglens.app.PoolSync;
import java.util.List;
import java.util.stream.Collectors;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Operators' endpoints, behind a bearer token ({@link AdminGate}: checked before anything of the request is read). */
@Path("/admin")
public class AdminResource {

    private final LensService service;

    public AdminResource(LensService service) {
        this.service = service;
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
    public ReloadResponse reload() {
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
    public ReloadResponse reloadTenant(@PathParam("tenant") String tenant) {
        return answer(service.reload(tenant));
    }

    /** The reload's answer, or its refusals (409) and unreachable stores (503) as a problem. */
    private static ReloadResponse answer(ReloadResponse reload) {
        List<PoolSync.Outcome> outcomes = reload.tenants();
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
        return reload;
    }
}
