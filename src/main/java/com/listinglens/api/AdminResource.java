package com.listinglens.api;

import com.listinglens.app.LensService;
import com.listinglens.config.LensConfig;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
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

    @POST
    @Path("/pools/reload")
    @Blocking
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Load the pool now at the configured place and swap it in if it is new",
            description = "Needs 'Authorization: Bearer <lens.admin.token>'. A pool failing its checks is refused (409) "
                    + "and the old one keeps serving.")
    @APIResponse(responseCode = "200", description = "Swapped, or already serving")
    @APIResponse(responseCode = "401", description = "No or wrong token", content = @Content(mediaType = Problem.MEDIA_TYPE))
    @APIResponse(responseCode = "409", description = "Pool refused", content = @Content(mediaType = Problem.MEDIA_TYPE))
    public LensService.Reload reload(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        authorize(authorization);
        return service.reloadPool();
    }

    private void authorize(String authorization) {
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
