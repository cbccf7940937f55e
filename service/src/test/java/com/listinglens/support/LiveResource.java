package com.listinglens.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The demo pool with live changes on: a private Redis (so changes never touch a developer's), admin token
 * "test-token", a fast poll.
 */
public class LiveResource implements QuarkusTestResourceLifecycleManager {

    public static final String TOKEN = "test-token";
    private static RedisServer server;

    public static synchronized RedisServer server() {
        return server;
    }

    @Override
    public synchronized Map<String, String> start() {
        try {
            server = new RedisServer();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("lens.storage.type", "directory",
                "lens.storage.directory", TestStores.demo().toString(),
                "lens.storage.cache-dir", TestStores.cache("live").toString(),
                "lens.shared-dir", TestPools.sharedDir().toString(),
                "lens.redis.port", Integer.toString(server.port()),
                "lens.live.enabled", "true",
                "lens.live.poll-interval", "200ms",
                "lens.admin.token", TOKEN);
    }

    @Override
    public synchronized void stop() {
        if (server != null) {
            server.close();
        }
    }
}
