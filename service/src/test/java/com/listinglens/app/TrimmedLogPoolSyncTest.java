package com.listinglens.app;

import com.listinglens.cache.RedisSettings;
import com.listinglens.cache.RedisStore;
import com.listinglens.catalog.Listing;
import com.listinglens.live.Change;
import com.listinglens.live.LiveSync;
import com.listinglens.live.RedisChangeLog;
import com.listinglens.pool.ChangeId;
import com.listinglens.pool.PoolException;
import com.listinglens.storage.Artifacts;
import com.listinglens.storage.Backoff;
import com.listinglens.storage.FileBlobStore;
import com.listinglens.storage.Layout;
import com.listinglens.support.PoolWriter;
import com.listinglens.support.RedisServer;
import com.listinglens.support.TestStores;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A pool that folded the change log less far than it was trimmed is refused by the pool sync like any bad version
 * (reason change-log-trimmed, health's refusal, lens.pool.refusals), the pool serving keeps serving, and a pool that
 * folded at least that far is swapped in with the changes after its fold. Real Redis, real folder store, real pools.
 */
class TrimmedLogPoolSyncTest {

    private static final int D = 8;
    private static final Instant AT = Instant.parse("2026-11-23T10:00:00Z");

    @Test
    void aPoolOlderThanTheTrimPointIsRefusedAndTheServingOneKeepsServing() throws Exception {
        String tenant = "default";
        Path store = TestStores.fresh("trimmed");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (RedisServer redis = new RedisServer();
             RedisChangeLog log = new RedisChangeLog(new RedisStore(new RedisSettings("127.0.0.1", redis.port(), null, null, false,
                     0, Duration.ofSeconds(2), 4, Duration.ofMillis(100))), true)) {
            List<Change> folded = log.append(tenant, List.of(Change.remove("l-0", AT), Change.remove("l-1", AT)));
            ChangeId through = folded.get(1).id();
            LiveSync[] live = new LiveSync[1];
            Artifacts artifacts = new Artifacts(new FileBlobStore(store), new Layout(""), TestStores.cache("trimmed"));
            try (PoolSync sync = new PoolSync(artifacts, List.of(tenant), Map.of(),
                    new PoolSync.Expectations(PoolWriter.SPACE, D, false, true), Duration.ofHours(1),
                    new Backoff(Duration.ofMillis(10), Duration.ofMillis(20)), Duration.ofHours(1), Clock.systemUTC(), registry,
                    (t, pools, next) -> live[0].swap(t, pools, next))) {
                TenantPool t = sync.tenant(tenant).orElseThrow();
                live[0] = new LiveSync(new RedisChangeLog(new RedisStore(new RedisSettings("127.0.0.1", redis.port(), null, null,
                        false, 0, Duration.ofSeconds(2), 4, Duration.ofMillis(100))), true), Map.of(tenant, t.pools()),
                        Duration.ofSeconds(1), new Backoff(Duration.ofMillis(10), Duration.ofMillis(20)), 100, Clock.systemUTC(),
                        registry, new LiveSync.Retention("r1", Duration.ofMinutes(10), Duration.ofMinutes(1), true));

                // v1 folded the log so far and carries it; it serves, and the log is trimmed through its fold
                publish(store, "v1", 2, through, folded);
                assertThat(sync.sync(t, false).action()).isEqualTo(PoolSync.Action.SWAPPED);
                live[0].trimAll();
                assertThat(log.trimmed(tenant)).isEqualTo(through);
                assertThat(log.length(tenant)).isZero();
                List<Change> after = log.append(tenant, List.of(Change.remove("l-2", AT)));

                // v0, built from the catalogs alone, would bring l-0 and l-1 back: refused, v1 keeps serving
                publish(store, "v0", 0, null, null);
                PoolSync.Outcome refused = sync.sync(t, false);
                assertThat(refused.action()).isEqualTo(PoolSync.Action.REFUSED);
                assertThat(refused.reason()).isEqualTo(PoolException.LOG_TRIMMED);
                assertThat(refused.message()).contains("pool v0 folded the change log of tenant default through 0-0 but the log "
                        + "was trimmed through " + through);
                assertThat(t.refusal().reason()).isEqualTo(PoolException.LOG_TRIMMED);
                assertThat(t.serving().orElseThrow().poolVersion()).isEqualTo("v1");
                assertThat(registry.counter("lens.pool.refusals", "tenant", tenant, "reason", PoolException.LOG_TRIMMED).count())
                        .isEqualTo(1);
                assertThat(live[0].state(tenant).folded()).as("the record is v1's again").isEqualTo(through);

                // v2 folded as far: swapped in, with the change after its fold
                publish(store, "v2", 2, through, folded);
                assertThat(sync.sync(t, false).action()).isEqualTo(PoolSync.Action.SWAPPED);
                assertThat(live[0].state(tenant).through()).isEqualTo(after.get(0).id());
                assertThat(live[0].state(tenant).removed()).isEqualTo(1);
            } finally {
                if (live[0] != null) {
                    live[0].close();
                }
            }
        }
    }

    /** A pool of listings l-{@code from}..l-5 (the folded removals left out), folded through {@code through}. */
    private static void publish(Path store, String version, int from, ChangeId through, List<Change> folded) {
        List<Listing> listings = new ArrayList<>();
        for (int i = from; i < 6; i++) {
            listings.add(new Listing("l-" + i, "img/" + i + ".jpg", "title " + i, List.of("A"), null, null, null, Map.of()));
        }
        Path dir = TestStores.fresh("pool-" + version);
        float[] v = PoolWriter.unitVectors(listings.size(), D, 4);
        Path pool = through == null ? PoolWriter.write(dir, version, listings, v, D, "IDMap,Flat")
                : PoolWriter.writeFolded(dir, version, listings, v, D, "IDMap,Flat", through, folded);
        TestStores.publish(store, pool, "default");
    }
}
