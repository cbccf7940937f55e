package com.listinglens.app;

import com.listinglens.config.Settings;
import com.listinglens.catalog.Listing;
import com.listinglens.storage.Artifacts;
import com.listinglens.storage.FileBlobStore;
import com.listinglens.storage.Layout;
import com.listinglens.storage.Pointer;
import com.listinglens.storage.Publisher;
import com.listinglens.support.PoolWriter;
import com.listinglens.support.TestStores;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Pinned pool versions (lens.pool.versions, a blue-green colour's pools): a pinned tenant serves its version and
 * ignores its pointer; the others follow theirs. Real folder store, real FAISS pools.
 */
class PinnedPoolsTest {

    private static final int D = 8;

    @Test
    void entriesParseInOrderAndBadOnesAreRefusedByName() {
        assertThat(Settings.pinnedPools(List.of("default=20261123T140317Z-2721", " shop-de = v2 ", "")))
                .containsExactly(Map.entry("default", "20261123T140317Z-2721"), Map.entry("shop-de", "v2"));
        assertThat(Settings.pinnedPools(List.of())).isEmpty();
        for (String bad : List.of("default", "=v1", "default=", "a=b=c")) {
            assertThatThrownBy(() -> Settings.pinnedPools(List.of(bad)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'" + bad.strip() + "'");
        }
        assertThatThrownBy(() -> Settings.pinnedPools(List.of("default=../v1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pool version '../v1'");
        assertThatThrownBy(() -> Settings.pinnedPools(List.of("default=v1", "default=v2")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
    }

    @Test
    void aPinnedTenantServesItsVersionWhateverThePointerSays() throws Exception {
        Path store = TestStores.fresh("pinned");
        publish(store, "default", "v1", 5);
        publish(store, "default", "v2", 7);   // the pointer now names v2
        publish(store, "other", "o1", 3);
        try (PoolSync sync = sync(store, Map.of("default", "v1"))) {
            sync.loadAll();
            assertThat(sync.pinned("default")).contains("v1");
            assertThat(sync.pinned("other")).isEmpty();
            assertThat(serving(sync, "default")).isEqualTo("v1");
            assertThat(serving(sync, "other")).isEqualTo("o1");

            publish(store, "default", "v3", 9);
            publish(store, "other", "o2", 4);
            List<PoolSync.Outcome> outcomes = sync.syncAll(false);
            assertThat(outcomes).extracting(PoolSync.Outcome::action)
                    .containsExactly(PoolSync.Action.UNCHANGED, PoolSync.Action.SWAPPED);
            assertThat(serving(sync, "default")).isEqualTo("v1");
            assertThat(serving(sync, "other")).isEqualTo("o2");
        }
    }

    @Test
    void aPinnedVersionMissingFromTheStoreIsNamedAndATamperedOneRefused() throws Exception {
        Path store = TestStores.fresh("pinned-missing");
        publish(store, "default", "v1", 5);
        try (PoolSync sync = sync(store, Map.of("default", "v9"))) {
            PoolSync.Outcome o = sync.sync(sync.tenant("default").orElseThrow(), false);
            assertThat(o.action()).isEqualTo(PoolSync.Action.UNPUBLISHED);
            assertThat(o.message()).contains("pinned to pool v9").contains("not in");
        }
        // a pinned version whose file no longer matches its manifest is refused like any version
        Path listings = store.resolve("pools/default/v1/listings.jsonl");
        Files.writeString(listings, Files.readString(listings).replace("pinned-0", "pinned-X"));
        try (PoolSync sync = sync(store, Map.of("default", "v1"))) {
            PoolSync.Outcome o = sync.sync(sync.tenant("default").orElseThrow(), false);
            assertThat(o.action()).isEqualTo(PoolSync.Action.REFUSED);
            assertThat(o.reason()).isEqualTo("checksum-mismatch");
        }
    }

    @Test
    void aPinForATenantNotServedIsRefusedAtOnce() {
        Path store = TestStores.fresh("pinned-unknown");
        assertThatThrownBy(() -> sync(store, Map.of("shop-fr", "v1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'shop-fr'");
    }

    @Test
    void aVersionPointerCarriesTheManifestsChecksum() {
        Path store = TestStores.fresh("pinned-pointer");
        publish(store, "default", "v1", 5);
        try (Artifacts a = new Artifacts(new FileBlobStore(store), new Layout(""), TestStores.cache("pinned-pointer"))) {
            Pointer p = a.versionPointer("default", "v1").orElseThrow();
            assertThat(p.manifestSha256()).isEqualTo(a.poolPointer("default").orElseThrow().manifestSha256());
            assertThat(a.poolManifest("default", p).poolVersion()).isEqualTo("v1");
            assertThat(a.versionPointer("default", "v2")).isEmpty();
        }
    }

    private static String serving(PoolSync sync, String tenant) {
        return sync.tenant(tenant).orElseThrow().serving().orElseThrow().poolVersion();
    }

    private static PoolSync sync(Path store, Map<String, String> pins) {
        Artifacts artifacts = new Artifacts(new FileBlobStore(store), new Layout(""), TestStores.cache("pinned"));
        return new PoolSync(artifacts, List.of("default", "other"), pins,
                new PoolSync.Expectations(PoolWriter.SPACE, D, false, true), Duration.ofHours(1),
                new com.listinglens.storage.Backoff(Duration.ofMillis(10), Duration.ofMillis(20)), Duration.ofHours(1),
                Clock.systemUTC(), new SimpleMeterRegistry(), null);
    }

    private static void publish(Path store, String tenant, String version, int n) {
        List<Listing> listings = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            listings.add(new Listing("pinned-" + i, "img/" + i + ".jpg", "title " + i, List.of("A", "B"), null, null, null, Map.of()));
        }
        Path dir = PoolWriter.write(TestStores.fresh("pool-" + version), version, listings, PoolWriter.unitVectors(n, D, n), D, "IDMap,Flat");
        try (FileBlobStore files = new FileBlobStore(store)) {
            new Publisher(files, new Layout(""), new PrintStream(PrintStream.nullOutputStream())).publishPool(dir, tenant, true);
        }
    }
}
