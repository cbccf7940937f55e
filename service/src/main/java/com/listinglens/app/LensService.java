package com.listinglens.app;

import com.listinglens.config.LensConfig;
import com.listinglens.config.Settings;
import com.listinglens.embedding.Embedder;
import com.listinglens.embedding.MicroBatcher;
import com.listinglens.image.DecodeBudget;
import com.listinglens.image.OpenCv;
import com.listinglens.live.ChangeLog;
import com.listinglens.live.LiveSync;
import com.listinglens.pipeline.SuggestPipeline;
import com.listinglens.pool.PoolManager;
import com.listinglens.storage.Artifacts;
import com.listinglens.storage.Backoff;
import com.listinglens.vector.FaissIndex;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Owns the model and the tenants' pools of the running service. They are loaded on a background thread at
 * start-up, so liveness answers at once while readiness stays down until every tenant's pool is loaded; then
 * {@link PoolSync} watches the store for new pool versions.
 */
@ApplicationScoped
public class LensService {

    private static final Logger LOG = Logger.getLogger(LensService.class);

    /** Where loading stands; readiness reports it. */
    public enum State { STARTING, LOADING_MODEL, LOADING_POOL, WARMING_UP, READY, FAILED }

    private final LensConfig config;
    private final MeterRegistry registry;
    private final AtomicReference<State> state = new AtomicReference<>(State.STARTING);
    private volatile String failure;
    private volatile Embedder embedder;
    private volatile String modelSpace;
    private volatile List<Integer> modelViews = List.of();
    private volatile String modelVersion;
    private volatile PoolSync sync;
    private volatile LiveSync live;
    private volatile SuggestPipeline pipeline;
    private volatile InferencePathReport inferencePath;

    public LensService(LensConfig config, MeterRegistry registry) {
        this.config = config;
        this.registry = registry;
        Gauge.builder("lens.native.memory", FaissIndex::nativeMemoryInUse).baseUnit("bytes")
                .description("bytes held from the C allocator: indexes, libtorch and OpenCV memory (not the Java heap)")
                .register(registry);
    }

    /** A request named a tenant this service does not serve: 404. */
    public static final class UnknownTenantException extends RuntimeException {
        public UnknownTenantException(String message) {
            super(message);
        }
    }

    /**
     * Reads the pointers now (one tenant, or all when {@code tenant} is null) and swaps in what is new, retrying
     * versions refused before. What each tenant's sync did is answered; refusals leave the old pool serving.
     */
    public ReloadResponse reload(String tenant) {
        PoolSync s = sync;
        if (s == null || state.get() != State.READY) {
            throw new NotReadyException("the service is not serving yet (" + state.get().name().toLowerCase() + ")");
        }
        if (tenant == null) {
            return new ReloadResponse(s.syncAll(true));
        }
        return new ReloadResponse(List.of(s.sync(tenant(tenant), true)));
    }

    /** The tenant's pool and sync state; unknown tenants are refused. */
    public TenantPool tenant(String name) {
        PoolSync s = sync;
        if (s == null) {
            throw new NotReadyException("the pools are still loading (" + state.get().name().toLowerCase().replace('_', ' ') + ")");
        }
        // the tenants served are not listed: one marketplace's clients need not learn the others' names
        return s.tenant(name).orElseThrow(() -> new UnknownTenantException("unknown tenant '" + name + "'"));
    }

    /** The tenant of a request: the one it names, else the configured default; none at all is a 400. */
    public String resolveTenant(String named) {
        if (named != null && !named.isBlank()) {
            return named.strip();
        }
        return config.defaultTenant().filter(t -> !t.isBlank()).orElseThrow(() -> new MissingTenantException(
                "name the tenant in the X-Tenant header or the path /v1/tenants/{tenant}/..."));
    }

    /**
     * The tenant of one request, resolved once: the one it names (or the default: {@link #resolveTenant}, 400 without
     * either), with the model and pools ready when {@code withModel} ({@link #pipeline()}, 503 otherwise), and served
     * here ({@link #tenant}, 404 otherwise), checked in that order.
     */
    public TenantScope scope(String named, boolean withModel) {
        String name = resolveTenant(named);
        SuggestPipeline p = withModel ? pipeline() : null;
        return new TenantScope(tenant(name), p);
    }

    /** A request named no tenant and there is no default: 400. */
    public static final class MissingTenantException extends RuntimeException {
        public MissingTenantException(String message) {
            super(message);
        }
    }

    void onStart(@Observes StartupEvent event) {
        Thread loader = new Thread(this::load, "lens-loader");
        loader.setDaemon(true);
        loader.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        LiveSync l = live;
        if (l != null) {
            l.close();
        }
        PoolSync s = sync;
        if (s != null) {
            s.close();
        }
        Embedder e = embedder;
        if (e != null) {
            try {
                e.close();
            } catch (Exception ex) {
                LOG.warn("closing the model failed", ex);
            }
        }
    }

    /** The model behind the micro-batcher (lens.model.batching), one worker per predictor. */
    static Embedder batched(Embedder model, LensConfig.Model m) {
        LensConfig.Model.Batching b = m.batching();
        if (!b.enabled()) {
            return model;
        }
        return new MicroBatcher(model, new MicroBatcher.Settings(
                b.maxBatch(), b.maxWaitMicros(), b.queueCapacity(), Math.max(1, m.predictors()),
                Math.max(1, (b.retryAfter().toMillis() + 999) / 1000)));
    }

    private void load() {
        Artifacts artifacts = null;
        try {
            long t0 = System.nanoTime();
            state.set(State.LOADING_MODEL);
            if (config.redis().enabled()) {
                Settings.checkRedis(config.redis(), config.search().cursorTtl());
            }
            OpenCv.threads(config.image().opencvThreads());
            artifacts = Settings.artifacts(config);
            LensConfig.Model m = config.model();
            Artifacts store = artifacts;
            LensConfig.Storage storage = config.storage();
            ServingModel.Loaded served = new Backoff(storage.backoffInitial(), storage.backoffMax()).retry(
                    Math.max(1, storage.modelAttempts()), () -> ServingModel.load(config, store), (e, wait) -> {
                        failure = "the store is unreachable (" + e.getMessage() + "); fetching the model again in " + String.format(Locale.ROOT, "%.1f", wait.toMillis() / 1000.0) + " s";
                        LOG.warn(failure);
                    }, d -> Thread.sleep(d.toMillis()));
            failure = null;
            Settings.ResolvedModel resolved = served.resolved();
            Embedder loaded = batched(served.embedder(), m);
            embedder = loaded;
            modelSpace = resolved.space();
            modelViews = Settings.scales(config, resolved).crops();
            modelVersion = resolved.version();
            inferencePath = new InferencePathReport(served.path(), served.how(), served.reason(), served.probe());
            MultiGauge.builder("lens.model.version")
                    .description("1 for the model being served (tags name, version, precision, device, space, path)")
                    .register(registry)
                    .register(List.of(MultiGauge.Row.of(Tags.of(
                            "name", m.name(), "version", resolved.version() == null ? "unversioned" : resolved.version(),
                            "precision", loaded.info().precision(), "device", loaded.info().device(),
                            "space", String.valueOf(resolved.space()), "path", served.path()), 1)), true);
            inferencePath.register(registry);
            LOG.infof("model %s%s (%s, %s, space %s) loaded in %.1f s; serving path %s (%s)", m.name(),
                    resolved.version() == null ? "" : " " + resolved.version(), loaded.info().precision(), loaded.info().device(),
                    resolved.space(), (System.nanoTime() - t0) / 1e9, served.path(), served.reason());
            state.set(State.LOADING_POOL);
            long t1 = System.nanoTime();
            if (config.search().threads() > 0) {
                FaissIndex.setThreads(config.search().threads());
            }
            LensConfig.Storage st = config.storage();
            Optional<ChangeLog> changeLog = Settings.changeLog(config);
            AtomicReference<LiveSync> liveRef = new AtomicReference<>();
            PoolSync s = new PoolSync(artifacts, config.tenants(), Settings.pinnedPools(config.pool().versions().orElse(List.of())),
                    new PoolSync.Expectations(resolved.space(), loaded.dimension(), config.pool().memoryMap(), config.pool().verifyChecksums(),
                            config.pool().exactRerank()),
                    st.watchInterval(), new Backoff(st.backoffInitial(), st.backoffMax()), st.staleAfter(), Clock.systemUTC(), registry,
                    changeLog.isEmpty() ? null : (tenant, pools, next) -> liveRef.get().swap(tenant, pools, next));
            artifacts = null;
            if (changeLog.isPresent()) {
                Map<String, PoolManager> managers = new LinkedHashMap<>();
                s.tenants().forEach(t -> managers.put(t.tenant(), t.pools()));
                LensConfig.Live lc = config.live();
                LiveSync l = new LiveSync(changeLog.get(), managers, lc.pollInterval(),
                        new Backoff(st.backoffInitial(), st.backoffMax()), lc.pageSize(), Clock.systemUTC(), registry,
                        LiveSync.Retention.of(lc.replicaTtl(), lc.trimInterval(), lc.trim()));
                LOG.infof("live changes: replica %s; the change log is trimmed %s once every live replica's pool folded it "
                        + "(records count %s)", l.replica(), lc.trim() ? "every " + lc.trimInterval() : "by other replicas",
                        lc.replicaTtl());
                liveRef.set(l);
                live = l;
            }
            sync = s;
            pipeline = Settings.pipeline(config, loaded, Settings.suggest(config.suggest()), Settings.scales(config, resolved));
            DecodeBudget budget = pipeline.decodeBudget();
            Gauge.builder("lens.decode.budget.used", budget, DecodeBudget::used)
                    .baseUnit("bytes").description("bytes held by photo decodes now (lens.image.decode-budget-mb)").register(registry);
            Gauge.builder("lens.decode.budget.capacity", budget, DecodeBudget::capacity)
                    .baseUnit("bytes").description("bytes photo decodes may hold at once").register(registry);
            LOG.infof("photo decodes may hold %d MB at once (%s)", budget.capacity() >> 20,
                    config.image().decodeBudgetMb().isPresent() ? "lens.image.decode-budget-mb" : "a quarter of the memory limit");
            if (live != null) {
                // from the first pool on: its record of how far the pool folded the log is refreshed (a slow load of
                // another tenant must not let it lapse) and the changes after it are applied
                live.startPolling();
            }
            s.loadAll();
            LOG.infof("pools of %s loaded from %s in %.1f s", config.tenants(), s.store(), (System.nanoTime() - t1) / 1e9);
            state.set(State.WARMING_UP);
            Warmup.run(pipeline, s.tenants().stream().map(TenantPool::pools).filter(PoolManager::isLoaded)
                    .findFirst().orElse(null), m.warmupPhotos());
            state.set(State.READY);
            s.startWatching();
        } catch (Throwable t) {
            failure = t.getMessage() == null ? t.toString() : t.getMessage();
            state.set(State.FAILED);
            LOG.error("Listing Lens cannot serve: " + failure, t);
            if (artifacts != null) {
                artifacts.close();
            }
        }
    }

    public State state() {
        return state.get();
    }

    public String failure() {
        return failure;
    }

    /** The pipeline, once model and pools are loaded. */
    public SuggestPipeline pipeline() {
        SuggestPipeline p = pipeline;
        if (p == null || state.get() != State.READY) {
            throw new NotReadyException(state.get() == State.FAILED
                    ? "the service failed to load: " + failure
                    : "the model and pools are still loading (" + state.get().name().toLowerCase().replace('_', ' ') + ")");
        }
        return p;
    }

    /** Live changes, once the pools are loading; empty when disabled (lens.live.enabled, lens.redis.enabled). */
    public Optional<LiveSync> live() {
        return Optional.ofNullable(live);
    }

    /** The pool synchronisation, once the model is loaded (null before). */
    public PoolSync sync() {
        return sync;
    }

    public Embedder embedder() {
        return embedder;
    }

    /** How the model runs and why (null until the model is loaded). */
    public InferencePathReport inferencePath() {
        return inferencePath;
    }

    /** The views (crop sizes) each photo is embedded at: the model version's, lens.model.views, or lens.image.scales. */
    public List<Integer> modelViews() {
        return modelViews;
    }

    public String modelSpace() {
        return modelSpace;
    }

    public String modelVersion() {
        return modelVersion;
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
