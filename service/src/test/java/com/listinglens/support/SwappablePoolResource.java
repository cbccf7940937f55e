package com.listinglens.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.nio.file.Path;
import java.util.Map;

/**
 * Two small real pools (iconic listings 0-40 and 40-81) and a folder store whose "default" pointer tests move
 * between them, as a publisher would. The watcher is slowed to an hour so that only the admin reload swaps.
 * Admin token "test-token"; no Redis, so every request runs the whole pipeline.
 */
public class SwappablePoolResource implements QuarkusTestResourceLifecycleManager {

    public static final String TOKEN = "test-token";
    private static Path store;
    private static Path a;
    private static Path b;

    @Override
    public Map<String, String> start() {
        a = TestPools.iconic("iconic-a", 0, 40);
        b = TestPools.iconic("iconic-b", 40, 81);
        store = TestStores.fresh("swappable");
        publish(a);
        return Map.of("lens.storage.type", "directory",
                "lens.storage.directory", store.toString(),
                "lens.storage.cache-dir", TestStores.cache("swappable").toString(),
                "lens.storage.watch-interval", "1h",
                "lens.admin.token", TOKEN, "lens.redis.enabled", "false",
                "lens.shared-dir", TestPools.sharedDir().toString());
    }

    public static Path a() {
        return a;
    }

    public static Path b() {
        return b;
    }

    public static Path store() {
        return store;
    }

    /** Publishes {@code pool} as tenant default's current pool. */
    public static synchronized void publish(Path pool) {
        TestStores.publish(store, pool, "default");
    }

    @Override
    public void stop() {
    }
}
