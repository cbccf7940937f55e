package com.listinglens.app;

import com.listinglens.catalog.Listing;
import com.listinglens.live.Change;
import com.listinglens.live.ChangeRequests;
import com.listinglens.live.LiveSync;
import com.listinglens.pipeline.SuggestPipeline;
import com.listinglens.pool.Pool;
import com.listinglens.pool.PoolManager;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Live listing changes between pool builds: additions are embedded here (the same pipeline as a suggestion), then
 * a whole request's changes are appended to the change log at once and applied to the served pool before the call
 * returns. Nothing is half-applied: a bad change refuses its whole request before the log is touched.
 */
@ApplicationScoped
public class ListingService {

    /** One applied change. */
    public record Applied(String changeId, String op, String listingId) {
    }

    /** What a request changed, and how far the tenant's log is applied now. */
    public record Result(String tenant, int added, int removed, List<Applied> changes, String through) {
    }

    /** Live changes are switched off (lens.live.enabled=false or Redis disabled): 409. */
    public static final class LiveDisabledException extends RuntimeException {
        public LiveDisabledException(String message) {
            super(message);
        }
    }

    /** A removal named a listing this tenant does not serve: 404. */
    public static final class UnknownListingException extends RuntimeException {
        public UnknownListingException(String message) {
            super(message);
        }
    }

    /** One change of a request cannot be made (its photo cannot be used): 422, nothing applied. */
    public static final class RejectedChangeException extends RuntimeException {
        public RejectedChangeException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final LensService lens;
    private final Clock clock = Clock.systemUTC();
    /** Lines of change batches read and checked (lens_admin_batch_lines_total): a batch is counted as it streams in. */
    private final Counter batchLines;

    public ListingService(LensService lens, MeterRegistry registry) {
        this.lens = lens;
        this.batchLines = Counter.builder("lens.admin.batch.lines").description("changes of NDJSON batches read and checked, "
                + "counted as each line arrives").register(registry);
    }

    private LiveSync live() {
        lens.pipeline();
        return lens.live().orElseThrow(() -> new LiveDisabledException(
                "live listing changes are disabled (they need lens.live.enabled=true and lens.redis.enabled=true)"));
    }

    /** Adds (or replaces) one listing from its photos. */
    public Result add(String tenant, Listing listing, List<byte[]> photos) {
        LiveSync live = live();
        lens.tenant(tenant);
        return append(live, tenant, List.of(embed(listing, photos, null)));
    }

    /** Removes one listing the tenant serves. */
    public Result remove(String tenant, String listingId) {
        LiveSync live = live();
        TenantPool t = lens.tenant(tenant);
        if (listingId == null || listingId.isBlank()) {
            throw new IllegalArgumentException("a listing id is required");
        }
        if (!serves(t.pools(), listingId.strip())) {
            throw new UnknownListingException("tenant " + tenant + " serves no listing '" + listingId.strip() + "'");
        }
        return append(live, tenant, List.of(Change.remove(listingId, clock.instant())));
    }

    /** Applies a batch (see {@link ChangeRequests}) all at once; removals of listings not served are no-ops. */
    /**
     * A batch of changes read as a stream ({@link ChangeRequests#read}): each line is checked and embedded as it
     * arrives, so the request holds one line at a time plus the changes made so far (an embedding each), never the
     * whole body; then all are appended at once, or none (a bad line, a rejected photo, a broken body).
     */
    public Result batch(String tenant, Reader body) {
        LiveSync live = live();
        lens.tenant(tenant);
        var limits = lens.config().image();
        List<Change> changes = new ArrayList<>();
        try {
            ChangeRequests.read(body instanceof BufferedReader b ? b : new BufferedReader(body, 1 << 16),
                    lens.config().live().maxBatch(), limits.maxPhotos(), limits.maxBytes(), r -> {
                        batchLines.increment();
                        if (r instanceof ChangeRequests.AddRequest a) {
                            changes.add(embed(a.listing(), a.photos(), "line " + a.line() + " (" + a.listing().id() + ")"));
                        } else if (r instanceof ChangeRequests.RemoveRequest rm) {
                            changes.add(Change.remove(rm.listingId(), clock.instant()));
                        }
                    });
        } catch (IOException e) {
            throw new BrokenBodyException("the batch's body broke off: " + e.getMessage() + "; nothing was changed", e);
        }
        return append(live, tenant, changes);
    }

    /** The client's body could not be read to its end: nothing was applied. */
    public static final class BrokenBodyException extends RuntimeException {
        BrokenBodyException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private Change embed(Listing listing, List<byte[]> photos, String where) {
        SuggestPipeline pipeline = lens.pipeline();
        try {
            SuggestPipeline.Query q = pipeline.embed(photos);
            return Change.add(listing, q.fused(), lens.modelSpace(), clock.instant());
        } catch (SuggestPipeline.PhotoRejectedException e) {
            if (where == null) {
                throw e;
            }
            throw new RejectedChangeException(where + ": " + e.getMessage(), e);
        }
    }

    private Result append(LiveSync live, String tenant, List<Change> changes) {
        List<Change> appended = live.append(tenant, changes);
        int added = 0;
        int removed = 0;
        List<Applied> applied = new ArrayList<>();
        for (Change c : appended) {
            if (c.op() == Change.Op.ADD) {
                added++;
            } else {
                removed++;
            }
            applied.add(new Applied(c.id().toString(), c.op().name().toLowerCase(), c.listingId()));
        }
        return new Result(tenant, added, removed, applied, live.state(tenant).through().toString());
    }

    private static boolean serves(PoolManager pools, String listingId) {
        Pool pool = pools.acquire();
        try {
            return pool.overlay().contains(listingId);
        } finally {
            pools.release(pool);
        }
    }
}
