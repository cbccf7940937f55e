package com.listinglens.live;

import com.listinglens.cache.RedisSettings;
import com.listinglens.cache.RedisStore;
import com.listinglens.catalog.Listing;
import com.listinglens.pool.ChangeId;
import com.listinglens.pool.ListingFilter;
import com.listinglens.pool.Pool;
import com.listinglens.pool.PoolException;
import com.listinglens.pool.PoolManager;
import com.listinglens.storage.Backoff;
import com.listinglens.support.PoolWriter;
import com.listinglens.support.RedisServer;
import com.listinglens.vector.SearchParams;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Trimming the change log in a real Redis: entries go once every live replica's pool folded them, and not before; an
 * expired replica stops holding them; a pool that folded less than the log was trimmed is refused; a fresh replica
 * with the newest pool still gets every change after its fold; a replica whose record lapsed while the log was
 * trimmed past it reports the gap.
 */
class ChangeLogTrimRedisTest {

    static final int N = 200;
    static final int D = 16;
    static final Instant AT = Instant.parse("2026-11-23T10:00:00Z");

    @TempDir
    static Path tmp;
    static RedisServer redis;
    static float[] vectors;
    static List<Listing> listings;
    static Path unfolded;

    @BeforeAll
    static void setUp() throws Exception {
        redis = new RedisServer();
        vectors = PoolWriter.unitVectors(N, D, 7);
        listings = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            listings.add(new Listing("L" + i, i + ".jpg", "t" + i, List.of("C" + (i % 5)), null, null, null, null));
        }
        unfolded = PoolWriter.write(tmp.resolve("p0"), "p0", listings, vectors, D, "IDMap,Flat");
    }

    @AfterAll
    static void tearDown() {
        redis.close();
    }

    /** A clock tests move. */
    static final class TestClock extends Clock {
        volatile Instant now;

        TestClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    static RedisChangeLog log() {
        return new RedisChangeLog(new RedisStore(new RedisSettings("127.0.0.1", redis.port(), null, null, false, 0,
                Duration.ofSeconds(2), 4, Duration.ofMillis(100))), true);
    }

    static LiveSync live(PoolManager pools, String tenant, String replica, Clock clock) {
        return new LiveSync(log(), Map.of(tenant, pools), Duration.ofMillis(100), new Backoff(Duration.ofMillis(100),
                Duration.ofMillis(400)), 3, clock, new SimpleMeterRegistry(),
                new LiveSync.Retention(replica, Duration.ofMinutes(10), Duration.ofHours(1), false));
    }

    static Change add(String id, float[] v) {
        return Change.add(new Listing(id, id + ".jpg", id, List.of("New"), null, null, null, null), v, PoolWriter.SPACE, AT);
    }

    static float[] row(int i) {
        return Arrays.copyOfRange(vectors, i * D, (i + 1) * D);
    }

    /** A pool built from the catalog with {@code changes} folded (carried when {@code carry}), as build-pool makes it. */
    static Path folded(String version, List<Change> changes, boolean carry) {
        Set<String> dropped = new HashSet<>();
        Map<String, Change> added = new java.util.LinkedHashMap<>();
        for (Change c : changes) {
            dropped.add(c.listingId());
            added.remove(c.listingId());
            if (c.op() == Change.Op.ADD) {
                added.put(c.listingId(), c);
            }
        }
        List<Listing> kept = new ArrayList<>();
        List<float[]> rows = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            if (!dropped.contains(listings.get(i).id())) {
                kept.add(listings.get(i));
                rows.add(row(i));
            }
        }
        for (Change c : added.values()) {
            kept.add(c.listing());
            rows.add(c.embedding());
        }
        float[] v = new float[rows.size() * D];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, v, i * D, D);
        }
        return PoolWriter.writeFolded(tmp.resolve(version + "-" + System.nanoTime()), version, kept, v, D, "IDMap,Flat",
                changes.get(changes.size() - 1).id(), carry ? changes : null);
    }

    static List<String> top(PoolManager pools, float[] q, int k) {
        Pool p = pools.acquire();
        try {
            return p.search(new float[][]{q}, k, SearchParams.DEFAULT, ListingFilter.NONE).rows().get(0).stream()
                    .map(n -> n.listing().id()).toList();
        } finally {
            pools.release(p);
        }
    }

    static List<ChangeId> ids(RedisChangeLog log, String tenant) {
        return log.read(tenant, ChangeId.ZERO, 10_000).changes().stream().map(Change::id).toList();
    }

    @Test
    void trimRemovesExactlyWhatEveryLiveReplicaFoldedAndAnExpiredReplicaNoLongerHoldsIt() {
        String tenant = "trim-" + System.nanoTime();
        Instant now = Instant.parse("2026-11-23T12:00:00Z");
        try (RedisChangeLog log = log()) {
            List<Change> removes = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                removes.add(Change.remove("L" + i, AT));
            }
            List<ChangeId> c = log.append(tenant, removes).stream().map(Change::id).toList();

            // no replica recorded: nothing goes
            assertThat(log.trim(tenant, now)).isEqualTo(new ChangeLog.Trim(ChangeId.ZERO, 0, 0));
            assertThat(log.length(tenant)).isEqualTo(10);

            // replica a folded through c3, b through c6: c0..c3 go, c4.. stay
            assertThat(log.hold(tenant, "a", c.get(3), now.plusSeconds(60))).isEqualTo(ChangeId.ZERO);
            log.hold(tenant, "b", c.get(6), now.plusSeconds(600));
            ChangeLog.Trim t = log.trim(tenant, now);
            assertThat(t).isEqualTo(new ChangeLog.Trim(c.get(3), 4, 2));
            assertThat(ids(log, tenant)).isEqualTo(c.subList(4, 10));
            assertThat(log.trimmed(tenant)).isEqualTo(c.get(3));
            // again: nothing more
            assertThat(log.trim(tenant, now).removed()).isZero();

            // a's record expires (it stopped refreshing): b alone decides, a's record is dropped
            ChangeLog.Trim after = log.trim(tenant, now.plusSeconds(61));
            assertThat(after).isEqualTo(new ChangeLog.Trim(c.get(6), 3, 1));
            assertThat(ids(log, tenant)).isEqualTo(c.subList(7, 10));
            assertThat(log.holds(tenant, now.plusSeconds(61))).extracting(ChangeLog.Hold::replica).containsExactly("b");

            // a comes back with its old pool: the log is not trimmed further, and the trim point does not move back;
            // hold answers it, so a knows its pool cannot replay the log
            assertThat(log.hold(tenant, "a", c.get(3), now.plusSeconds(700))).isEqualTo(c.get(6));
            assertThat(log.trim(tenant, now.plusSeconds(62))).isEqualTo(new ChangeLog.Trim(c.get(6), 0, 2));
            assertThat(ids(log, tenant)).isEqualTo(c.subList(7, 10));

            // a replica with a pool that folded nothing holds everything
            log.release(tenant, "a");
            log.hold(tenant, "fresh", ChangeId.ZERO, now.plusSeconds(700));
            log.hold(tenant, "b", c.get(9), now.plusSeconds(700));
            assertThat(log.trim(tenant, now.plusSeconds(63)).removed()).isZero();
            assertThat(log.length(tenant)).isEqualTo(3);

            // once every replica left, nothing goes either
            log.release(tenant, "fresh");
            log.release(tenant, "b");
            assertThat(log.trim(tenant, now.plusSeconds(64))).isEqualTo(new ChangeLog.Trim(c.get(6), 0, 0));
            assertThat(log.length(tenant)).isEqualTo(3);

            // a record past the last entry trims everything there is, and the trim point is the last entry removed
            log.hold(tenant, "b", new ChangeId(c.get(9).millis() + 1_000, 0), now.plusSeconds(700));
            assertThat(log.trim(tenant, now.plusSeconds(65))).isEqualTo(new ChangeLog.Trim(c.get(9), 3, 1));
            assertThat(log.length(tenant)).isZero();
        }
    }

    @Test
    void aPoolOlderThanTheTrimPointIsRefusedAndAFreshReplicaWithTheNewestPoolLosesNoChange() {
        String tenant = "refuse-" + System.nanoTime();
        float[] freshA = PoolWriter.unitVectors(1, D, 11);
        float[] freshB = PoolWriter.unitVectors(1, D, 12);
        TestClock clock = new TestClock(Instant.parse("2026-11-23T12:00:00Z"));
        PoolManager x = new PoolManager();
        PoolManager y = new PoolManager();
        PoolManager z = new PoolManager();
        PoolManager w = new PoolManager();
        try (RedisChangeLog raw = log(); LiveSync liveX = live(x, tenant, "x", clock); LiveSync liveY = live(y, tenant, "y", clock)) {
            List<Change> first = raw.append(tenant, List.of(Change.remove("L0", AT), Change.remove("L1", AT),
                    add("NEW-A", freshA), Change.remove("L2", AT)));
            // the build folded the log so far; both replicas serve it
            Path p1 = folded("p1", first, true);
            liveX.swap(tenant, x, PoolWriter.open(p1));
            liveY.swap(tenant, y, PoolWriter.open(p1));
            // changes after the build, applied on top by both
            List<Change> later = raw.append(tenant, List.of(Change.remove("L3", AT), add("NEW-B", freshB), Change.remove("NEW-A", AT)));
            liveX.catchUp(tenant);
            liveY.catchUp(tenant);

            liveX.trimAll();
            assertThat(raw.trimmed(tenant)).isEqualTo(first.get(3).id());
            assertThat(ids(raw, tenant)).isEqualTo(later.stream().map(Change::id).toList());
            assertThat(liveX.state(tenant).folded()).isEqualTo(first.get(3).id());
            assertThat(liveX.state(tenant).summary()).contains("trimmed through " + first.get(3).id());

            // a replica opening a pool that folded nothing cannot get L0..L2 and NEW-A back: refused
            try (LiveSync liveZ = live(z, tenant, "z", clock)) {
                Pool old = PoolWriter.open(unfolded);
                assertThatThrownBy(() -> liveZ.swap(tenant, z, old))
                        .isInstanceOfSatisfying(PoolException.class, e -> assertThat(e.reason()).isEqualTo(PoolException.LOG_TRIMMED))
                        .hasMessageContaining("pool p0 folded the change log of tenant " + tenant + " through 0-0 but the log was trimmed through "
                                + first.get(3).id())
                        .hasMessageContaining("rebuild");
                old.discard();
                assertThat(z.isLoaded()).isFalse();
            }

            // a fresh replica with the newest pool replays everything after its fold
            try (LiveSync liveW = live(w, tenant, "w", clock)) {
                liveW.swap(tenant, w, PoolWriter.open(p1));
                assertThat(top(w, row(0), 20)).doesNotContain("L0");
                assertThat(top(w, row(2), 20)).doesNotContain("L2");
                assertThat(top(w, row(3), 20)).doesNotContain("L3");
                assertThat(top(w, freshB, 1)).containsExactly("NEW-B");
                assertThat(top(w, freshA, 20)).doesNotContain("NEW-A");
                assertThat(liveW.state(tenant).through()).isEqualTo(later.get(2).id()).isEqualTo(liveX.state(tenant).through());
                assertThat(top(w, row(7), 5)).isEqualTo(top(x, row(7), 5));
            }

            // a pool folded without carrying its changes (built before they were carried) holds the whole log
            Path uncarried = folded("p2", concat(first, later), false);
            liveY.swap(tenant, y, PoolWriter.open(uncarried));
            assertThat(liveY.state(tenant).folded()).isEqualTo(ChangeId.ZERO);
            liveY.trimAll();
            assertThat(raw.length(tenant)).isEqualTo(3);
        } finally {
            x.close();
            y.close();
            w.close();
        }
    }

    @Test
    void aReplicaWhoseRecordLapsedWhileTheLogWasTrimmedPastItReportsTheGap() throws Exception {
        String tenant = "gap-" + System.nanoTime();
        Instant t0 = Instant.parse("2026-11-23T12:00:00Z");
        TestClock slow = new TestClock(t0);
        TestClock later = new TestClock(t0.plus(Duration.ofMinutes(11)));
        PoolManager x = new PoolManager();
        PoolManager y = new PoolManager();
        try (RedisChangeLog raw = log(); LiveSync liveX = live(x, tenant, "x", slow); LiveSync liveY = live(y, tenant, "y", later)) {
            List<Change> first = raw.append(tenant, List.of(Change.remove("L0", AT), Change.remove("L1", AT)));
            liveX.swap(tenant, x, PoolWriter.open(folded("p1", first, true)));
            // x stops reading (cut off from Redis, say); more changes come, a newer pool folds them all
            List<Change> more = raw.append(tenant, List.of(Change.remove("L5", AT), Change.remove("L6", AT)));
            liveY.swap(tenant, y, PoolWriter.open(folded("p2", concat(first, more), true)));
            // 11 minutes on, x's record (10 minutes) has lapsed: y alone decides, and trims what x never applied
            liveY.trimAll();
            assertThat(raw.trimmed(tenant)).isEqualTo(more.get(1).id());
            liveX.startPolling();
            await(() -> liveX.state(tenant).error() != null, Duration.ofSeconds(5));
            assertThat(liveX.state(tenant).error()).contains("trimmed through " + more.get(1).id())
                    .contains("past the changes this replica applied (through " + first.get(1).id() + ")");
            // and it stays reported: the changes in between are still missing here
            Thread.sleep(300);
            assertThat(liveX.state(tenant).error()).contains("missing here");
        } finally {
            x.close();
            y.close();
        }
    }

    @Test
    void aSwapRecordsItsFoldBeforeReadingTheTrimPointSoNoTrimOvertakesItsReplay() {
        String tenant = "race-" + System.nanoTime();
        TestClock clock = new TestClock(Instant.parse("2026-11-23T12:00:00Z"));
        PoolManager x = new PoolManager();
        try (RedisChangeLog raw = log(); LiveSync liveX = live(x, tenant, "x", clock)) {
            List<Change> first = raw.append(tenant, List.of(Change.remove("L0", AT), Change.remove("L1", AT)));
            // another replica serves a newer pool than the one x opens
            raw.append(tenant, List.of(Change.remove("L2", AT)));
            raw.hold(tenant, "other", ids(raw, tenant).get(2), clock.instant().plusSeconds(600));
            liveX.swap(tenant, x, PoolWriter.open(folded("p1", first, true)));
            // x's record (its fold) is there the moment it swapped: the trim keeps what x still replays from the log
            assertThat(raw.holds(tenant, clock.instant())).extracting(ChangeLog.Hold::replica, ChangeLog.Hold::folded)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("x", first.get(1).id()),
                            org.assertj.core.groups.Tuple.tuple("other", ids(raw, tenant).get(2)));
            assertThat(raw.trim(tenant, clock.instant()).through()).isEqualTo(first.get(1).id());
            assertThat(raw.length(tenant)).isEqualTo(1);
            // closing x drops its record: the other replica alone holds the log now
            liveX.close();
            assertThat(raw.holds(tenant, clock.instant())).extracting(ChangeLog.Hold::replica).containsExactly("other");
        } finally {
            x.close();
        }
    }

    @Test
    void recordsAndTrimsStillRunWhenTheLogAloneFillsMaxmemoryAndTrimmingFreesIt() throws Exception {
        String tenant = "oom-" + System.nanoTime();
        Instant now = Instant.parse("2026-11-23T12:00:00Z");
        try (RedisServer small = RedisServer.with("--maxmemory", "3mb", "--maxmemory-policy", "volatile-ttl");
             RedisChangeLog log = new RedisChangeLog(new RedisStore(new RedisSettings("127.0.0.1", small.port(), null, null, false, 0,
                     Duration.ofSeconds(2), 2, Duration.ofMillis(50))), true)) {
            // the log has no TTL, so volatile-ttl evicts none of it: appends fail once it fills maxmemory
            float[] big = PoolWriter.unitVectors(1, 1280, 5);
            List<ChangeId> appended = new ArrayList<>();
            for (int i = 0; i < 2000 && appended.size() == i; i++) {
                try {
                    appended.add(log.append(tenant, List.of(add("BIG-" + i, big))).get(0).id());
                } catch (com.listinglens.cache.StoreUnavailableException e) {
                    assertThat(e).hasMessageMatching("(?s).*(OOM|EXECABORT).*");
                }
            }
            assertThat(appended.size()).isBetween(100, 1999);
            Thread.sleep(100); // past the store's rest after the failure
            // a replica's record and the trim still run (allow-oom), and the trim frees the memory
            ChangeId folded = appended.get(appended.size() / 2);
            assertThat(log.hold(tenant, "r", folded, now.plusSeconds(600))).isEqualTo(ChangeId.ZERO);
            ChangeLog.Trim trim = log.trim(tenant, now);
            assertThat(trim.through()).isEqualTo(folded);
            assertThat(trim.removed()).isEqualTo(appended.size() / 2 + 1);
            assertThat(log.trimmed(tenant)).isEqualTo(folded);
            assertThat(log.append(tenant, List.of(Change.remove("L1", AT)))).hasSize(1);
        }
    }

    static List<Change> concat(List<Change> a, List<Change> b) {
        List<Change> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    static void await(BooleanSupplier condition, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + within);
            }
            Thread.sleep(20);
        }
    }
}
