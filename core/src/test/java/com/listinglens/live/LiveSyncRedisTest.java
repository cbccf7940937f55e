package com.listinglens.live;

import com.listinglens.cache.RedisSettings;
import com.listinglens.cache.RedisStore;
import com.listinglens.cache.StoreUnavailableException;
import com.listinglens.catalog.Listing;
import com.listinglens.pool.ChangeId;
import com.listinglens.pool.ListingFilter;
import com.listinglens.pool.Pool;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The change log in a real Redis, applied by LiveSync: own changes at once, another replica's within the poll
 * interval, all of them again after a restart, none lost when a new pool version is swapped in.
 */
class LiveSyncRedisTest {

    static final int N = 500;
    static final int D = 16;
    static final Instant AT = Instant.parse("2026-11-23T10:00:00Z");

    @TempDir
    static Path tmp;
    static RedisServer redis;
    static float[] vectors;
    static List<Listing> listings;
    static Path poolDir;

    @BeforeAll
    static void setUp() throws Exception {
        redis = new RedisServer();
        vectors = PoolWriter.unitVectors(N, D, 3);
        listings = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            listings.add(new Listing("L" + i, i + ".jpg", "t" + i, List.of("C" + (i % 5)), null, null, null, null));
        }
        poolDir = PoolWriter.write(tmp.resolve("p1"), "p1", listings, vectors, D, "IDMap,Flat");
    }

    @AfterAll
    static void tearDown() {
        redis.close();
    }

    static RedisChangeLog log() {
        return new RedisChangeLog(new RedisStore(new RedisSettings("127.0.0.1", redis.port(), null, null, false, 0,
                Duration.ofSeconds(2), 4, Duration.ofMillis(100))), true);
    }

    static LiveSync live(PoolManager pools, String tenant) {
        return new LiveSync(log(), Map.of(tenant, pools), Duration.ofMillis(100), new Backoff(Duration.ofMillis(100),
                Duration.ofMillis(400)), 3, Clock.systemUTC(), new SimpleMeterRegistry());
    }

    static float[] row(int i) {
        return Arrays.copyOfRange(vectors, i * D, (i + 1) * D);
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

    static void await(BooleanSupplier condition, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + within);
            }
            Thread.sleep(20);
        }
    }

    static Change add(String id, float[] v) {
        return Change.add(new Listing(id, id + ".jpg", id, List.of("New"), null, null, null, null), v, PoolWriter.SPACE, AT);
    }

    @Test
    void changesReachEveryReplicaSurviveARestartAndAreNeverLostAcrossASwap() throws Exception {
        String tenant = "t-" + System.nanoTime();
        PoolManager pools = new PoolManager();
        try (LiveSync live = live(pools, tenant); RedisChangeLog other = log()) {
            live.swap(tenant, pools, PoolWriter.open(poolDir));
            live.startPolling();

            // this replica: applied before append returns
            float[] fresh = PoolWriter.unitVectors(1, D, 1234);
            List<Change> appended = live.append(tenant, List.of(Change.remove("L3", AT), add("NEW-A", fresh)));
            assertThat(appended).extracting(Change::id).doesNotContainNull();
            assertThat(appended.get(1).id().isAfter(appended.get(0).id())).isTrue();
            assertThat(top(pools, row(3), 20)).doesNotContain("L3");
            assertThat(top(pools, fresh, 1)).containsExactly("NEW-A");

            // another replica appends: picked up by polling within 5 s
            float[] fresh2 = PoolWriter.unitVectors(1, D, 999);
            other.append(tenant, List.of(Change.remove("L4", AT), add("NEW-B", fresh2)));
            await(() -> !top(pools, row(4), 20).contains("L4") && top(pools, fresh2, 1).equals(List.of("NEW-B")), Duration.ofSeconds(5));
            // more changes than one page (3) are read page by page
            List<Change> many = new ArrayList<>();
            for (int i = 10; i < 17; i++) {
                many.add(Change.remove("L" + i, AT));
            }
            other.append(tenant, many);
            await(() -> live.state(tenant).removed() == 2 + 7, Duration.ofSeconds(5));

            // a restart: a new service with nothing in memory opens the same pool and replays the log
            PoolManager restarted = new PoolManager();
            try (LiveSync again = live(restarted, tenant)) {
                again.swap(tenant, restarted, PoolWriter.open(poolDir));
                assertThat(top(restarted, row(3), 20)).doesNotContain("L3");
                assertThat(top(restarted, row(12), 20)).doesNotContain("L12");
                assertThat(top(restarted, fresh, 1)).containsExactly("NEW-A");
                assertThat(top(restarted, fresh2, 1)).containsExactly("NEW-B");
                assertThat(again.state(tenant).through()).isEqualTo(live.state(tenant).through());
            } finally {
                restarted.close();
            }

            // a new pool version swapped in gets the changes its build did not fold
            live.swap(tenant, pools, PoolWriter.open(PoolWriter.write(tmp.resolve("p2-" + tenant), "p2", listings, vectors, D, "IDMap,Flat")));
            assertThat(top(pools, row(3), 20)).doesNotContain("L3");
            assertThat(top(pools, fresh2, 1)).containsExactly("NEW-B");
        } finally {
            pools.close();
        }
    }

    @Test
    void anUnreachableLogChangesNothingAndServingGoesOn() throws Exception {
        String tenant = "down-" + System.nanoTime();
        PoolManager pools = new PoolManager();
        try (LiveSync live = live(pools, tenant)) {
            live.swap(tenant, pools, PoolWriter.open(poolDir));
            live.startPolling();
            live.append(tenant, List.of(Change.remove("L20", AT)));
            redis.stop();
            try {
                assertThatThrownBy(() -> live.append(tenant, List.of(Change.remove("L21", AT))))
                        .isInstanceOf(StoreUnavailableException.class);
                assertThat(top(pools, row(21), 1)).containsExactly("L21");
                assertThat(top(pools, row(20), 20)).doesNotContain("L20");
                await(() -> live.state(tenant).error() != null, Duration.ofSeconds(5));
            } finally {
                redis.start();
            }
            // the server came back empty (no persistence in this test): serving keeps what it applied
            assertThat(top(pools, row(20), 20)).doesNotContain("L20");
        } finally {
            pools.close();
        }
    }

    @Test
    void unreadableEntriesAreSkippedAndCountedNotRetriedForever() throws Exception {
        String tenant = "junk-" + System.nanoTime();
        try (RedisStore raw = new RedisStore(new RedisSettings("127.0.0.1", redis.port(), null, null, false, 0,
                Duration.ofSeconds(2), 2, Duration.ofMillis(100))); RedisChangeLog log = log()) {
            raw.appendAll(com.listinglens.cache.CacheKeys.changes(tenant), List.of(Map.of("v", "9", "op", "add")));
            log.append(tenant, List.of(Change.remove("L30", AT)));
            ChangeLog.Batch batch = log.read(tenant, ChangeId.ZERO, 10);
            assertThat(batch.changes()).hasSize(1);
            assertThat(batch.errors()).hasSize(1).first().asString().contains("format");
            assertThat(batch.last()).isEqualTo(log.last(tenant));
            assertThat(log.read(tenant, batch.last(), 10).isEmpty()).isTrue();
        }
    }
}
