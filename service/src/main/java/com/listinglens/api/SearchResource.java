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
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Thin REST front of image search: photos and filters in, a page of similar listings out; further pages by cursor.
 * The tenant is named as for suggestions (X-Tenant header, or the path /v1/tenants/{tenant}/search, which
 * {@link TenantFilters} maps onto the same methods).
 */
@Path("/v1")
public class SearchResource {

    static final String SEARCH_DESCRIPTION = "Multipart form: 'photo' parts (JPEG, PNG, WebP, BMP or GIF) and optional fields "
            + "'category' (a path prefix, 'Fruit/Apple'), 'brand' (repeatable), 'minPrice', 'maxPrice', 'exclude' (listing "
            + "ids, repeatable or comma-separated), 'limit' (page size) and 'offset'. Or one photo as the request body "
            + "itself (Content-Type image/jpeg, image/png or image/webp; no multipart parsing), with the same fields as "
            + "query parameters (?category=Fruit/Apple&brand=...). A selective filter still returns 'limit' results when "
            + "that many listings pass it; 'matching' says how many do. 'nextCursor' fetches the next page.";

    private final LensService service;
    private final SearchService search;
    private final RequestTenant tenant;

    public SearchResource(LensService service, SearchService search, RequestTenant tenant) {
        this.service = service;
        this.search = search;
        this.tenant = tenant;
    }

    @POST
    @Path("/search")
    @Blocking
    @TenantScoped
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Find listings that look like one or more photos",
            description = SEARCH_DESCRIPTION)
    @Parameter(name = RequestTenant.HEADER, in = ParameterIn.HEADER, description = SuggestionResource.TENANT_DESCRIPTION,
            schema = @Schema(type = SchemaType.STRING))
    @APIResponse(responseCode = "200", description = "A page of similar listings",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SearchResponse.class)))
    @APIResponse(responseCode = "400", description = "No photo, or bad filters or page bounds",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "Unknown tenant", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "413", description = "Photo too large", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "415", description = "Not a JPEG, PNG, WebP, BMP or GIF photo (HEIC included); the problem lists the accepted media types", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "Photo cannot be decoded", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "Model or pool not loaded yet (not-ready), overloaded (overloaded: more requests waiting for the model than the queue holds), or past the request deadline (deadline-exceeded, lens.request.deadline); the last two with Retry-After", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public SearchResponse search(@RestForm("photo") List<FileUpload> photos,
                                 @RestForm("category") String category, @RestForm("brand") List<String> brands,
                                 @RestForm("minPrice") String minPrice, @RestForm("maxPrice") String maxPrice,
                                 @RestForm("exclude") List<String> exclude, @RestForm("limit") String limit,
                                 @RestForm("offset") String offset) {
        Query q = query(category, brands, minPrice, maxPrice, exclude, limit, offset);
        return search.search(Uploads.photos(photos, service.config().image()), tenant.get(), q.filter(), q.paging());
    }

    /** The same, with one photo as the request body and the fields as query parameters. */
    @POST
    @Path("/search")
    @Blocking
    @TenantScoped
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Find listings that look like one or more photos", description = SEARCH_DESCRIPTION)
    @Parameter(name = RequestTenant.HEADER, in = ParameterIn.HEADER, description = SuggestionResource.TENANT_DESCRIPTION,
            schema = @Schema(type = SchemaType.STRING))
    @RequestBody(description = Uploads.RAW_BODY, content = {
            @Content(mediaType = "image/jpeg", schema = @Schema(type = SchemaType.STRING, format = "binary")),
            @Content(mediaType = "image/png", schema = @Schema(type = SchemaType.STRING, format = "binary")),
            @Content(mediaType = "image/webp", schema = @Schema(type = SchemaType.STRING, format = "binary"))})
    public SearchResponse searchRaw(@Context HttpHeaders headers, InputStream body, @BeanParam SearchQuery query) {
        Query q = query(query.category, query.brands, query.minPrice, query.maxPrice, query.exclude, query.limit, query.offset);
        return search.search(Uploads.body(headers, body, service.config().image()), tenant.get(), q.filter(), q.paging());
    }

    @GET
    @Path("/search")
    @Blocking
    @TenantScoped
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The next page of a search", description = "'cursor' from the previous page's 'nextCursor'; "
            + "optional 'limit'. Cursors live lens.search.cursor-ttl.")
    @Parameter(name = RequestTenant.HEADER, in = ParameterIn.HEADER, description = SuggestionResource.TENANT_DESCRIPTION,
            schema = @Schema(type = SchemaType.STRING))
    @APIResponse(responseCode = "200", description = "A page of similar listings")
    @APIResponse(responseCode = "400", description = "Bad cursor or limit", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "Unknown or expired search", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public SearchResponse next(@QueryParam("cursor") String cursor, @QueryParam("limit") String limit) {
        if (cursor == null || cursor.isBlank()) {
            throw new BadRequestProblem("no-cursor", "No cursor", 400,
                    "GET /v1/search needs ?cursor= from a previous page's nextCursor; start a search with POST /v1/search");
        }
        try {
            return search.page(tenant.get(), cursor, integer("limit", limit));
        } catch (IllegalArgumentException e) {
            throw new BadRequestProblem("bad-search", "Bad search", 400, e.getMessage());
        }
    }

    /** A first page's filter and bounds. */
    private record Query(ListingFilter filter, Paging paging) {
    }

    /** The filter and page bounds of a first page, checked before any photo is read: bad ones are a 400. */
    private Query query(String category, List<String> brands, String minPrice, String maxPrice, List<String> exclude,
                        String limit, String offset) {
        try {
            ListingFilter filter = new ListingFilter(ListingFilter.categoryPath(category),
                    brands == null ? Set.of() : new LinkedHashSet<>(brands), decimal("minPrice", minPrice),
                    decimal("maxPrice", maxPrice), ids(exclude));
            return new Query(filter, search.paging(integer("offset", offset), integer("limit", limit)));
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
