package com.listinglens.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.listinglens.budget.Deadline;
import com.listinglens.cache.CacheKeys;
import com.listinglens.cache.RedisStore;
import com.listinglens.cache.StoreUnavailableException;
import com.listinglens.catalog.Listing;
import com.listinglens.config.LensConfig;
import com.listinglens.live.ChangeCodec;
import com.listinglens.pipeline.SuggestPipeline;
import com.listinglens.pool.ListingFilter;
import com.listinglens.pool.Neighbour;
import com.listinglens.search.Cursor;
import com.listinglens.search.ImageUrls;
import com.listinglens.search.Paging;
import jakarta.enterprise.context.ApplicationScoped;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Image search: photos in, the most similar listings of a tenant out, filtered and paged. The first page embeds the
 * photos; the query (embeddings and filters) is then kept in Redis under a search id, so that further pages are
 * fetched with a cursor instead of uploading the photos again. Without Redis, pages are fetched with an offset.
 */
@ApplicationScoped
public class SearchService {

    private static final SecureRandom RANDOM = new SecureRandom();

    /** What a cursor pages through, as kept in Redis. */
    public record StoredQuery(String tenant, String modelSha256, List<String> vectors, List<String> category,
                              Set<String> brands, Double minPrice, Double maxPrice, Set<String> excludeIds, int limit,
                              Instant createdAt) {
    }

    /** No such search (never made, expired, or another tenant's): 404. */
    public static final class UnknownSearchException extends RuntimeException {
        public UnknownSearchException(String message) {
            super(message);
        }
    }

    private final LensConfig.Search config;
    private final Duration deadline;
    private final ObjectMapper json;
    private final RedisStore redis;
    private final StageTimers timers;

    public SearchService(LensConfig config, ObjectMapper json, CacheStore store, StageTimers timers) {
        this.config = config.search();
        this.deadline = config.request().deadline();
        this.json = json;
        this.redis = store.redis().orElse(null);
        this.timers = timers;
    }

    /** Page bounds from request values, or a 400 naming the limits. */
    public Paging paging(Integer offset, Integer limit) {
        return Paging.of(offset, limit, config.pageSize(), config.maxPageSize(), config.maxWindow());
    }

    /** The first page (or the page at {@code paging}) of a search by photos, in the tenant's pool. */
    public SearchResponse search(List<byte[]> photos, TenantScope scope, ListingFilter filter, Paging paging) {
        SuggestPipeline pipeline = scope.pipeline();
        TenantPool pools = scope.tenant();
        String tenant = scope.name();
        long t0 = System.nanoTime();
        Deadline budget = Deadline.startingAt(t0, deadline);
        SuggestPipeline.Query query = pipeline.embed(photos, budget);
        budget.check("about to search");
        String searchId = HexFormat.of().formatHex(randomBytes());
        String cursorReason = remember(searchId, tenant, pipeline, query.vectors(), filter, paging.limit());
        return answer(pipeline, pools, tenant, query.vectors(), filter, paging, cursorReason == null ? searchId : null,
                cursorReason, query.decodeMs(), query.embedMs(), t0);
    }

    /** The page a cursor points at ({@code limit} null: the first page's size); a cursor of another tenant is unknown. */
    public SearchResponse page(TenantScope scope, String cursorText, Integer limit) {
        SuggestPipeline pipeline = scope.pipeline();
        TenantPool pools = scope.tenant();
        String tenant = scope.name();
        long t0 = System.nanoTime();
        Cursor cursor = Cursor.parse(cursorText);
        StoredQuery stored = load(cursor.searchId());
        if (!tenant.equals(stored.tenant())) {
            throw new UnknownSearchException("no search '" + cursor.searchId() + "' for tenant " + tenant);
        }
        if (!pipeline.model().sha256().equals(stored.modelSha256())) {
            throw new UnknownSearchException("search '" + cursor.searchId() + "' was made with another model; search again");
        }
        float[][] vectors = stored.vectors().stream().map(ChangeCodec::decodeVector).toArray(float[][]::new);
        ListingFilter filter = new ListingFilter(stored.category(), stored.brands(), stored.minPrice(), stored.maxPrice(),
                stored.excludeIds());
        Paging paging = paging(cursor.offset(), limit != null ? limit : Math.max(1, stored.limit()));
        return answer(pipeline, pools, tenant, vectors, filter, paging, cursor.searchId(), null, 0, 0, t0);
    }

    private SearchResponse answer(SuggestPipeline pipeline, TenantPool pools, String tenant, float[][] vectors,
                                  ListingFilter filter, Paging paging, String searchId, String cursorReason,
                                  double decodeMs, double embedMs, long t0) {
        SuggestPipeline.Found found = pipeline.search(vectors, paging.depth(), filter, pools.pools());
        timers.searchPage(found.searchMs());
        List<Neighbour> ranked = found.neighbours();
        List<SearchResponse.Hit> hits = new ArrayList<>();
        for (int i = paging.offset(); i < ranked.size(); i++) {
            hits.add(hit(ranked.get(i)));
        }
        long reachable = Math.min(found.matching(), config.maxWindow());
        Paging next = paging.next(config.maxWindow());
        String nextCursor = null;
        String reason = null;
        if (next == null || next.offset() >= reachable || ranked.size() < paging.depth()) {
            reason = found.matching() > config.maxWindow() && next == null
                    ? "the " + config.maxWindow() + " best results are all a search ranks; narrow it with filters"
                    : "no more results";
        } else if (searchId == null) {
            reason = cursorReason;
        } else {
            nextCursor = new Cursor(searchId, next.offset()).toString();
        }
        String note = null;
        if (hits.size() < paging.limit()) {
            note = found.matching() == 0 ? "no listing passes the filters"
                    : found.matching() <= paging.offset() ? "only " + found.matching() + " listings pass the filters; this page starts after them"
                    : "only " + found.matching() + " listings pass the filters";
        }
        double total = Math.round((System.nanoTime() - t0) / 1e4) / 100.0;
        return new SearchResponse(hits, paging.offset(), paging.limit(), found.matching(), note, found.widened(),
                nextCursor, nextCursor == null ? reason : null, SearchResponse.Filters.of(filter),
                new SearchResponse.PoolInfo(found.pool().poolVersion(), found.pool().listingCount()),
                new SearchResponse.Timings(decodeMs, embedMs, found.searchMs(), total));
    }

    private SearchResponse.Hit hit(Neighbour n) {
        Listing l = n.listing();
        double similarity = Math.round(n.similarity() * 10000) / 10000.0;
        Double photo = Float.isNaN(n.photoSimilarity()) ? null : Math.round(n.photoSimilarity() * 10000) / 10000.0;
        return new SearchResponse.Hit(l.id(), l.title(), l.category(), l.brand(), l.price(), similarity, photo,
                ImageUrls.of(config.imageBaseUrl(), l.image()), n.nearDuplicate(config.duplicateSimilarity()));
    }

    /** Keeps the query for its cursor; answers why there is no cursor when it cannot (null: kept). */
    private String remember(String searchId, String tenant, SuggestPipeline pipeline, float[][] vectors, ListingFilter f,
                            int limit) {
        if (redis == null) {
            return "cursors need Redis (lens.redis.enabled=false): page with offset";
        }
        List<String> encoded = new ArrayList<>();
        for (float[] v : vectors) {
            encoded.add(ChangeCodec.encodeVector(v));
        }
        StoredQuery q = new StoredQuery(tenant, pipeline.model().sha256(), encoded, f.categoryPrefix(), f.brands(),
                f.minPrice(), f.maxPrice(), f.excludeIds(), limit, Instant.now());
        try {
            redis.set(CacheKeys.search(searchId), json.writeValueAsString(q), config.cursorTtl());
            return null;
        } catch (StoreUnavailableException e) {
            return "the cursor store is unavailable (" + e.getMessage() + "): page with offset";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a search as JSON", e);
        }
    }

    private StoredQuery load(String searchId) {
        if (redis == null) {
            throw new StoreUnavailableException("cursors need Redis (lens.redis.enabled=false)", null);
        }
        Optional<String> value = redis.get(CacheKeys.search(searchId));
        if (value.isEmpty()) {
            throw new UnknownSearchException("no search '" + searchId + "': unknown or expired (cursors live "
                    + config.cursorTtl() + ")");
        }
        try {
            return json.readValue(value.get(), StoredQuery.class);
        } catch (JsonProcessingException e) {
            throw new UnknownSearchException("search '" + searchId + "' is unreadable; search again");
        }
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return b;
    }
}
