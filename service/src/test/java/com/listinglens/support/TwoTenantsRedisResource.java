package com.listinglens.support;

import com.listinglens.storage.FileBlobStore;
import com.listinglens.storage.Layout;
import com.listinglens.storage.Publisher;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Two tenants with Redis on: "alpha" serving iconic listings 0-40 and "beta" 40-81 from a folder store, no default
 * tenant, answer cache, sessions and search cursors in a private redis-server.
 */
public class TwoTenantsRedisResource implements QuarkusTestResourceLifecycleManager {

    private static RedisServer redis;

    @Override
    public synchronized Map<String, String> start() {
        try {
            Path store = TestStores.fresh("two-tenants-redis");
            Publisher publisher = new Publisher(new FileBlobStore(store), new Layout(""), new PrintStream(PrintStream.nullOutputStream()));
            publisher.publishPool(TestPools.iconic("iconic-a", 0, 40), "alpha", true);
            publisher.publishPool(TestPools.iconic("iconic-b", 40, 81), "beta", true);
            redis = new RedisServer();
            return Map.of("lens.storage.type", "directory",
                    "lens.storage.directory", store.toString(),
                    "lens.storage.cache-dir", TestStores.cache("two-tenants-redis").toString(),
                    "lens.shared-dir", TestPools.sharedDir().toString(),
                    "lens.tenants", "alpha,beta",
                    "lens.default-tenant", "",
                    "lens.redis.enabled", "true",
                    "lens.redis.port", Integer.toString(redis.port()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static RedisServer redis() {
        return redis;
    }

    @Override
    public synchronized void stop() {
        if (redis != null) {
            redis.close();
        }
    }
}
