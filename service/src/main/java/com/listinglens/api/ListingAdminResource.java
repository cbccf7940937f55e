package com.listinglens.api;

import com.listinglens.app.LensService;
import com.listinglens.app.ListingService;
import com.listinglens.cache.StoreUnavailableException;
import com.listinglens.catalog.CatalogReader;
import com.listinglens.catalog.Listing;
import com.listinglens.config.LensConfig;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;

/**
 * Live listing changes of a tenant, between pool builds (bearer token as every admin endpoint). Each answers once the
 * change is in the change log and applied by this replica; other replicas apply it within lens.live.poll-interval.
 */
@Path("/admin/tenants/{tenant}")
public class ListingAdminResource {

    private final LensService service;
    private final ListingService listings;
    private final LensConfig config;

    public ListingAdminResource(LensService service, ListingService listings, LensConfig config) {
        this.service = service;
        this.listings = listings;
        this.config = config;
    }

    @POST
    @Path("/listings")
    @Blocking
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Add (or replace) a listing", description = "Multipart: 'listing' (a catalog line as JSON: id, image, "
            + "title, category, brand, weight_grams, price) and one or more 'photo' parts, embedded by the service. The listing "
            + "is searchable when the call returns.")
    @APIResponse(responseCode = "201", description = "Added")
    @APIResponse(responseCode = "400", description = "Bad listing or no photo", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "401", description = "No or wrong admin token", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "Live changes disabled", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "Change log unavailable: nothing was changed", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response add(@PathParam("tenant") String tenant,
                        @RestForm("listing") String listing, @RestForm("photo") List<FileUpload> photos) {
        String t = service.resolveTenant(tenant);
        if (listing == null || listing.isBlank()) {
            throw new BadRequestProblem("no-listing", "No listing", 400, "send the listing as a form field 'listing' holding "
                    + "a catalog line in JSON (id, image, title, category, brand, weight_grams, price)");
        }
        Listing parsed;
        try {
            parsed = CatalogReader.parse(listing);
        } catch (IllegalArgumentException e) {
            throw new BadRequestProblem("bad-listing", "Bad listing", 400, e.getMessage());
        }
        List<byte[]> bytes = Uploads.photos(photos, config.image());
        ListingService.Result result = unavailableAs503(() -> listings.add(t, parsed, bytes));
        return Response.status(201).entity(result).type(MediaType.APPLICATION_JSON).build();
    }

    @DELETE
    @Path("/listings/{id}")
    @Blocking
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Remove a listing (sold, deleted)", description = "Gone from every answer of this replica when the call returns.")
    @APIResponse(responseCode = "200", description = "Removed")
    @APIResponse(responseCode = "404", description = "The tenant serves no such listing", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public ListingService.Result remove(@PathParam("tenant") String tenant,
                                        @PathParam("id") String id) {
        String t = service.resolveTenant(tenant);
        return unavailableAs503(() -> listings.remove(t, id));
    }

    @POST
    @Path("/changes")
    @Blocking
    @Consumes({"application/x-ndjson", MediaType.TEXT_PLAIN})
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Apply a batch of changes at once", description = "Newline-delimited JSON, one change per line: "
            + "{\"op\":\"add\",\"listing\":{...},\"photos\":[\"<base64>\"]} or {\"op\":\"remove\",\"id\":\"...\"}. All lines are "
            + "checked and embedded first, as the body streams in (the service holds one line at a time); then all are "
            + "applied, or none (bin/lens changes sends a file in such batches).")
    @APIResponse(responseCode = "200", description = "Applied")
    @APIResponse(responseCode = "400", description = "Bad lines (all named); nothing applied", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "A photo cannot be used; nothing applied", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public ListingService.Result batch(@PathParam("tenant") String tenant,
                                       InputStream body) {
        String t = service.resolveTenant(tenant);
        // read as a stream (a blocking method's InputStream is not buffered whole): see ListingService.batch
        Reader lines = new InputStreamReader(body, StandardCharsets.UTF_8);
        try {
            return unavailableAs503(() -> listings.batch(t, lines));
        } catch (ListingService.BrokenBodyException e) {
            throw new BadRequestProblem("broken-body", "Body broke off", 400, e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new BadRequestProblem("bad-changes", "Bad changes", 400, e.getMessage());
        }
    }

    private static <T> T unavailableAs503(Supplier<T> call) {
        try {
            return call.get();
        } catch (StoreUnavailableException e) {
            throw new BadRequestProblem("change-log-unavailable", "Change log unavailable", 503,
                    "nothing was changed: " + e.getMessage());
        }
    }
}
