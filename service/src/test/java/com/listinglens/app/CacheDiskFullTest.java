package com.listinglens.app;

import com.listinglens.catalog.Listing;
import com.listinglens.storage.Artifacts;
import com.listinglens.storage.BlobStore;
import com.listinglens.storage.Layout;
import com.listinglens.storage.Publisher;
import com.listinglens.support.PoolWriter;
import com.listinglens.support.S3ProxyServer;
import com.listinglens.support.SmallDisk;
import com.listinglens.support.TestStores;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A full cache disk while a new pool version arrives from S3 (a 4 MB disk as the cache, filled up by a file; writes
 * past it get the kernel's ENOSPC from /dev/full, see {@link SmallDisk}): the tenant keeps serving the old version,
 * the outcome says the local disk is full (not the store, not the version), the version is not refused, and once
 * there is room again the next sync swaps it in. Real S3 protocol server, real FAISS pools; no mount needed.
 */
class CacheDiskFullTest {

    private static final int D = 8;

    @Test
    void aFullCacheDiskKeepsTheOldPoolServingAndTheNewVersionComesOnceThereIsRoom() throws Exception {
        Path cache = TestStores.fresh("cache-disk-full");
        SmallDisk disk = new SmallDisk(cache, 4 << 20);
        try (S3ProxyServer server = new S3ProxyServer()) {
            BlobStore store = server.store("lens-disk-full", disk);
            publish(store, "v1", 5);
            Artifacts artifacts = new Artifacts(store, new Layout(""), cache);
            try (PoolSync sync = new PoolSync(artifacts, List.of("default"), Map.of(),
                    new PoolSync.Expectations(PoolWriter.SPACE, D, false, true), Duration.ofHours(1),
                    new com.listinglens.storage.Backoff(Duration.ofMillis(10), Duration.ofMillis(20)), Duration.ofHours(1),
                    Clock.systemUTC(), new SimpleMeterRegistry(), null)) {
                sync.loadAll();
                TenantPool tenant = sync.tenant("default").orElseThrow();
                assertThat(tenant.serving().orElseThrow().poolVersion()).isEqualTo("v1");

                Path filler = fill(disk, cache);
                publish(store, "v2", 7);
                PoolSync.Outcome full = sync.sync(tenant, false);
                assertThat(full.action()).isEqualTo(PoolSync.Action.UNAVAILABLE);
                assertThat(full.reason()).isEqualTo("cache-disk");
                assertThat(full.message()).contains("No space left on device");
                assertThat(tenant.serving().orElseThrow().poolVersion()).as("still serving").isEqualTo("v1");
                assertThat(tenant.refusal()).as("the version itself is fine: not refused").isNull();
                try (var left = Files.walk(cache)) {
                    assertThat(left.map(p -> p.getFileName().toString()).filter(n -> n.contains(".partial-")).toList()).isEmpty();
                }

                Files.delete(filler);
                PoolSync.Outcome room = sync.sync(tenant, false);
                assertThat(room.action()).as(room.message()).isEqualTo(PoolSync.Action.SWAPPED);
                assertThat(tenant.serving().orElseThrow().poolVersion()).isEqualTo("v2");
                assertThat(tenant.serving().orElseThrow().listingCount()).isEqualTo(7);
            }
        }
    }

    /** Writes a file until the disk is full; returns it. */
    private static Path fill(SmallDisk disk, Path dir) throws IOException {
        Path filler = dir.resolve("filler");
        byte[] block = new byte[64 * 1024];
        try (OutputStream o = disk.create(filler)) {
            while (true) {
                o.write(block);
            }
        } catch (IOException full) {
            assertThat(full.getMessage()).contains("No space left");
        }
        return filler;
    }

    private static void publish(BlobStore store, String version, int n) {
        List<Listing> listings = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            listings.add(new Listing("disk-" + i, "img/" + i + ".jpg", "title " + i, List.of("A", "B"), null, null, null, Map.of()));
        }
        Path dir = PoolWriter.write(TestStores.fresh("disk-pool-" + version), version, listings, PoolWriter.unitVectors(n, D, n), D, "IDMap,Flat");
        new Publisher(store, new Layout(""), new PrintStream(PrintStream.nullOutputStream())).publishPool(dir, "default", true);
    }
}
