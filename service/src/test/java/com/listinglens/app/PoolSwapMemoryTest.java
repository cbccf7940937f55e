package com.listinglens.app;

import com.listinglens.support.Management;
import com.listinglens.pool.Pool;
import com.listinglens.pool.PoolManager;
import com.listinglens.storage.Layout;
import com.listinglens.storage.Publisher;
import com.listinglens.storage.S3BlobStore;
import com.listinglens.support.Ready;
import com.listinglens.support.S3ProxyServer;
import com.listinglens.support.SyntheticPools;
import com.listinglens.support.TestPools;
import com.listinglens.support.TestStores;
import com.listinglens.vector.FaissIndex;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bar of zero-downtime swaps: 2,000 suggestion requests while five new pool versions of 40,000 listings
 * (205 MB of vectors each) are published to a real S3 protocol server and picked up by the pointer watcher. No
 * request fails, and afterwards every swapped-out pool is freed: the native indexes held are exactly as many as with
 * one pool loaded, none of them was left for the garbage collector to find, the listing stores are unmapped, and the
 * Java heap (after a full collection) is back within 5 MB.
 *
 * <p>The process's native memory (bytes held from the C allocator) is checked too, but coarsely: it also holds
 * libtorch's, the JIT's and the HTTP layer's allocations, which grow under load by amounts that vary from run to run
 * (+6 MB and +24 MB on two runs of the same commit). A leaked pool would add its whole footprint (about 205 MB), so
 * the bound is half of one.
 */
@QuarkusTest
@QuarkusTestResource(value = PoolSwapMemoryTest.Store.class, restrictToAnnotatedClass = true)
class PoolSwapMemoryTest {

    static final int LISTINGS = 40_000;
    static final int REQUESTS = 2_000;
    static final int SWAPS = 5;

    /** S3Proxy with tenant "default" serving synthetic pool mem-0; pointers read every 200 ms. */
    public static class Store implements QuarkusTestResourceLifecycleManager {
        static S3ProxyServer server;
        static S3BlobStore store;
        static Path cache;

        @Override
        public Map<String, String> start() {
            try {
                server = S3ProxyServer.launch();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            store = server.store("lens-swaps");
            publisher().publishPool(SyntheticPools.build("mem-0", LISTINGS, 0), "default", true);
            cache = TestStores.cache("swaps");
            Map<String, String> c = new HashMap<>();
            c.put("lens.storage.type", "s3");
            c.put("lens.storage.s3.bucket", "lens-swaps");
            c.put("lens.storage.s3.endpoint", server.endpoint().toString());
            c.put("lens.storage.s3.path-style", "true");
            c.put("lens.storage.s3.access-key", server.accessKey());
            c.put("lens.storage.s3.secret-key", server.secretKey());
            c.put("lens.storage.cache-dir", cache.toString());
            c.put("lens.storage.watch-interval", "200ms");
            c.put("lens.redis.enabled", "false");
            c.put("lens.shared-dir", TestPools.sharedDir().toString());
            return c;
        }

        static Publisher publisher() {
            return new Publisher(store, new Layout(""), new PrintStream(PrintStream.nullOutputStream()));
        }

        @Override
        public void stop() {
            store.close();
            server.close();
        }
    }

    private static String served() {
        Object v = Management.given().get("/q/health/ready").jsonPath().getMap("checks[0].data").get("tenant.default.pool");
        return v == null ? null : v.toString();
    }

    /** {@code n} suggestion requests from two clients; answers the failures and adds the pool versions seen. */
    private static List<String> load(byte[] photo, int n, Set<String> seen) throws Exception {
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        Set<String> versions = ConcurrentHashMap.newKeySet();
        AtomicInteger sent = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> loops = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                loops.add(clients.submit(() -> {
                    while (sent.getAndIncrement() < n) {
                        Response r = given().multiPart("photo", "p.jpg", photo, "image/jpeg").post("/v1/suggestions");
                        if (r.statusCode() != 200) {
                            failures.add(r.statusCode() + " " + r.asString());
                        } else {
                            versions.add(r.jsonPath().getString("pool.version"));
                        }
                    }
                }));
            }
            for (Future<?> loop : loops) {
                loop.get();
            }
        } finally {
            clients.shutdown();
        }
        seen.addAll(versions);
        return List.copyOf(failures);
    }

    private static void swapIn(Path pool, String version) throws InterruptedException {
        Store.publisher().publishPool(pool, "default", true);
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!version.equals(served()) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    /** Resident set of this process (for the report only: freed native memory may stay with the allocator). */
    private static long rss() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }

    /** Mapped listing stores of this process (format-1 pools are opened through a temporary, unlinked store). */
    private static long listingMappings() throws IOException {
        try (var lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.map(l -> l.split("\\s+", 6)).filter(f -> f.length == 6)
                    .map(f -> f[5].replace(" (deleted)", ""))
                    .filter(path -> path.contains("lens-listings-") || path.endsWith("/" + com.listinglens.pool.PoolFiles.LISTING_STORE))
                    .distinct().count();
        }
    }

    /** Native bytes and heap bytes after a full collection. */
    private static long[] memory() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return new long[]{FaissIndex.nativeMemoryInUse(), ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed()};
    }

    @Test
    void fiveSwapsUnderLoadFailNoRequestAndGiveBackTheirMemory() throws Exception {
        Ready.await();
        List<Path> versions = new ArrayList<>();
        for (int v = 1; v <= SWAPS + 1; v++) {
            versions.add(SyntheticPools.build("mem-" + v, LISTINGS, v));
        }
        byte[] photo = Files.readAllBytes(TestPools.grocery().resolve("val/Fruit/Banana/Banana_001.jpg"));
        // warm up as the load will run (two clients, so both model instances and the HTTP layer's buffers are in use),
        // with one swap, so that every code path of a swap (upload, download, verify, open) has run once
        assertThat(load(photo, 400, new java.util.HashSet<>())).isEmpty();
        assertThat(served()).isEqualTo("mem-0");
        swapIn(versions.get(0), "mem-1");
        assertThat(load(photo, 200, new java.util.HashSet<>())).isEmpty();

        // one pool's footprint: open mem-1 beside the service and free it again
        memory();
        long[] before = memory();
        long[] withOne;
        try (PoolManager extra = new PoolManager()) {
            extra.swap(Pool.open(versions.get(1), new Pool.OpenOptions(false, false, SyntheticPools.SPACE, SyntheticPools.DIMENSION)));
            withOne = memory();
        }
        long poolNative = withOne[0] - before[0];
        long poolHeap = withOne[1] - before[1];
        assertThat(poolNative).as("native bytes of one pool").isGreaterThan(150_000_000L);
        // the listings live in a memory-mapped store: a pool of 40,000 listings costs no heap per listing (it was 10+ MB
        // when they were Java objects)
        assertThat(poolHeap).as("heap bytes of one pool").isLessThan(2_000_000L);
        long mappedBefore = listingMappings();
        long[] baseline = memory();
        long indexesBefore = FaissIndex.liveIndexes();
        long reclaimedBefore = FaissIndex.reclaimedUnclosed();

        Set<String> seen = ConcurrentHashMap.newKeySet();
        ExecutorService runner = Executors.newSingleThreadExecutor();
        Future<List<String>> requests = runner.submit(() -> load(photo, REQUESTS, seen));
        List<String> swappedIn = new ArrayList<>();
        for (int v = 2; v <= SWAPS + 1; v++) {
            swapIn(versions.get(v - 1), "mem-" + v);
            swappedIn.add(served());
            Thread.sleep(500);
        }
        List<String> failures = requests.get();
        runner.shutdown();
        Thread.sleep(500);
        long[] after = memory();

        System.out.printf("pool footprint: native %.1f MB, heap %.1f MB; after %d swaps and %d requests: native %+.1f MB, heap %+.1f MB,"
                        + " native indexes %d -> %d (process RSS %.0f MB)%n", poolNative / 1e6, poolHeap / 1e6, SWAPS, REQUESTS,
                (after[0] - baseline[0]) / 1e6, (after[1] - baseline[1]) / 1e6, indexesBefore, FaissIndex.liveIndexes(), rss() / 1e6);
        assertThat(failures).isEmpty();
        assertThat(swappedIn).containsExactly("mem-2", "mem-3", "mem-4", "mem-5", "mem-6");
        assertThat(seen).contains("mem-1", "mem-6").hasSizeGreaterThanOrEqualTo(3);
        assertThat(FaissIndex.liveIndexes()).as("native indexes held after the swaps vs before").isEqualTo(indexesBefore);
        assertThat(FaissIndex.reclaimedUnclosed() - reclaimedBefore).as("swapped-out indexes left unclosed for the GC").isZero();
        assertThat(Math.abs(after[0] - baseline[0])).as("native bytes after the swaps vs before").isLessThanOrEqualTo(poolNative / 2);
        assertThat(Math.abs(after[1] - baseline[1])).as("heap bytes after the swaps vs before").isLessThanOrEqualTo(5_000_000L);
        // every swapped-out pool's listing store is unmapped: as many mappings as before the swaps
        assertThat(listingMappings()).as("listing stores mapped after the swaps").isEqualTo(mappedBefore);
        try (var cached = Files.list(Store.cache.resolve("pools/default"))) {
            assertThat(cached.map(p -> p.getFileName().toString()).toList()).as("old versions leave the cache").containsExactly("mem-6");
        }
    }
}
