package com.listinglens.app;

import com.listinglens.cache.StoreUnavailableException;
import com.listinglens.pool.Manifest;
import com.listinglens.pool.Pool;
import com.listinglens.pool.PoolException;
import com.listinglens.pool.PoolManager;
import com.listinglens.storage.ArtifactRefusedException;
import com.listinglens.storage.Artifacts;
import com.listinglens.storage.Backoff;
import com.listinglens.storage.Layout;
import com.listinglens.storage.LocalStorageException;
import com.listinglens.storage.Pointer;
import com.listinglens.storage.StorageException;
import com.listinglens.storage.StorageUnavailableException;
import com.listinglens.vector.VectorIndexException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Keeps every tenant's pool in step with the store. For each tenant it reads {@code pools/<tenant>/current}; when
 * the pointer names a new version it reads and checks the manifest (checksum against the pointer, format version,
 * embedding space, dimension) before fetching anything, brings the files to a verified local folder, opens the pool
 * beside the one serving and swaps it in; the old pool is freed when its last request releases it, and its cached
 * files are removed. A version failing any check is refused and remembered, so it is not fetched again until the
 * pointer moves (or an operator forces a reload); the old version keeps serving. When the store cannot be reached,
 * serving goes on, the watcher backs off, and health turns "stale" after {@code staleAfter}.
 */
public final class PoolSync implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PoolSync.class);

    /** What one synchronisation of one tenant did. */
    public enum Action { SWAPPED, UNCHANGED, REFUSED, UNAVAILABLE, UNPUBLISHED }

    public record Outcome(String tenant, Action action, String from, String to, String reason, String message) {
    }

    /** Puts an opened pool into service (the live changes hook in here). */
    @FunctionalInterface
    public interface Swapper {
        void swap(String tenant, PoolManager pools, Pool next);
    }

    /**
     * What the pools must match to be served: the model's space and dimension, and how to open them
     * ({@code exactRerank}: {@link Pool.OpenOptions#exact()}).
     */
    public record Expectations(String space, int dimension, boolean memoryMap, boolean verifyChecksums, int exactRerank) {

        public Expectations(String space, int dimension, boolean memoryMap, boolean verifyChecksums) {
            this(space, dimension, memoryMap, verifyChecksums, Pool.OpenOptions.DEFAULT_EXACT);
        }
    }

    private final Artifacts artifacts;
    private final Map<String, TenantPool> tenants;
    private final Expectations expect;
    private final Duration interval;
    private final Duration staleAfter;
    private final Backoff backoff;
    private final Clock clock;
    private final MeterRegistry registry;
    private final Swapper swapper;
    /** Tenants pinned to one version (a blue-green colour's): they serve it and never follow their pointer. */
    private final Map<String, String> pinned;
    private ScheduledExecutorService watcher;
    private volatile boolean closed;

    public PoolSync(Artifacts artifacts, Collection<String> tenantNames, Expectations expect, Duration interval,
                    Backoff backoff, Duration staleAfter, Clock clock, MeterRegistry registry, Swapper swapper) {
        this(artifacts, tenantNames, Map.of(), expect, interval, backoff, staleAfter, clock, registry, swapper);
    }

    /**
     * @param pinned tenant -> pool version for tenants that serve exactly that version instead of following
     *               {@code pools/<tenant>/current} (each must be one of {@code tenantNames})
     */
    public PoolSync(Artifacts artifacts, Collection<String> tenantNames, Map<String, String> pinned, Expectations expect,
                    Duration interval, Backoff backoff, Duration staleAfter, Clock clock, MeterRegistry registry, Swapper swapper) {
        this.artifacts = artifacts;
        this.swapper = swapper == null ? (tenant, pools, next) -> pools.swap(next) : swapper;
        Map<String, TenantPool> map = new LinkedHashMap<>();
        for (String t : tenantNames) {
            map.put(Layout.segment("tenant", t), new TenantPool(t));
        }
        if (map.isEmpty()) {
            throw new IllegalArgumentException("at least one tenant is needed (lens.tenants)");
        }
        this.tenants = Collections.unmodifiableMap(map);
        Map<String, String> pins = new LinkedHashMap<>();
        pinned.forEach((tenant, version) -> {
            if (!map.containsKey(tenant)) {
                throw new IllegalArgumentException("a pool version is pinned for tenant '" + tenant
                        + "', which is not served (lens.tenants: " + map.keySet() + ")");
            }
            pins.put(tenant, Layout.segment("pool version", version));
        });
        this.pinned = Collections.unmodifiableMap(pins);
        this.expect = expect;
        this.interval = interval;
        this.staleAfter = staleAfter;
        this.backoff = backoff;
        this.clock = clock;
        this.registry = registry;
        this.versions = MultiGauge.builder("lens.pool.version")
                .description("1 for the pool version each tenant serves (tags tenant, version)").register(registry);
        for (TenantPool t : map.values()) {
            Gauge.builder("lens.pool.listings", t, p -> p.serving().map(Manifest::listingCount).orElse(0L))
                    .tag("tenant", t.tenant()).description("listings in the tenant's pool").register(registry);
            Gauge.builder("lens.pool.sync.age", t, p -> p.lastSync() == null ? Double.NaN
                            : Duration.between(p.lastSync(), clock.instant()).toMillis() / 1000.0)
                    .tag("tenant", t.tenant()).baseUnit("seconds")
                    .description("seconds since the tenant's pointer was last read").register(registry);
            Gauge.builder("lens.pool.stale", t, p -> p.stale(clock.instant(), staleAfter) ? 1 : 0)
                    .tag("tenant", t.tenant()).description("1 when the tenant's pool may be out of date").register(registry);
        }
    }

    private final MultiGauge versions;

    /** One row per tenant that serves a pool: lens_pool_version{tenant, version} 1 (the row of a replaced one goes). */
    private void publishVersions() {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (TenantPool t : tenants()) {
            t.serving().ifPresent(m -> rows.add(MultiGauge.Row.of(
                    Tags.of("tenant", t.tenant(), "version", m.poolVersion()), 1)));
        }
        versions.register(rows, true);
    }

    public Optional<TenantPool> tenant(String name) {
        return Optional.ofNullable(name == null ? null : tenants.get(name));
    }

    public Collection<TenantPool> tenants() {
        return tenants.values();
    }

    /** The version a tenant is pinned to, empty when it follows its pointer. */
    public Optional<String> pinned(String tenant) {
        return Optional.ofNullable(pinned.get(tenant));
    }

    public boolean allLoaded() {
        return tenants.values().stream().allMatch(t -> t.pools().isLoaded());
    }

    public Duration staleAfter() {
        return staleAfter;
    }

    public Clock clock() {
        return clock;
    }

    public String store() {
        return artifacts.store().describe();
    }

    public List<Outcome> syncAll(boolean force) {
        List<Outcome> out = new ArrayList<>();
        for (TenantPool t : tenants.values()) {
            out.add(sync(t, force));
        }
        return out;
    }

    /**
     * Brings one tenant's pool in step with its pointer.
     *
     * @param force try again a version refused before (an operator fixed it in place)
     */
    public Outcome sync(TenantPool t, boolean force) {
        synchronized (t.syncLock) {
            String from = t.serving().map(Manifest::poolVersion).orElse(null);
            Pointer pointer;
            Manifest manifest;
            try {
                String pin = pinned.get(t.tenant());
                Optional<Pointer> p = pointer(t);
                t.synced(clock.instant());
                if (p.isEmpty()) {
                    return new Outcome(t.tenant(), Action.UNPUBLISHED, from, pin, "unpublished", pin == null
                            ? "no pool is published for tenant " + t.tenant() + " in " + store()
                            : "tenant " + t.tenant() + " is pinned to pool " + pin + ", which is not in " + store());
                }
                pointer = p.get();
                if (pointer.version().equals(from)) {
                    return new Outcome(t.tenant(), Action.UNCHANGED, from, from, null, "pool " + from + " is serving");
                }
                String key = refusalKey(pointer);
                if (!force && key.equals(t.refusedPointer)) {
                    TenantPool.Refusal r = t.refusal();
                    return new Outcome(t.tenant(), Action.REFUSED, from, pointer.version(), r.reason(),
                            "already refused: " + r.message());
                }
                if (artifacts.verifier().isPresent() && pointer.isOlderThan(t.servedPointer)) {
                    // a signed pointer older than the one served: a replay of an earlier publication, not a rollback
                    // (an operator rolls back by publishing the old version again, which signs a new pointer)
                    return refuse(t, from, pointer, "rollback", "the pointer to " + pointer.version() + " was published at "
                            + pointer.publishedAt() + ", before the one to " + from + " (" + t.servedPointer.publishedAt()
                            + ") that is served: an older signed pointer replayed; to roll back, publish " + pointer.version() + " again");
                }
                manifest = artifacts.poolManifest(t.tenant(), pointer);
                // refused on its manifest alone, before any file is fetched
                Pool.checkCompatible(manifest, expect.space(), expect.dimension());
                Path local = artifacts.fetchPool(t.tenant(), manifest, expect.verifyChecksums());
                long t0 = System.nanoTime();
                // the fetch verified every file: opening checks counts and the index, not the checksums again
                Pool next = Pool.open(local, new Pool.OpenOptions(expect.memoryMap(), false, expect.space(), expect.dimension(), 0, expect.exactRerank()));
                try {
                    swapper.swap(t.tenant(), t.pools(), next);
                } catch (RuntimeException e) {
                    next.discard();
                    throw e;
                }
                t.accepted(pointer);
                registry.counter("lens.pool.swaps", "tenant", t.tenant()).increment();
                publishVersions();
                LOG.infof("tenant %s: pool %s (%d listings) swapped in for %s, opened in %.1f s", t.tenant(),
                        manifest.poolVersion(), next.size(), from, (System.nanoTime() - t0) / 1e9);
                evict(t, manifest.poolVersion());
                return new Outcome(t.tenant(), Action.SWAPPED, from, manifest.poolVersion(), null,
                        "pool " + manifest.poolVersion() + " swapped in");
            } catch (StorageUnavailableException e) {
                t.unreachable(e.getMessage(), clock.instant());
                registry.counter("lens.storage.failures", "tenant", t.tenant()).increment();
                LOG.warnf("tenant %s: store unreachable, %s keeps serving: %s", t.tenant(), from, e.getMessage());
                return new Outcome(t.tenant(), Action.UNAVAILABLE, from, null, "store-unavailable", e.getMessage());
            } catch (LocalStorageException e) {
                // a full or read-only cache disk: the version is fine, so it is not refused; the next sync retries
                t.unreachable("local cache: " + e.getMessage(), clock.instant());
                registry.counter("lens.storage.failures", "tenant", t.tenant()).increment();
                LOG.warnf("tenant %s: cannot write the fetched pool locally, %s keeps serving: %s", t.tenant(), from, e.getMessage());
                return new Outcome(t.tenant(), Action.UNAVAILABLE, from, null, "cache-disk", e.getMessage());
            } catch (StoreUnavailableException e) {
                // the change log could not be read: swapping in a pool without its live changes could bring back
                // removed listings, so the old pool (with its changes) keeps serving until the log answers
                t.unreachable("change log: " + e.getMessage(), clock.instant());
                LOG.warnf("tenant %s: change log unreachable, %s keeps serving: %s", t.tenant(), from, e.getMessage());
                return new Outcome(t.tenant(), Action.UNAVAILABLE, from, null, "change-log-unavailable", e.getMessage());
            } catch (ArtifactRefusedException e) {
                return refuse(t, from, currentPointer(t), e.reason(), e.getMessage());
            } catch (PoolException e) {
                return refuse(t, from, currentPointer(t), e.reason(), e.getMessage());
            } catch (VectorIndexException e) {
                return refuse(t, from, currentPointer(t), "corrupt-index", e.getMessage());
            } catch (StorageException e) {
                return refuse(t, from, currentPointer(t), "invalid-pool", e.getMessage());
            } catch (RuntimeException e) {
                // whatever else a version does to the loader, it is refused: it never stops the other tenants' syncs
                LOG.error("tenant " + t.tenant() + ": unexpected failure loading a pool", e);
                return refuse(t, from, currentPointer(t), "invalid-pool", e.toString());
            }
        }
    }

    /** The tenant's pointer, or one to its pinned version; empty when nothing (or not the pinned version) is published. */
    private Optional<Pointer> pointer(TenantPool t) {
        String pin = pinned.get(t.tenant());
        return pin == null ? artifacts.poolPointer(t.tenant()) : artifacts.versionPointer(t.tenant(), pin);
    }

    /**
     * Re-reads the pointer only to name what was refused, unauthenticated (best effort: the refusal stands either way).
     */
    private Pointer currentPointer(TenantPool t) {
        try {
            String pin = pinned.get(t.tenant());
            return (pin == null ? artifacts.storedPoolPointer(t.tenant()) : artifacts.versionPointer(t.tenant(), pin)).orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * What identifies a refused pointer, so that it is not tried again until it changes: its version, manifest and
     * time (a version refused as a replay is taken when it is published again, with a new time).
     */
    private static String refusalKey(Pointer pointer) {
        return pointer.version() + "@" + pointer.manifestSha256() + "@" + pointer.publishedAt();
    }

    private Outcome refuse(TenantPool t, String from, Pointer pointer, String reason, String message) {
        String version = pointer == null ? null : pointer.version();
        t.refused(new TenantPool.Refusal(version, reason, message, clock.instant()),
                pointer == null ? null : refusalKey(pointer));
        registry.counter("lens.pool.refusals", "tenant", t.tenant(), "reason", reason).increment();
        LOG.warnf("tenant %s: pool %s refused (%s), %s keeps serving: %s", t.tenant(), version, reason, from, message);
        evict(t, from);
        return new Outcome(t.tenant(), Action.REFUSED, from, version, reason, message);
    }

    private void evict(TenantPool t, String keep) {
        try {
            int removed = artifacts.evictPools(t.tenant(), keep == null ? Set.of() : Set.of(keep));
            if (removed > 0) {
                LOG.debugf("tenant %s: %d cached pool version(s) removed", t.tenant(), removed);
            }
        } catch (RuntimeException e) {
            LOG.warnf("tenant %s: cannot clean the pool cache: %s", t.tenant(), e.getMessage());
        }
    }

    /**
     * Loads every tenant's pool, retrying with backoff while the store is unreachable or a tenant has nothing
     * published; returns once all are loaded (or the sync is closed).
     */
    public void loadAll() throws InterruptedException {
        while (!closed) {
            List<Outcome> outcomes = new ArrayList<>();
            for (TenantPool t : tenants.values()) {
                if (!t.pools().isLoaded()) {
                    outcomes.add(sync(t, false));
                }
            }
            if (allLoaded()) {
                backoff.succeeded();
                return;
            }
            Duration wait = backoff.failed(ThreadLocalRandom.current().nextDouble());
            outcomes.stream().filter(o -> o.action() != Action.SWAPPED).forEach(o ->
                    LOG.warnf("tenant %s has no pool yet (%s); next try in %s", o.tenant(), o.message(), wait));
            Thread.sleep(wait.toMillis());
        }
    }

    /** Starts watching the pointers: every interval, or after a backoff while the store is unreachable. */
    public synchronized void startWatching() {
        if (watcher != null || closed) {
            return;
        }
        watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread th = new Thread(r, "lens-pool-watch");
            th.setDaemon(true);
            return th;
        });
        watcher.schedule(this::tick, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void tick() {
        Duration next = interval;
        try {
            List<Outcome> outcomes = syncAll(false);
            if (outcomes.stream().anyMatch(o -> o.action() == Action.UNAVAILABLE)) {
                next = backoff.failed(ThreadLocalRandom.current().nextDouble());
            } else {
                backoff.succeeded();
            }
        } catch (RuntimeException e) {
            LOG.error("pool watch failed", e);
        } finally {
            synchronized (this) {
                if (!closed && watcher != null) {
                    watcher.schedule(this::tick, next.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        }
    }

    public Instant now() {
        return clock.instant();
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (watcher != null) {
            watcher.shutdownNow();
        }
        for (TenantPool t : tenants.values()) {
            t.pools().close();
        }
        artifacts.close();
    }
}
