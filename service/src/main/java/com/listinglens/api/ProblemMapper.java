package com.listinglens.api;

import com.listinglens.app.LensService;
import com.listinglens.app.ListingService;
import com.listinglens.app.SearchService;
import com.listinglens.app.SuggestionService;
import com.listinglens.budget.DeadlineExceededException;
import com.listinglens.cache.StoreUnavailableException;
import com.listinglens.config.LensConfig;
import com.listinglens.embedding.MicroBatcher;
import com.listinglens.image.DecodeBudget;
import com.listinglens.image.ImageFormat;
import com.listinglens.image.ImageRejectedException;
import com.listinglens.pipeline.SuggestPipeline;
import com.listinglens.pool.PoolException;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.io.IOException;

/** Every error leaves the service as an RFC 7807 problem; nothing leaks a stack trace. */
public class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    private final MeterRegistry registry;

    private final long retryAfterSeconds;

    public ProblemMapper(MeterRegistry registry, LensConfig config) {
        this.registry = registry;
        this.retryAfterSeconds = config.request().retryAfterSeconds();
    }

    @ServerExceptionMapper
    public Response photo(SuggestPipeline.PhotoRejectedException e, HttpServerRequest request) {
        ImageRejectedException r = e.rejection();
        int status = switch (r.reason()) {
            case EMPTY -> 400;
            case UNSUPPORTED_FORMAT -> 415;
            case TOO_LARGE_BYTES, TOO_MANY_PIXELS -> 413;
            case CORRUPT -> 422;
        };
        String slug = "photo-" + r.reason().name().toLowerCase().replace('_', '-');
        Problem p = Problem.of(slug, titleOf(r.reason()), status, e.getMessage(), request == null ? null : request.path());
        return counted(r.reason() == ImageRejectedException.Reason.UNSUPPORTED_FORMAT
                ? p.withAccepted(ImageFormat.mediaTypes()) : p);
    }

    @ServerExceptionMapper
    public Response badRequest(BadRequestProblem e, HttpServerRequest request) {
        Problem p = Problem.of(e.slug(), e.title(), e.status(), e.getMessage(), request == null ? null : request.path());
        return counted(e.accepted() == null ? p : p.withAccepted(e.accepted()));
    }

    @ServerExceptionMapper
    public Response notReady(LensService.NotReadyException e, HttpServerRequest request) {
        return problem("not-ready", "Service not ready", 503, e.getMessage(), request);
    }

    @ServerExceptionMapper
    public Response overloaded(MicroBatcher.OverloadedException e, HttpServerRequest request) {
        Response r = problem("overloaded", "Overloaded", 503, e.getMessage(), request);
        return Response.fromResponse(r).header("Retry-After", Long.toString(e.retryAfterSeconds())).build();
    }

    /** The decode budget (lens.image.decode-budget-mb) stayed full for lens.image.decode-wait: 503, try again. */
    @ServerExceptionMapper
    public Response decodeBusy(DecodeBudget.DecodeBusyException e, HttpServerRequest request) {
        Response r = problem("overloaded", "Overloaded", 503, e.getMessage(), request);
        return Response.fromResponse(r).header("Retry-After", Long.toString(retryAfterSeconds)).build();
    }

    @ServerExceptionMapper
    public Response deadline(DeadlineExceededException e, HttpServerRequest request) {
        Response r = problem("deadline-exceeded", "Deadline exceeded", 503, e.getMessage(), request);
        return Response.fromResponse(r).header("Retry-After", Long.toString(retryAfterSeconds)).build();
    }

    @ServerExceptionMapper
    public Response pool(PoolException e, HttpServerRequest request) {
        return problem("pool-unavailable", "Pool unavailable", 503, e.getMessage(), request);
    }

    @ServerExceptionMapper
    public Response unknownTenant(LensService.UnknownTenantException e, HttpServerRequest request) {
        return problem("unknown-tenant", "Unknown tenant", 404, e.getMessage(), request);
    }

    @ServerExceptionMapper
    public Response noTenant(LensService.MissingTenantException e, HttpServerRequest request) {
        return problem("no-tenant", "No tenant", 400, e.getMessage(), request);
    }

    @ServerExceptionMapper
    public Response unknownSession(SuggestionService.UnknownSessionException e, HttpServerRequest request) {
        return problem("unknown-suggestion", "Unknown suggestion", 404, e.getMessage(), request);
    }

    @ServerExceptionMapper
    public Response unknownSearch(SearchService.UnknownSearchException e, HttpServerRequest request) {
        return problem("unknown-search", "Unknown search", 404, e.getMessage(), request);
    }

    @ServerExceptionMapper
    public Response liveDisabled(ListingService.LiveDisabledException e, HttpServerRequest request) {
        return problem("live-changes-disabled", "Live changes disabled", 409, e.getMessage(), request);
    }

    @ServerExceptionMapper
    public Response unknownListing(ListingService.UnknownListingException e, HttpServerRequest request) {
        return problem("unknown-listing", "Unknown listing", 404, e.getMessage(), request);
    }

    @ServerExceptionMapper
    public Response rejectedChange(ListingService.RejectedChangeException e, HttpServerRequest request) {
        return problem("change-rejected", "Change rejected", 422, e.getMessage(), request);
    }

    @ServerExceptionMapper
    public Response storeDown(StoreUnavailableException e, HttpServerRequest request) {
        return problem("session-store-unavailable", "Session store unavailable", 503, e.getMessage(), request);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, HttpServerRequest request) {
        int status = e.getResponse().getStatus();
        Response.Status s = Response.Status.fromStatusCode(status);
        return problem("http-" + status, s == null ? "HTTP " + status : s.getReasonPhrase(), status, e.getMessage(), request);
    }

    /** The framework could not read the request (e.g. a cut-off or malformed multipart body). */
    @ServerExceptionMapper
    public Response unreadable(IOException e, HttpServerRequest request) {
        return problem("malformed-request", "Malformed request", 400,
                "the request body could not be read: " + e.getMessage(), request);
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e, HttpServerRequest request) {
        LOG.error("unexpected failure on " + request.path(), e);
        return problem("internal", "Internal error", 500,
                "the service failed on this request; it has been logged", request);
    }

    private Response problem(String slug, String title, int status, String detail, HttpServerRequest request) {
        return counted(Problem.of(slug, title, status, detail, request == null ? null : request.path()));
    }

    private Response counted(Problem p) {
        String slug = p.type().substring(p.type().lastIndexOf(':') + 1);
        registry.counter("lens.problems", "type", slug, "status", Integer.toString(p.status())).increment();
        return p.toResponse();
    }

    private static String titleOf(ImageRejectedException.Reason reason) {
        return switch (reason) {
            case EMPTY -> "Empty photo";
            case UNSUPPORTED_FORMAT -> "Unsupported photo format";
            case TOO_LARGE_BYTES -> "Photo too large";
            case TOO_MANY_PIXELS -> "Photo has too many pixels";
            case CORRUPT -> "Photo cannot be decoded";
        };
    }
}
