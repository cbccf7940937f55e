package com.listinglens.indexer;

import com.listinglens.cache.RedisSettings;
import com.listinglens.cache.RedisStore;
import com.listinglens.catalog.Listing;
import com.listinglens.live.Change;
import com.listinglens.live.FoldedChanges;
import com.listinglens.live.RedisChangeLog;
import com.listinglens.pool.ChangeId;
import com.listinglens.pool.PoolFiles;
import com.listinglens.storage.Artifacts;
import com.listinglens.storage.FileBlobStore;
import com.listinglens.storage.Layout;
import com.listinglens.support.PoolWriter;
import com.listinglens.support.RedisServer;
import com.listinglens.support.TestStores;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a build folds once the change log was trimmed: the changes the current pool carries, then the log after its
 * fold; the same listings as the whole log would give. Real Redis, real folder store.
 */
class LiveFoldReaderTest {

    static final int D = 8;
    static final Instant AT = Instant.parse("2026-11-23T10:00:00Z");
    static final PrintStream QUIET = new PrintStream(PrintStream.nullOutputStream());

    @TempDir
    static Path tmp;
    static RedisServer redis;

    @BeforeAll
    static void setUp() throws Exception {
        redis = new RedisServer();
    }

    @AfterAll
    static void tearDown() {
        redis.close();
    }

    static RedisChangeLog log() {
        return new RedisChangeLog(new RedisStore(new RedisSettings("127.0.0.1", redis.port(), null, null, false, 0,
                Duration.ofSeconds(2), 4, Duration.ofMillis(100))), true);
    }

    static Change add(String id, int seed) {
        return Change.add(new Listing(id, id + ".jpg", id + " title", List.of("New", "Sub"), "brand", 250.0, 1.5, null),
                PoolWriter.unitVectors(1, D, seed), PoolWriter.SPACE, AT);
    }

    /** A published pool of two catalog listings that folded {@code folded} through {@code through}. */
    static void publish(Path store, String tenant, String version, ChangeId through, List<Change> folded) {
        List<Listing> listings = List.of(new Listing("C1", "c1.jpg", "c1", List.of("A"), null, null, null, null),
                new Listing("C2", "c2.jpg", "c2", List.of("A"), null, null, null, null));
        Path pool = through == null ? PoolWriter.write(tmp.resolve(version), version, listings, PoolWriter.unitVectors(2, D, 1), D, "IDMap,Flat")
                : PoolWriter.writeFolded(tmp.resolve(version), version, listings, PoolWriter.unitVectors(2, D, 1), D, "IDMap,Flat",
                through, folded);
        TestStores.publish(store, pool, tenant);
    }

    /** Each listing's last change, as (listing id, op, change id): what a fold makes of a list of changes. */
    static List<String> net(List<Change> changes) {
        return FoldedChanges.compact(changes).stream().map(c -> c.listingId() + " " + c.op() + " " + c.id()).toList();
    }

    @Test
    void aTrimmedLogIsFoldedFromTheCurrentPoolsCarriedChangesThenTheLogAfterItsFold() {
        String tenant = "fold-" + System.nanoTime();
        Path store = TestStores.fresh("fold");
        Instant now = Instant.parse("2026-11-23T12:00:00Z");
        try (RedisChangeLog log = log(); Artifacts artifacts = new Artifacts(new FileBlobStore(store), new Layout(""), TestStores.cache("fold"))) {
            List<Change> first = log.append(tenant, List.of(add("A", 1), Change.remove("C1", AT), add("B", 2), add("A", 3)));
            List<Change> all = new ArrayList<>(first);

            // never trimmed: the whole log, whatever the current pool carries
            publish(store, tenant, "v1", first.get(3).id(), first);
            PoolBuildRequest.LiveChanges whole = LiveFoldReader.read(log, artifacts, tenant, null, 2, QUIET);
            assertThat(whole.changes()).extracting(Change::id).isEqualTo(first.stream().map(Change::id).toList());
            assertThat(whole.through()).isEqualTo(first.get(3).id());

            // every replica serves v1: the log is trimmed through its fold; more changes come
            log.hold(tenant, "r", first.get(3).id(), now.plusSeconds(600));
            assertThat(log.trim(tenant, now).removed()).isEqualTo(4);
            List<Change> more = log.append(tenant, List.of(Change.remove("B", AT), add("C", 4), add("A", 5)));
            all.addAll(more);

            PoolBuildRequest.LiveChanges next = LiveFoldReader.read(log, artifacts, tenant, null, 2, QUIET);
            assertThat(next.through()).isEqualTo(more.get(2).id());
            // the carried changes (compacted: A's last add, C1's removal, B's add) and the log after the fold
            assertThat(next.changes()).hasSize(3 + 3);
            assertThat(net(next.changes())).isEqualTo(net(all));
            Change a = next.changes().stream().filter(c -> c.listingId().equals("A")).reduce((x, y) -> y).orElseThrow();
            assertThat(a.embedding()).containsExactly(PoolWriter.unitVectors(1, D, 5));
            assertThat(a.listing().brand()).isEqualTo("brand");

            // a pool built from that carries it all forward: the log can be trimmed again, and a later build still has it
            publish(store, tenant, "v2", next.through(), next.changes());
            log.hold(tenant, "r", next.through(), now.plusSeconds(600));
            assertThat(log.trim(tenant, now).removed()).isEqualTo(3);
            List<Change> last = log.append(tenant, List.of(Change.remove("A", AT)));
            all.addAll(last);
            assertThat(net(LiveFoldReader.read(log, artifacts, tenant, null, 2, QUIET).changes())).isEqualTo(net(all));

            // a named base that folded less than the trim point is refused
            assertThatThrownBy(() -> LiveFoldReader.read(log, artifacts, tenant, "v1", 2, QUIET))
                    .hasMessageContaining("was trimmed through " + more.get(2).id())
                    .hasMessageContaining("pool v1 folded it only through " + first.get(3).id());
        }
    }

    @Test
    void aBaseThatDoesNotCarryItsChangesOrNoPoolAtAllIsRefusedOnceTheLogWasTrimmed() {
        String tenant = "nocarry-" + System.nanoTime();
        Path store = TestStores.fresh("nocarry");
        Instant now = Instant.parse("2026-11-23T12:00:00Z");
        try (RedisChangeLog log = log(); Artifacts artifacts = new Artifacts(new FileBlobStore(store), new Layout(""), TestStores.cache("nocarry"))) {
            List<Change> first = log.append(tenant, List.of(add("A", 1), Change.remove("C1", AT)));
            log.hold(tenant, "r", first.get(1).id(), now.plusSeconds(600));
            log.trim(tenant, now);
            assertThatThrownBy(() -> LiveFoldReader.read(log, artifacts, tenant, null, 10, QUIET))
                    .hasMessageContaining("no pool is published");
            publish(store, tenant, "old", first.get(1).id(), null);
            assertThatThrownBy(() -> LiveFoldReader.read(log, artifacts, tenant, null, 10, QUIET))
                    .hasMessageContaining("pool old does not carry the changes it folded (" + PoolFiles.LIVE_CHANGES + ")");
            publish(store, tenant, "unfolded", null, null);
            assertThatThrownBy(() -> LiveFoldReader.read(log, artifacts, tenant, null, 10, QUIET))
                    .hasMessageContaining("pool unfolded folded it only through 0-0");
        }
    }

    @Test
    void foldedChangesRoundTrip() {
        List<Change> changes = new ArrayList<>();
        changes.add(add("A", 1).withId(new ChangeId(5, 0)));
        changes.add(Change.remove("B", AT).withId(new ChangeId(5, 1)));
        changes.add(add("A", 2).withId(new ChangeId(6, 0)));
        Path file = tmp.resolve("changes.ndjson");
        FoldedChanges.write(file, FoldedChanges.compact(changes));
        List<Change> back = FoldedChanges.read(file);
        assertThat(back).extracting(Change::id).containsExactly(new ChangeId(5, 1), new ChangeId(6, 0));
        assertThat(back.get(1).embedding()).containsExactly(PoolWriter.unitVectors(1, D, 2));
        assertThat(back.get(1).listing()).isEqualTo(changes.get(2).listing());
        assertThat(back.get(0).op()).isEqualTo(Change.Op.REMOVE);
    }
}
