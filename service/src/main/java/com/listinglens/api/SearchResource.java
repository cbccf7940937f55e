package com.listinglens.api;

import com.listinglens.app.SearchResponse;
import com.listinglens.app.LensService;
import com.listinglens.app.SearchService;
import com.listinglens.pool.ListingFilter;
import com.listinglens.search.Paging;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Thin REST front of image search: photos and filters in, a page of similar listings out; further pages by cursor.
 * The tenant is named as for suggestions (X-Tenant header, or the path).
 */
@Path("/v1")
public class SearchResource {

    static final String SEARCH_DESCRIPTION = "Multipart form: 'photo' parts (JPEG, PNG, WebP, BMP or GIF) and optional fields "
            + "'category' (a path prefix, 'Fruit/Apple'), 'brand' (repeatable), 'minPrice', 'maxPrice', 'exclude' (listing "
            + "ids, repeatable or comma-separated), 'limit' (page size) and 'offset'. Or one photo as the request body "
            + "itself (Content-Type image/jpeg, image/png or image/webp; no multipart parsing), with the same fields as "
            + "query parameters (?category=Fruit/Apple&brand=...). A selective filter still returns 'limit' results when "
            + "that many listings pass it; 'matching' says how many do. 'nextCursor' fetches the next page.";
    static final String TENANT_SEARCH_DESCRIPTION = "As POST /v1/search, with the tenant in the path: a multipart form, or "
            + "one photo as the request body (image/jpeg, image/png or image/webp) with the fields as query parameters.";

    private final LensService service;
    private final SearchService search;

    public SearchResource(LensService service, SearchService search) {
        this.service = service;
        this.search = search;
    }

    @POST
    @Path("/search")
    @Blocking
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Find listings that look like one or more photos",
            description = SEARCH_DESCRIPTION)
    @APIResponse(responseCode = "200", description = "A page of similar listings",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SearchResponse.class)))
    @APIResponse(responseCode = "400", description = "No photo, or bad filters or page bounds",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "Unknown tenant", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "413", description = "Photo too large", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "415", description = "Not a JPEG, PNG, WebP, BMP or GIF photo (HEIC included); the problem lists the accepted media types", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "Photo cannot be decoded", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "Model or pool not loaded yet (not-ready), overloaded (overloaded: more requests waiting for the model than the queue holds), or past the request deadline (deadline-exceeded, lens.request.deadline); the last two with Retry-After", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public SearchResponse search(@HeaderParam(SuggestionResource.TENANT_HEADER) String tenantHeader, @RestForm("photo") List<FileUpload> photos,
                                 @RestForm("category") String category, @RestForm("brand") List<String> brands,
                                 @RestForm("minPrice") String minPrice, @RestForm("maxPrice") String maxPrice,
                                 @RestForm("exclude") List<String> exclude, @RestForm("limit") String limit,
                                 @RestForm("offset") String offset) {
        return first(service.resolveTenant(tenantHeader), () -> Uploads.photos(photos, service.config().image()),
                category, brands, minPrice, maxPrice, exclude, limit, offset);
    }

    /** The same, with one photo as the request body and the fields as query parameters. */
    @POST
    @Path("/search")
    @Blocking
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Find listings that look like one or more photos", description = SEARCH_DESCRIPTION)
    @RequestBody(description = Uploads.RAW_BODY, content = {
            @Content(mediaType = "image/jpeg", schema = @Schema(type = SchemaType.STRING, format = "binary")),
            @Content(mediaType = "image/png", schema = @Schema(type = SchemaType.STRING, format = "binary")),
            @Content(mediaType = "image/webp", schema = @Schema(type = SchemaType.STRING, format = "binary"))})
    public SearchResponse searchRaw(@HeaderParam(SuggestionResource.TENANT_HEADER) String tenantHeader,
                                    @Context HttpHeaders headers, InputStream body, @BeanParam SearchQuery query) {
        return first(service.resolveTenant(tenantHeader), () -> Uploads.body(headers, body, service.config().image()), query);
    }

    @POST
    @Path("/tenants/{tenant}/search")
    @Blocking
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Find one tenant's listings that look like one or more photos", description = TENANT_SEARCH_DESCRIPTION)
    public SearchResponse searchForTenant(@PathParam("tenant") String tenant, @RestForm("photo") List<FileUpload> photos,
                                          @RestForm("category") String category, @RestForm("brand") List<String> brands,
                                          @RestForm("minPrice") String minPrice, @RestForm("maxPrice") String maxPrice,
                                          @RestForm("exclude") List<String> exclude, @RestForm("limit") String limit,
                                          @RestForm("offset") String offset) {
        return first(service.resolveTenant(tenant), () -> Uploads.photos(photos, service.config().image()),
                category, brands, minPrice, maxPrice, exclude, limit, offset);
    }

    /** The same, with one photo as the request body and the fields as query parameters. */
    @POST
    @Path("/tenants/{tenant}/search")
    @Blocking
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Find one tenant's listings that look like one or more photos", description = TENANT_SEARCH_DESCRIPTION)
    @RequestBody(description = Uploads.RAW_BODY, content = {
            @Content(mediaType = "image/jpeg", schema = @Schema(type = SchemaType.STRING, format = "binary")),
            @Content(mediaType = "image/png", schema = @Schema(type = SchemaType.STRING, format = "binary")),
            @Content(mediaType = "image/webp", schema = @Schema(type = SchemaType.STRING, format = "binary"))})
    public SearchResponse searchForTenantRaw(@PathParam("tenant") String tenant, @Context HttpHeaders headers, InputStream body,
                                             @BeanParam SearchQuery query) {
        return first(service.resolveTenant(tenant), () -> Uploads.body(headers, body, service.config().image()), query);
    }

    @GET
    @Path("/search")
    @Blocking
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The next page of a search", description = "'cursor' from the previous page's 'nextCursor'; "
            + "optional 'limit'. Cursors live lens.search.cursor-ttl.")
    @APIResponse(responseCode = "200", description = "A page of similar listings")
    @APIResponse(responseCode = "400", description = "Bad cursor or limit", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "Unknown or expired search", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public SearchResponse next(@HeaderParam(SuggestionResource.TENANT_HEADER) String tenantHeader,
                               @QueryParam("cursor") String cursor, @QueryParam("limit") String limit) {
        return page(service.resolveTenant(tenantHeader), cursor, limit);
    }

    @GET
    @Path("/tenants/{tenant}/search")
    @Blocking
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The next page of a search of one tenant", description = "As GET /v1/search.")
    public SearchResponse nextForTenant(@PathParam("tenant") String tenant, @QueryParam("cursor") String cursor,
                                        @QueryParam("limit") String limit) {
        return page(service.resolveTenant(tenant), cursor, limit);
    }

    private SearchResponse first(String tenant, Supplier<List<byte[]>> photos, SearchQuery q) {
        return first(tenant, photos, q.category, q.brands, q.minPrice, q.maxPrice, q.exclude, q.limit, q.offset);
    }

    /** The first page for the photos that {@code photos} reads once the tenant and the filters are known to be good. */
    private SearchResponse first(String tenant, Supplier<List<byte[]>> photos, String category, List<String> brands,
                                 String minPrice, String maxPrice, List<String> exclude, String limit, String offset) {
        service.pipeline();
        service.tenant(tenant);
        ListingFilter filter;
        Paging paging;
        try {
            filter = new ListingFilter(ListingFilter.categoryPath(category), brands == null ? Set.of() : new LinkedHashSet<>(brands),
                    decimal("minPrice", minPrice), decimal("maxPrice", maxPrice), ids(exclude));
            paging = search.paging(integer("offset", offset), integer("limit", limit));
        } catch (IllegalArgumentException e) {
            throw new BadRequestProblem("bad-search", "Bad search", 400, e.getMessage());
        }
        return search.search(photos.get(), tenant, filter, paging);
    }

    private SearchResponse page(String tenant, String cursor, String limit) {
        service.pipeline();
        service.tenant(tenant);
        if (cursor == null || cursor.isBlank()) {
            throw new BadRequestProblem("no-cursor", "No cursor", 400,
                    "GET /v1/search needs ?cursor= from a previous page's nextCursor; start a search with POST /v1/search");
        }
        try {
            return search.page(tenant, cursor, integer("limit", limit));
        } catch (IllegalArgumentException e) {
            throw new BadRequestProblem("bad-search", "Bad search", 400, e.getMessage());
        }
    }

    private static Set<String> ids(List<String> values) {
        Set<String> ids = new LinkedHashSet<>();
        for (String v : values == null ? List.<String>of() : values) {
            for (String id : v.split(",")) {
                if (!id.isBlank()) {
                    ids.add(id.strip());
                }
            }
        }
        return ids;
    }

    private static Double decimal(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Double.valueOf(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, got '" + value + "'");
        }
    }

    private static Integer integer(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Integer.valueOf(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, got '" + value + "'");
        }
    }
}
