package com.listinglens.live;

import com.listinglens.cache.StoreUnavailableException;
import com.listinglens.pool.ChangeId;
import com.listinglens.pool.Overlay;
import com.listinglens.pool.Pool;
import com.listinglens.pool.PoolManager;
import com.listinglens.storage.Backoff;
import io.micrometer.core.instrument.MeterRegistry;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Keeps each tenant's served pool in step with the change log: changes this replica appends are applied before the
 * call returns, changes other replicas append are read every poll interval, and a new pool version gets every change
 * its build did not fold in before it is swapped in, under the same lock as the appliers, so no change is ever missed
 * between the old pool and the new one.
 */
public final class LiveSync implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LiveSync.class);

    /** Where one tenant's live state stands, for health. */
    public record State(ChangeId through, int added, int removed, Instant lastRead, String error, Instant errorAt,
                        long unreadable) {

        /** One line for people (health, status page). */
        public String summary() {
            return added + " added, " + removed + " removed since the build (log applied through " + through + ")"
                    + (unreadable > 0 ? ", " + unreadable + " unusable changes skipped" : "");
        }
    }

    private static final class Tenant {
        final String name;
        final PoolManager pools;
        final Object lock = new Object();
        volatile Instant lastRead;
        volatile String error;
        volatile Instant errorAt;
        volatile long unreadable;

        Tenant(String name, PoolManager pools) {
            this.name = name;
            this.pools = pools;
        }
    }

    private final ChangeLog log;
    private final Map<String, Tenant> tenants;
    private final Duration interval;
    private final Backoff backoff;
    private final int pageSize;
    private final Clock clock;
    private final MeterRegistry registry;
    private ScheduledExecutorService poller;
    private volatile boolean closed;

    public LiveSync(ChangeLog log, Map<String, PoolManager> pools, Duration interval, Backoff backoff, int pageSize,
                    Clock clock, MeterRegistry registry) {
        if (pageSize < 1) {
            throw new IllegalArgumentException("page size must be >= 1");
        }
        this.log = log;
        Map<String, Tenant> map = new LinkedHashMap<>();
        pools.forEach((name, manager) -> map.put(name, new Tenant(name, manager)));
        this.tenants = Collections.unmodifiableMap(map);
        this.interval = interval;
        this.backoff = backoff;
        this.pageSize = pageSize;
        this.clock = clock;
        this.registry = registry;
    }

    public String describe() {
        return log.describe();
    }

    private Tenant tenant(String name) {
        Tenant t = tenants.get(name);
        if (t == null) {
            throw new IllegalArgumentException("unknown tenant " + name);
        }
        return t;
    }

    /**
     * Appends changes to the log and applies them (with anything other replicas appended before) to the served pool
     * before returning: a removal is gone from every later answer of this replica.
     */
    public List<Change> append(String tenant, List<Change> changes) {
        Tenant t = tenant(tenant);
        List<Change> appended = log.append(tenant, changes);
        for (Change c : appended) {
            registry.counter("lens.live.changes", "tenant", tenant, "op", c.op().name().toLowerCase()).increment();
        }
        catchUp(t);
        return appended;
    }

    /** Reads and applies what the log holds beyond the served pool's position; returns the new position. */
    public ChangeId catchUp(String tenant) {
        return catchUp(tenant(tenant));
    }

    private ChangeId catchUp(Tenant t) {
        synchronized (t.lock) {
            Pool pool = t.pools.acquire();
            try {
                ChangeId through = drain(t, pool.overlay());
                t.lastRead = clock.instant();
                t.error = null;
                t.errorAt = null;
                return through;
            } finally {
                t.pools.release(pool);
            }
        }
    }

    /** Applies every change after the overlay's position, page by page. */
    private ChangeId drain(Tenant t, Overlay overlay) {
        while (true) {
            ChangeLog.Batch batch = log.read(t.name, overlay.through(), pageSize);
            if (batch.isEmpty()) {
                return overlay.through();
            }
            List<Overlay.Edit> edits = new ArrayList<>(batch.changes().size());
            for (Change c : batch.changes()) {
                if (c.op() == Change.Op.ADD && overlay.space() != null && !overlay.space().equals(c.space())) {
                    // embedded by another model: it cannot be searched in this pool's space
                    t.unreadable++;
                    LOG.warnf("tenant %s: change %s adds %s embedded in space '%s', the pool is in '%s': skipped", t.name,
                            c.id(), c.listingId(), c.space(), overlay.space());
                    continue;
                }
                if (c.op() == Change.Op.ADD && c.embedding().length != overlay.dimension()) {
                    t.unreadable++;
                    LOG.warnf("tenant %s: change %s adds %s with dimension %d, the pool has %d: skipped", t.name, c.id(),
                            c.listingId(), c.embedding().length, overlay.dimension());
                    continue;
                }
                edits.add(c.toEdit());
            }
            for (String error : batch.errors()) {
                t.unreadable++;
                LOG.warnf("tenant %s: unreadable change skipped: %s", t.name, error);
            }
            overlay.apply(edits, batch.last());
            if (batch.changes().size() + batch.errors().size() < pageSize) {
                return overlay.through();
            }
        }
    }

    /**
     * Swaps {@code next} in for the tenant once it holds every change its build did not fold: the bulk is replayed
     * beside the serving pool, the rest under the appliers' lock right before the swap.
     */
    public void swap(String tenant, PoolManager pools, Pool next) {
        Tenant t = tenant(tenant);
        drain(t, next.overlay());
        synchronized (t.lock) {
            drain(t, next.overlay());
            pools.swap(next);
            t.lastRead = clock.instant();
        }
    }

    public State state(String tenant) {
        Tenant t = tenant(tenant);
        ChangeId through = null;
        int added = 0;
        int removed = 0;
        if (t.pools.isLoaded()) {
            Pool pool = t.pools.acquire();
            try {
                Overlay.Snapshot s = pool.overlay().snapshot();
                through = s.through();
                added = s.aliveCount();
                removed = s.removedCount();
            } finally {
                t.pools.release(pool);
            }
        }
        return new State(through, added, removed, t.lastRead, t.error, t.errorAt, t.unreadable);
    }

    /** Polls the log for every tenant each interval, backing off while it cannot be read. */
    public synchronized void startPolling() {
        if (poller != null || closed) {
            return;
        }
        poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread th = new Thread(r, "lens-live-poll");
            th.setDaemon(true);
            return th;
        });
        poller.schedule(this::poll, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void poll() {
        Duration next = interval;
        try {
            boolean failed = false;
            for (Tenant t : tenants.values()) {
                if (!t.pools.isLoaded()) {
                    continue;
                }
                try {
                    catchUp(t);
                } catch (StoreUnavailableException e) {
                    failed = true;
                    if (t.error == null) {
                        LOG.warnf("tenant %s: change log unreachable, serving the changes applied so far: %s", t.name,
                                e.getMessage());
                    }
                    t.error = e.getMessage();
                    t.errorAt = clock.instant();
                    registry.counter("lens.live.failures", "tenant", t.name).increment();
                }
            }
            if (failed) {
                next = backoff.failed(ThreadLocalRandom.current().nextDouble());
            } else {
                backoff.succeeded();
            }
        } catch (RuntimeException e) {
            LOG.error("change log poll failed", e);
        } finally {
            synchronized (this) {
                if (!closed && poller != null) {
                    poller.schedule(this::poll, next.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (poller != null) {
            poller.shutdownNow();
        }
        log.close();
    }
}
