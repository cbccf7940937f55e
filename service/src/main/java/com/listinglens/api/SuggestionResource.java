package com.listinglens.api;

import com.listinglens.app.SuggestionResponse;
import com.listinglens.app.LensService;
import com.listinglens.app.SuggestionService;
import com.listinglens.suggest.ShippingCheck;
import com.listinglens.suggest.WeightClasses;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PathParam;
import com.listinglens.pipeline.SuggestPipeline;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Thin REST front of the suggestion pipeline. The tenant (marketplace) whose listings answer is named in the
 * {@code X-Tenant} header of {@code /v1/suggestions}, or in the path {@code /v1/tenants/{tenant}/suggestions};
 * without either, the configured default tenant answers.
 */
@Path("/v1")
public class SuggestionResource {

    public static final String TENANT_HEADER = "X-Tenant";

    static final String SUGGEST_DESCRIPTION = "Multipart form with one or more 'photo' parts (JPEG, PNG, WebP, BMP or GIF), "
            + "or one photo as the request body itself (Content-Type image/jpeg, image/png or image/webp; no multipart "
            + "parsing). Answers title, category path, brand, price band, weight class and colour, each null with a "
            + "reason when the similar listings cannot support it.";
    static final String TENANT_SUGGEST_DESCRIPTION = "As POST /v1/suggestions, with the tenant in the path: a multipart "
            + "form of 'photo' parts, or one photo as the request body (image/jpeg, image/png or image/webp).";

    private final LensService service;
    private final SuggestionService suggestions;
    private final Map<String, Timer> stages = new LinkedHashMap<>();

    public SuggestionResource(LensService service, SuggestionService suggestions, MeterRegistry registry) {
        this.service = service;
        this.suggestions = suggestions;
        for (String stage : List.of("decode", "embed", "search", "aggregate", "total")) {
            stages.put(stage, Timer.builder("lens.suggest.stage").tag("stage", stage)
                    .description("time per stage of POST /v1/suggestions").publishPercentiles(0.5, 0.95, 0.99)
                    .publishPercentileHistogram()
                    .register(registry));
        }
    }

    @POST
    @Path("/tenants/{tenant}/suggestions")
    @Blocking
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Suggest a listing from one or more photos, from one tenant's listings",
            description = TENANT_SUGGEST_DESCRIPTION)
    @APIResponse(responseCode = "200", description = "Suggestions",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SuggestionResponse.class)))
    @APIResponse(responseCode = "400", description = "No photo, or an empty photo", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "413", description = "Photo too large", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "415", description = "Not a JPEG, PNG, WebP, BMP or GIF photo (HEIC included); the problem lists the accepted media types", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "Photo cannot be decoded", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "Model or pool not loaded yet (not-ready), overloaded (overloaded: more requests waiting for the model than the queue holds), or past the request deadline (deadline-exceeded, lens.request.deadline); the last two with Retry-After", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "Unknown tenant", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public SuggestionResponse suggestForTenant(@PathParam("tenant") String tenant, @RestForm("photo") List<FileUpload> photos) {
        return answer(service.resolveTenant(tenant), () -> Uploads.photos(photos, service.config().image()));
    }

    /** The same, with one photo as the request body (any other Content-Type than multipart lands here). */
    @POST
    @Path("/tenants/{tenant}/suggestions")
    @Blocking
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Suggest a listing from one or more photos, from one tenant's listings",
            description = TENANT_SUGGEST_DESCRIPTION)
    @RequestBody(description = Uploads.RAW_BODY, content = {
            @Content(mediaType = "image/jpeg", schema = @Schema(type = SchemaType.STRING, format = "binary")),
            @Content(mediaType = "image/png", schema = @Schema(type = SchemaType.STRING, format = "binary")),
            @Content(mediaType = "image/webp", schema = @Schema(type = SchemaType.STRING, format = "binary"))})
    public SuggestionResponse suggestForTenantRaw(@PathParam("tenant") String tenant, @Context HttpHeaders headers,
                                                  InputStream body) {
        return answer(service.resolveTenant(tenant), () -> Uploads.body(headers, body, service.config().image()));
    }

    @POST
    @Path("/suggestions")
    @Blocking
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Suggest a listing from one or more photos of one item",
            description = SUGGEST_DESCRIPTION)
    @APIResponse(responseCode = "200", description = "Suggestions",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SuggestionResponse.class)))
    @APIResponse(responseCode = "400", description = "No photo, or an empty photo", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "413", description = "Photo too large", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "415", description = "Not a JPEG, PNG, WebP, BMP or GIF photo (HEIC included); the problem lists the accepted media types", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "Photo cannot be decoded", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "Unknown tenant", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "Model or pool not loaded yet (not-ready), overloaded (overloaded: more requests waiting for the model than the queue holds), or past the request deadline (deadline-exceeded, lens.request.deadline); the last two with Retry-After", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public SuggestionResponse suggest(@HeaderParam(TENANT_HEADER) String tenantHeader, @RestForm("photo") List<FileUpload> photos) {
        return answer(service.resolveTenant(tenantHeader), () -> Uploads.photos(photos, service.config().image()));
    }

    /** The same, with one photo as the request body (any other Content-Type than multipart lands here). */
    @POST
    @Path("/suggestions")
    @Blocking
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Suggest a listing from one or more photos of one item", description = SUGGEST_DESCRIPTION)
    @RequestBody(description = Uploads.RAW_BODY, content = {
            @Content(mediaType = "image/jpeg", schema = @Schema(type = SchemaType.STRING, format = "binary")),
            @Content(mediaType = "image/png", schema = @Schema(type = SchemaType.STRING, format = "binary")),
            @Content(mediaType = "image/webp", schema = @Schema(type = SchemaType.STRING, format = "binary"))})
    public SuggestionResponse suggestRaw(@HeaderParam(TENANT_HEADER) String tenantHeader, @Context HttpHeaders headers,
                                         InputStream body) {
        return answer(service.resolveTenant(tenantHeader), () -> Uploads.body(headers, body, service.config().image()));
    }

    /** The answer for the photos that {@code photos} reads once the model, pool and tenant are known to be there. */
    private SuggestionResponse answer(String tenant, Supplier<List<byte[]>> photos) {
        service.pipeline();
        service.tenant(tenant);
        List<byte[]> bytes = photos.get();
        SuggestionResponse answer = suggestions.suggest(bytes, tenant);
        if (!answer.cached()) {
            record(answer.timings());
        }
        return answer;
    }

    /** The seller's choice in the shipping step. */
    public record ShippingCheckRequest(String weightClass, List<String> category) {
    }

    /** The check's answer. */
    public record ShippingCheckResponse(String suggestionId, WeightClasses.WeightClass chosen,
                                        WeightClasses.WeightClass recommended, Double confidence, int basedOn,
                                        boolean categoryMatched, String warning, String reason) {
    }

    @POST
    @Path("/tenants/{tenant}/suggestions/{id}/shipping-check")
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Check the seller's weight class against a suggestion of one tenant",
            description = "As POST /v1/suggestions/{id}/shipping-check, with the tenant in the path.")
    public ShippingCheckResponse shippingCheckForTenant(@PathParam("tenant") String tenant, @PathParam("id") String id,
                                                        ShippingCheckRequest request) {
        return check(service.resolveTenant(tenant), id, request);
    }

    @POST
    @Path("/suggestions/{id}/shipping-check")
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Check the seller's weight class against the suggestion",
            description = "Body: {\"weightClass\": \"<= 500 g\", \"category\": [optional edited path]}. Answers the "
                    + "recommended class and a warning when the chosen class is lighter.")
    @APIResponse(responseCode = "200", description = "The check")
    @APIResponse(responseCode = "400", description = "Unknown weight class", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "Unknown or expired suggestion", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "Session store unavailable", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public ShippingCheckResponse shippingCheck(@HeaderParam(TENANT_HEADER) String tenantHeader, @PathParam("id") String id,
                                               ShippingCheckRequest request) {
        return check(service.resolveTenant(tenantHeader), id, request);
    }

    private ShippingCheckResponse check(String tenant, String id, ShippingCheckRequest request) {
        if (request == null || request.weightClass() == null || request.weightClass().isBlank()) {
            throw new BadRequestProblem("no-weight-class", "No weight class", 400,
                    "send {\"weightClass\": one of " + suggestions.weightClasses().all().stream()
                            .map(WeightClasses.WeightClass::label).toList() + "}");
        }
        ShippingCheck.Result r;
        try {
            r = suggestions.shippingCheck(tenant, id, request.weightClass(), request.category());
        } catch (IllegalArgumentException e) {
            throw new BadRequestProblem("unknown-weight-class", "Unknown weight class", 400, e.getMessage());
        }
        return new ShippingCheckResponse(id, r.chosen(), r.recommended(), r.confidence(), r.basedOn(),
                r.categoryMatched(), r.warning(), r.reason());
    }

    private void record(SuggestPipeline.Timings t) {
        stage("decode", t.decodeMs());
        stage("embed", t.embedMs());
        stage("search", t.searchMs());
        stage("aggregate", t.aggregateMs());
        stage("total", t.totalMs());
    }

    private void stage(String stage, double ms) {
        stages.get(stage).record((long) (ms * 1e6), TimeUnit.NANOSECONDS);
    }
}
