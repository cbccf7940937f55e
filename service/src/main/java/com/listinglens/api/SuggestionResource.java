package com.listinglens.api;

import com.listinglens.app.SuggestionResponse;
import com.listinglens.app.LensService;
import com.listinglens.app.ShippingCheckResponse;
import com.listinglens.app.SuggestionService;
import com.listinglens.suggest.WeightClasses;
import jakarta.ws.rs.PathParam;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import java.io.InputStream;
import java.util.List;

/**
 * Thin REST front of the suggestion pipeline. The tenant (marketplace) whose listings answer is named in the
 * {@code X-Tenant} header of {@code /v1/suggestions}, or in the path {@code /v1/tenants/{tenant}/suggestions}, which
 * {@link TenantFilters} maps onto the same methods; without either, the configured default tenant answers.
 */
@Path("/v1")
public class SuggestionResource {

    static final String SUGGEST_DESCRIPTION = "Multipart form with one or more 'photo' parts (JPEG, PNG, WebP, BMP or GIF), "
            + "or one photo as the request body itself (Content-Type image/jpeg, image/png or image/webp; no multipart "
            + "parsing). Answers title, category path, brand, price band, weight class and colour, each null with a "
            + "reason when the similar listings cannot support it.";

    /** How the tenant's header is documented on every operation of a tenant. */
    static final String TENANT_DESCRIPTION = "The tenant (marketplace) whose listings answer; else lens.default-tenant. "
            + "Or name it in the path: /v1/tenants/{tenant}/...";

    private final LensService service;
    private final SuggestionService suggestions;
    private final RequestTenant tenant;

    public SuggestionResource(LensService service, SuggestionService suggestions, RequestTenant tenant) {
        this.service = service;
        this.suggestions = suggestions;
        this.tenant = tenant;
    }

    @POST
    @Path("/suggestions")
    @Blocking
    @TenantScoped
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Suggest a listing from one or more photos of one item",
            description = SUGGEST_DESCRIPTION)
    @Parameter(name = RequestTenant.HEADER, in = ParameterIn.HEADER, description = TENANT_DESCRIPTION,
            schema = @Schema(type = SchemaType.STRING))
    @APIResponse(responseCode = "200", description = "Suggestions",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SuggestionResponse.class)))
    @APIResponse(responseCode = "400", description = "No photo, or an empty photo", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "413", description = "Photo too large", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "415", description = "Not a JPEG, PNG, WebP, BMP or GIF photo (HEIC included); the problem lists the accepted media types", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "Photo cannot be decoded", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "Unknown tenant", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "Model or pool not loaded yet (not-ready), overloaded (overloaded: more requests waiting for the model than the queue holds), or past the request deadline (deadline-exceeded, lens.request.deadline); the last two with Retry-After", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public SuggestionResponse suggest(@RestForm("photo") List<FileUpload> photos) {
        return suggestions.suggest(Uploads.photos(photos, service.config().image()), tenant.get());
    }

    /** The same, with one photo as the request body (any other Content-Type than multipart lands here). */
    @POST
    @Path("/suggestions")
    @Blocking
    @TenantScoped
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Suggest a listing from one or more photos of one item", description = SUGGEST_DESCRIPTION)
    @Parameter(name = RequestTenant.HEADER, in = ParameterIn.HEADER, description = TENANT_DESCRIPTION,
            schema = @Schema(type = SchemaType.STRING))
    @RequestBody(description = Uploads.RAW_BODY, content = {
            @Content(mediaType = "image/jpeg", schema = @Schema(type = SchemaType.STRING, format = "binary")),
            @Content(mediaType = "image/png", schema = @Schema(type = SchemaType.STRING, format = "binary")),
            @Content(mediaType = "image/webp", schema = @Schema(type = SchemaType.STRING, format = "binary"))})
    public SuggestionResponse suggestRaw(@Context HttpHeaders headers, InputStream body) {
        return suggestions.suggest(Uploads.body(headers, body, service.config().image()), tenant.get());
    }

    /** The seller's choice in the shipping step. */
    public record ShippingCheckRequest(String weightClass, List<String> category) {
    }

    @POST
    @Path("/suggestions/{id}/shipping-check")
    @Blocking
    @TenantScoped(model = false)
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Check the seller's weight class against the suggestion",
            description = "Body: {\"weightClass\": \"<= 500 g\", \"category\": [optional edited path]}. Answers the "
                    + "recommended class and a warning when the chosen class is lighter.")
    @Parameter(name = RequestTenant.HEADER, in = ParameterIn.HEADER, description = TENANT_DESCRIPTION,
            schema = @Schema(type = SchemaType.STRING))
    @APIResponse(responseCode = "200", description = "The check")
    @APIResponse(responseCode = "400", description = "Unknown weight class", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "Unknown or expired suggestion", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "Session store unavailable", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public ShippingCheckResponse shippingCheck(@PathParam("id") String id, ShippingCheckRequest request) {
        if (request == null || request.weightClass() == null || request.weightClass().isBlank()) {
            throw new BadRequestProblem("no-weight-class", "No weight class", 400,
                    "send {\"weightClass\": one of " + suggestions.weightClasses().all().stream()
                            .map(WeightClasses.WeightClass::label).toList() + "}");
        }
        try {
            return suggestions.shippingCheck(tenant.get(), id, request.weightClass(), request.category());
        } catch (IllegalArgumentException e) {
            throw new BadRequestProblem("unknown-weight-class", "Unknown weight class", 400, e.getMessage());
        }
    }
}
