package com.listinglens.live;

import com.listinglens.cache.StoreUnavailableException;
import com.listinglens.pool.ChangeId;
import com.listinglens.pool.Manifest;
import com.listinglens.pool.Overlay;
import com.listinglens.pool.Pool;
import com.listinglens.pool.PoolException;
import com.listinglens.pool.PoolFiles;
import com.listinglens.pool.PoolManager;
import com.listinglens.storage.Backoff;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import org.jboss.logging.Logger;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
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
 * <p>
 * The log is trimmed once every serving replica's pool has folded it: each replica ({@link Retention#replica()}, a
 * random id per process) records per tenant how far its serving pool folded the log ({@link ChangeLog#hold}),
 * refreshing the record every poll; every {@link Retention#trimInterval()} it trims what all unexpired records folded
 * ({@link ChangeLog#trim}). A pool that folded less than the log was trimmed cannot get the changes in between, so it
 * is refused ({@link PoolException#LOG_TRIMMED}), and a replica whose record expired while the log was trimmed past
 * what it applied says so in its state (health's {@code liveError}).
 */
public final class LiveSync implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LiveSync.class);

    /**
     * How this replica takes part in trimming: its id, how long its record counts without a refresh, how often it trims
     * ({@code trim} false: it records, so others' trims respect it, but trims nothing itself).
     */
    public record Retention(String replica, Duration replicaTtl, Duration trimInterval, boolean trim) {

        public Retention {
            if (replica == null || !replica.matches("[A-Za-z0-9._-]{1,64}")) {
                throw new IllegalArgumentException("a replica id is 1-64 characters of [A-Za-z0-9._-], got '" + replica + "'");
            }
            if (replicaTtl.isNegative() || replicaTtl.isZero() || trimInterval.isNegative() || trimInterval.isZero()) {
                throw new IllegalArgumentException("lens.live.replica-ttl and trim-interval must be positive");
            }
        }

        /** This process's retention with a fresh random replica id. */
        public static Retention of(Duration replicaTtl, Duration trimInterval, boolean trim) {
            return new Retention(randomReplicaId(), replicaTtl, trimInterval, trim);
        }

        public static String randomReplicaId() {
            byte[] b = new byte[8];
            new SecureRandom().nextBytes(b);
            return HexFormat.of().formatHex(b);
        }
    }

    /** Where one tenant's live state stands, for health. */
    public record State(ChangeId through, int added, int removed, Instant lastRead, String error, Instant errorAt,
                        long unreadable, ChangeId folded, ChangeId trimmed) {

        /** One line for people (health, status page). */
        public String summary() {
            return added + " added, " + removed + " removed since the build (log applied through " + through + ")"
                    + (unreadable > 0 ? ", " + unreadable + " unusable changes skipped" : "")
                    + (folded == null ? "" : "; the pool folded the log through " + folded)
                    + (trimmed == null || trimmed.equals(ChangeId.ZERO) ? "" : ", the log is trimmed through " + trimmed);
        }
    }

    private static final class Tenant {
        final String name;
        final PoolManager pools;
        final Object lock = new Object();
        /** Orders this replica's record writes: a refresh never overwrites a swap's lower record with a stale value. */
        final Object holdLock = new Object();
        volatile Instant lastRead;
        volatile String error;
        volatile Instant errorAt;
        volatile long unreadable;
        /** What this replica records for the serving pool (null: none serving). */
        volatile ChangeId holding;
        /** While a pool is being swapped in: the lower record that covers its replay (null: no swap). */
        volatile ChangeId swapping;
        /** The trim point last read. */
        volatile ChangeId trimmed = ChangeId.ZERO;
        /** Set when the log was trimmed past what this replica applied: the changes in between are missing here. */
        volatile String gap;
        volatile Instant gapAt;
        volatile long trimmedEntries;

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
    private final Retention retention;
    private volatile Instant lastTrim;
    private ScheduledExecutorService poller;
    private volatile boolean closed;

    /** With a random replica id, records counting 10 minutes, a trim every minute. */
    public LiveSync(ChangeLog log, Map<String, PoolManager> pools, Duration interval, Backoff backoff, int pageSize,
                    Clock clock, MeterRegistry registry) {
        this(log, pools, interval, backoff, pageSize, clock, registry,
                Retention.of(Duration.ofMinutes(10), Duration.ofMinutes(1), true));
    }

    public LiveSync(ChangeLog log, Map<String, PoolManager> pools, Duration interval, Backoff backoff, int pageSize,
                    Clock clock, MeterRegistry registry, Retention retention) {
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
        this.retention = retention;
        if (retention.replicaTtl().compareTo(interval.multipliedBy(3)) < 0) {
            throw new IllegalArgumentException("lens.live.replica-ttl (" + retention.replicaTtl()
                    + ") must be at least 3 poll intervals (" + interval.multipliedBy(3) + ")");
        }
        for (Tenant t : map.values()) {
            registry.more().counter("lens.live.trimmed", List.of(Tag.of("tenant", t.name)), t,
                    x -> x.trimmedEntries);
        }
    }

    public String describe() {
        return log.describe();
    }

    public String replica() {
        return retention.replica();
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
     * beside the serving pool, the rest under the appliers' lock right before the swap. Refused
     * ({@link PoolException#LOG_TRIMMED}) when the log was trimmed past the pool's fold: the changes in between are gone.
     */
    public void swap(String tenant, PoolManager pools, Pool next) {
        Tenant t = tenant(tenant);
        ChangeId fold = folded(next.manifest());
        ChangeId hold = holdable(next.manifest());
        ChangeId serving = t.holding;
        // recorded before the trim point is read, atomically: no trim passes it from then on
        ChangeId interim = serving == null || hold.compareTo(serving) < 0 ? hold : serving;
        try {
            ChangeId trimmed;
            synchronized (t.holdLock) {
                t.swapping = interim;
                trimmed = log.hold(t.name, retention.replica(), interim, expiry());
            }
            t.trimmed = trimmed;
            if (trimmed.isAfter(fold)) {
                registry.counter("lens.live.refusals", "tenant", t.name).increment();
                throw new PoolException(PoolException.LOG_TRIMMED, "pool " + next.manifest().poolVersion() + " folded the change log of tenant "
                        + t.name + " through " + fold + " but the log was trimmed through " + trimmed + " (every serving replica's "
                        + "pool had folded it): the changes in between cannot be replayed; rebuild (bin/lens build-pool --publish) "
                        + "or publish a pool that folded the log at least through " + trimmed);
            }
            drain(t, next.overlay());
            synchronized (t.lock) {
                drain(t, next.overlay());
                pools.swap(next);
                t.holding = hold;
                t.lastRead = clock.instant();
            }
        } finally {
            synchronized (t.holdLock) {
                t.swapping = null;
                try {
                    t.trimmed = log.hold(t.name, retention.replica(), t.holding == null ? ChangeId.ZERO : t.holding, expiry());
                } catch (StoreUnavailableException e) {
                    // the record stays at the lower interim value until the next poll refreshes it: that only holds trims back
                    LOG.debugf("tenant %s: cannot refresh this replica's fold record: %s", t.name, e.getMessage());
                }
            }
        }
    }

    /** How far the pool's build folded the log (ZERO: it folded nothing). */
    public static ChangeId folded(Manifest m) {
        if (m == null || m.live() == null) {
            return ChangeId.ZERO;
        }
        ChangeId through = ChangeId.parseOrNull(m.live().through());
        return through == null ? ChangeId.ZERO : through;
    }

    /**
     * What a replica serving the pool records: its fold when the pool carries the changes it folded (the next build
     * starts from them), else ZERO, so the log is kept whole for the next build while such a pool serves.
     */
    public static ChangeId holdable(Manifest m) {
        return m != null && m.hasFile(PoolFiles.LIVE_CHANGES) ? folded(m) : ChangeId.ZERO;
    }

    private Instant expiry() {
        return clock.instant().plus(retention.replicaTtl());
    }

    /**
     * Refreshes this replica's record of the tenant (the serving pool's fold, or the lower one of a swap under way)
     * and checks that the log was not trimmed past what the serving pool applied.
     */
    private void heartbeat(Tenant t) {
        ChangeId serving;
        ChangeId trimmed;
        synchronized (t.holdLock) {
            serving = t.holding;
            ChangeId swapping = t.swapping;
            ChangeId value = serving == null ? ChangeId.ZERO : serving;
            if (swapping != null && swapping.compareTo(value) < 0) {
                value = swapping;
            }
            trimmed = log.hold(t.name, retention.replica(), value, expiry());
        }
        t.trimmed = trimmed;
        if (serving == null || !t.pools.isLoaded()) {
            return;
        }
        Pool pool = t.pools.acquire();
        try {
            ChangeId applied = pool.overlay().through();
            if (trimmed.isAfter(applied) && t.gap == null) {
                t.gapAt = clock.instant();
                t.gap = "the change log was trimmed through " + trimmed + ", past the changes this replica applied (through "
                        + applied + "): its record had expired (unreachable for longer than lens.live.replica-ttl "
                        + retention.replicaTtl() + "?), so the changes in between are missing here; restart it once a pool "
                        + "that folded at least " + trimmed + " is published";
                LOG.errorf("tenant %s: %s", t.name, t.gap);
                registry.counter("lens.live.gaps", "tenant", t.name).increment();
            }
        } finally {
            t.pools.release(pool);
        }
    }

    /** Trims what every live replica's pool folded, for every tenant (what the poll does each trim interval). */
    public void trimAll() {
        for (Tenant t : tenants.values()) {
            ChangeLog.Trim trim = log.trim(t.name, clock.instant());
            t.trimmed = trim.through();
            if (trim.removed() > 0) {
                t.trimmedEntries += trim.removed();
                LOG.infof("tenant %s: %d change-log entries folded by all %d live replicas trimmed (through %s)", t.name,
                        trim.removed(), trim.holders(), trim.through());
            }
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
        String error = t.gap != null ? t.gap : t.error;
        return new State(through, added, removed, t.lastRead, error, t.gap != null ? t.gapAt : t.errorAt, t.unreadable, t.holding,
                t.trimmed);
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
                try {
                    heartbeat(t);
                    if (t.pools.isLoaded()) {
                        catchUp(t);
                    }
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
                Instant now = clock.instant();
                if (retention.trim() && (lastTrim == null || !now.isBefore(lastTrim.plus(retention.trimInterval())))) {
                    lastTrim = now;
                    try {
                        trimAll();
                    } catch (StoreUnavailableException e) {
                        LOG.warnf("change log trim failed (next in %s): %s", retention.trimInterval(), e.getMessage());
                    }
                }
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
        for (Tenant t : tenants.values()) {
            try {
                // a stopped replica no longer holds trims back (else its record would, until it expires)
                log.release(t.name, retention.replica());
            } catch (RuntimeException e) {
                LOG.debugf("tenant %s: cannot drop this replica's fold record: %s", t.name, e.getMessage());
            }
        }
        log.close();
    }
}
