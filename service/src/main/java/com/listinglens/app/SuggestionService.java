package com.listinglens.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.listinglens.budget.Deadline;
import com.listinglens.cache.CacheKeys;
import com.listinglens.cache.RedisStore;
import com.listinglens.cache.SizeCap;
import com.listinglens.cache.StoreUnavailableException;
import com.listinglens.config.LensConfig;
import com.listinglens.pipeline.SuggestPipeline;
import com.listinglens.pool.ChangeId;
import com.listinglens.pool.Manifest;
import com.listinglens.pool.Pool;
import com.listinglens.suggest.ListingSuggestion;
import com.listinglens.suggest.ShippingCheck;
import com.listinglens.suggest.WeightClasses;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Suggestions with what must outlive a request: answers cached in Redis under a key of photos, model, pool
 * and tenant, and a session per answer for the shipping step. Redis is a help, never a dependency of a
 * suggestion: when it is down or slow, answers are computed and returned uncached, and only the session
 * features say they are unavailable.
 */
@ApplicationScoped
public class SuggestionService {

    private static final Logger LOG = Logger.getLogger(SuggestionService.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What a session remembers of a suggestion. */
    public record Session(String id, Instant createdAt, String tenant, String modelSha256, String poolVersion,
                          WeightClasses.WeightClass suggestedWeightClass, List<String> suggestedCategory,
                          List<ShippingCheck.Evidence> neighbours) {
    }

    /**
     * What the cache keeps: the answer, the evidence a new session needs, and what live changes it saw (the change
     * log position and the neighbours' ids), so that an answer overtaken by a live change is not served again.
     */
    public record CachedAnswer(SuggestionResponse response, List<ShippingCheck.Evidence> evidence, String liveThrough,
                               List<String> neighbourIds) {
    }

    /** No such session (never made, or expired): 404. */
    public static final class UnknownSessionException extends RuntimeException {
        public UnknownSessionException(String message) {
            super(message);
        }
    }

    private final LensService lens;
    private final LensConfig config;
    private final ObjectMapper json;
    private final RedisStore redis;
    private final WeightClasses weightClasses;
    private final ShippingCheck shipping;
    private final Counter hits;
    private final Counter misses;
    private final Counter cacheErrors;
    private final Counter staleHits;
    private final Counter sessionErrors;
    private final Counter sessionsCapped;
    private final StageTimers timers;

    public SuggestionService(LensService lens, LensConfig config, ObjectMapper json, MeterRegistry registry, CacheStore store,
                             StageTimers timers) {
        this.lens = lens;
        this.timers = timers;
        this.config = config;
        this.json = json;
        this.redis = store.redis().orElse(null);
        this.weightClasses = new WeightClasses(config.suggest().weightClassesGrams());
        this.shipping = new ShippingCheck(weightClasses, config.suggest().temperature());
        this.hits = registry.counter("lens.cache.requests", "result", "hit");
        this.misses = registry.counter("lens.cache.requests", "result", "miss");
        this.cacheErrors = registry.counter("lens.cache.requests", "result", "error");
        this.staleHits = registry.counter("lens.cache.requests", "result", "overtaken");
        this.sessionErrors = registry.counter("lens.sessions.errors");
        this.sessionsCapped = registry.counter("lens.sessions.capped");
    }

    /**
     * Suggestions from the listings of the tenant's pool (cached per tenant, model and pool version); the stage timers
     * are recorded for an answer computed here, not for one from the cache.
     */
    public SuggestionResponse suggest(List<byte[]> photos, TenantScope scope) {
        SuggestPipeline pipeline = scope.pipeline();
        TenantPool pools = scope.tenant();
        String tenant = scope.name();
        long t0 = System.nanoTime();
        Optional<Manifest> pool = pools.serving();
        String photosDigest = CacheKeys.photosDigest(photos);
        String key = pool.map(m -> CacheKeys.answer(tenant, lens.embedder().info().sha256(), m.poolVersion(), photosDigest))
                .orElse(null);
        CachedAnswer cached = key == null ? null : lookup(key);
        if (cached != null && overtaken(pools, cached)) {
            staleHits.increment();
            cached = null;
        }
        if (cached != null) {
            double ms = Math.round((System.nanoTime() - t0) / 1e4) / 100.0;
            SuggestionResponse response = cached.response()
                    .withTimings(new SuggestPipeline.Timings(0, 0, 0, 0, ms));
            return withSession(response, cached.evidence(), true, tenant);
        }
        SuggestPipeline.Result result = pipeline.suggest(photos, pools.pools(),
                Deadline.startingAt(t0, config.request().deadline()));
        List<ShippingCheck.Evidence> evidence = result.neighbours().stream()
                .map(n -> new ShippingCheck.Evidence(n.listing().category(), n.listing().weightGrams(), n.similarity()))
                .toList();
        SuggestionResponse response = SuggestionResponse.of(result, config.search().duplicateSimilarity(), config.search().imageBaseUrl());
        String storeKey = CacheKeys.answer(tenant, result.model().sha256(), result.pool().poolVersion(), photosDigest);
        store(storeKey, new CachedAnswer(response, evidence, result.liveThrough().toString(),
                result.neighbours().stream().map(n -> n.listing().id()).toList()));
        SuggestionResponse answer = withSession(response, evidence, false, tenant);
        timers.suggestion(result.timings());
        return answer;
    }

    /** A listing was added since the answer was computed, or one of its neighbours changed. */
    private static boolean overtaken(TenantPool pools, CachedAnswer cached) {
        Pool pool = pools.pools().acquire();
        try {
            ChangeId through;
            try {
                through = ChangeId.parseOrNull(cached.liveThrough());
            } catch (IllegalArgumentException e) {
                return true;
            }
            return cached.neighbourIds() == null || pool.overlay().changedSince(through, cached.neighbourIds());
        } finally {
            pools.pools().release(pool);
        }
    }

    private CachedAnswer lookup(String key) {
        if (redis == null) {
            return null;
        }
        try {
            Optional<String> value = redis.get(key);
            if (value.isEmpty()) {
                misses.increment();
                return null;
            }
            hits.increment();
            return json.readValue(value.get(), CachedAnswer.class);
        } catch (StoreUnavailableException e) {
            cacheErrors.increment();
            return null;
        } catch (JsonProcessingException e) {
            cacheErrors.increment();
            LOG.warnf("unreadable cache entry %s ignored: %s", key, e.getMessage());
            return null;
        }
    }

    private void store(String key, CachedAnswer answer) {
        if (redis == null) {
            return;
        }
        try {
            redis.set(key, json.writeValueAsString(answer), config.redis().answerTtl());
        } catch (StoreUnavailableException e) {
            cacheErrors.increment();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an answer as JSON", e);
        }
    }

    private SuggestionResponse withSession(SuggestionResponse response, List<ShippingCheck.Evidence> evidence, boolean fromCache,
                                           String tenant) {
        if (redis == null) {
            return response.withSession(null, "sessions are disabled (lens.redis.enabled=false)", fromCache);
        }
        String id = HexFormat.of().formatHex(randomBytes());
        ListingSuggestion.Field<WeightClasses.WeightClass> w = response.weightClass();
        Instant now = Instant.now();
        // bounded: the most similar neighbours (evidence comes most similar first) that fit lens.redis.session-max-bytes
        SizeCap.Fitted fitted = SizeCap.fit(evidence, kept -> toJson(new Session(id, now, tenant, response.model().sha256(),
                response.pool().version(), w.value(), response.category().names(), kept)), config.redis().sessionMaxBytes());
        if (fitted.value() == null) {
            sessionsCapped.increment();
            return response.withSession(null, "the session would exceed lens.redis.session-max-bytes ("
                    + config.redis().sessionMaxBytes() + ")", fromCache);
        }
        if (fitted.kept() < evidence.size()) {
            sessionsCapped.increment();
        }
        try {
            redis.set(CacheKeys.session(id), fitted.value(), config.redis().sessionTtl());
            return response.withSession(id, null, fromCache);
        } catch (StoreUnavailableException e) {
            sessionErrors.increment();
            return response.withSession(null, "the session store is unavailable: " + e.getMessage(), fromCache);
        }
    }

    private String toJson(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a session as JSON", e);
        }
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return b;
    }

    /**
     * The seller's chosen weight class (and maybe edited category) against the suggestion's neighbours. A session
     * of another tenant is unknown to this one.
     */
    public ShippingCheckResponse shippingCheck(TenantScope scope, String id, String weightClassLabel, List<String> editedCategory) {
        String tenant = scope.name();
        WeightClasses.WeightClass chosen = shipping.byLabel(weightClassLabel);
        Session session = session(id);
        if (!tenant.equals(session.tenant())) {
            throw new UnknownSessionException("no suggestion '" + id + "' for tenant " + tenant);
        }
        return ShippingCheckResponse.of(id, shipping.check(session.neighbours(), chosen, editedCategory));
    }

    public Session session(String id) {
        if (!CacheKeys.isSessionId(id)) {
            throw new UnknownSessionException("no suggestion '" + id + "': ids are 32 hexadecimal digits");
        }
        if (redis == null) {
            throw new StoreUnavailableException("sessions are disabled (lens.redis.enabled=false)", null);
        }
        String value;
        try {
            value = redis.get(CacheKeys.session(id)).orElseThrow(() ->
                    new UnknownSessionException("no suggestion '" + id + "': unknown or expired (sessions live "
                            + config.redis().sessionTtl() + ")"));
        } catch (StoreUnavailableException e) {
            sessionErrors.increment();
            throw e;
        }
        try {
            return json.readValue(value, Session.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("session " + id + " is unreadable: " + e.getMessage(), e);
        }
    }

    public WeightClasses weightClasses() {
        return weightClasses;
    }
}
