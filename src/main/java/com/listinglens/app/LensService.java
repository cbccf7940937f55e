package com.listinglens.app;

import com.listinglens.config.LensConfig;
import com.listinglens.embedding.DjlEmbedder;
import com.listinglens.embedding.Embedder;
import com.listinglens.pipeline.SuggestPipeline;
import com.listinglens.pool.Pool;
import com.listinglens.pool.PoolManager;
import com.listinglens.vector.FaissIndex;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Owns the model and the pool of the running service. Both are loaded on a background thread at start-up,
 * so liveness answers at once while readiness stays down until the service can really answer.
 */
@ApplicationScoped
public class LensService {

    private static final Logger LOG = Logger.getLogger(LensService.class);

    /** Where loading stands; readiness reports it. */
    public enum State { STARTING, LOADING_MODEL, LOADING_POOL, READY, FAILED }

    private final LensConfig config;
    private final PoolManager pools = new PoolManager();
    private final Counter swaps;
    private final Counter refusals;
    private volatile String lastRefusal;
    private final AtomicReference<State> state = new AtomicReference<>(State.STARTING);
    private volatile String failure;
    private volatile Embedder embedder;
    private volatile SuggestPipeline pipeline;

    public LensService(LensConfig config, MeterRegistry registry) {
        this.config = config;
        this.swaps = registry.counter("lens.pool.swaps");
        this.refusals = registry.counter("lens.pool.refusals");
    }

    /** What a reload did. */
    public record Reload(boolean swapped, String from, String to, String reason) {
    }

    /**
     * Loads the pool now at the configured directory beside the one serving and swaps it in, if its version is
     * new. A pool that fails any check is refused: the old one keeps serving, and the reason is kept for health
     * and counted. Requests holding the old pool finish on it; it is freed when the last one releases it.
     */
    public synchronized Reload reloadPool() {
        Embedder e = embedder;
        if (e == null || state.get() != State.READY) {
            throw new NotReadyException("the service is not serving yet (" + state.get().name().toLowerCase() + ")");
        }
        String from = pools.manifest().map(m -> m.poolVersion()).orElse(null);
        Pool next;
        try {
            String version = com.listinglens.pool.PoolFiles.readManifest(config.pool().dir()).poolVersion();
            if (version.equals(from)) {
                return new Reload(false, from, from, "pool " + version + " is already serving");
            }
            next = Settings.openPool(config, config.pool().dir(), e);
        } catch (RuntimeException ex) {
            refusals.increment();
            lastRefusal = java.time.Instant.now() + ": " + ex.getMessage();
            LOG.warn("pool refused, " + from + " keeps serving: " + ex.getMessage());
            throw new PoolRefusedException("pool at " + config.pool().dir() + " refused; " + from + " keeps serving: "
                    + ex.getMessage(), ex);
        }
        pools.swap(next);
        swaps.increment();
        lastRefusal = null;
        LOG.infof("pool %s swapped in for %s (%d listings)", next.manifest().poolVersion(), from, next.size());
        return new Reload(true, from, next.manifest().poolVersion(), null);
    }

    /** The last refused pool and why, until a pool is accepted again. */
    public String lastRefusal() {
        return lastRefusal;
    }

    /** A new pool failed its checks; the old one still serves. */
    public static final class PoolRefusedException extends RuntimeException {
        public PoolRefusedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    void onStart(@Observes StartupEvent event) {
        Thread loader = new Thread(this::load, "lens-loader");
        loader.setDaemon(true);
        loader.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        pools.close();
        Embedder e = embedder;
        if (e != null) {
            try {
                e.close();
            } catch (Exception ex) {
                LOG.warn("closing the model failed", ex);
            }
        }
    }

    private void load() {
        try {
            long t0 = System.nanoTime();
            state.set(State.LOADING_MODEL);
            LensConfig.Model m = config.model();
            Embedder loaded = new DjlEmbedder(Settings.model(m, m.precision()));
            embedder = loaded;
            LOG.infof("model %s (%s, %s) loaded in %.1f s", m.name(), loaded.info().precision(), loaded.info().device(),
                    (System.nanoTime() - t0) / 1e9);
            state.set(State.LOADING_POOL);
            long t1 = System.nanoTime();
            if (config.search().threads() > 0) {
                FaissIndex.setThreads(config.search().threads());
            }
            Pool pool = Settings.openPool(config, config.pool().dir(), loaded);
            pools.swap(pool);
            LOG.infof("pool %s (%d listings) loaded from %s in %.1f s", pool.manifest().poolVersion(), pool.size(),
                    config.pool().dir().toAbsolutePath(), (System.nanoTime() - t1) / 1e9);
            pipeline = Settings.pipeline(config, loaded, pools);
            state.set(State.READY);
        } catch (Throwable t) {
            failure = t.getMessage() == null ? t.toString() : t.getMessage();
            state.set(State.FAILED);
            LOG.error("Listing Lens cannot serve: " + failure, t);
        }
    }

    public State state() {
        return state.get();
    }

    public String failure() {
        return failure;
    }

    /** The pipeline, once model and pool are loaded. */
    public SuggestPipeline pipeline() {
        SuggestPipeline p = pipeline;
        if (p == null) {
            throw new NotReadyException(state.get() == State.FAILED
                    ? "the service failed to load: " + failure
                    : "the model and pool are still loading (" + state.get().name().toLowerCase().replace('_', ' ') + ")");
        }
        return p;
    }

    public PoolManager pools() {
        return pools;
    }

    public Embedder embedder() {
        return embedder;
    }

    public LensConfig config() {
        return config;
    }

    /** The service cannot answer yet (or at all): 503. */
    public static final class NotReadyException extends RuntimeException {
        public NotReadyException(String message) {
            super(message);
        }
    }
}
