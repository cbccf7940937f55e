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

    /** Opens tenant default's admin routes only. */
    public static final String TENANT_TOKEN = "default-tenant-token-for-tests";

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
        return Map.ofEntries(Map.entry("lens.storage.type", "directory"),
                Map.entry("lens.storage.directory", TestStores.demo().toString()),
                Map.entry("lens.storage.cache-dir", TestStores.cache("live").toString()),
                Map.entry("lens.shared-dir", TestPools.sharedDir().toString()),
                Map.entry("lens.redis.port", Integer.toString(server.port())),
                Map.entry("lens.live.enabled", "true"),
                Map.entry("lens.live.poll-interval", "200ms"),
                Map.entry("lens.admin.token", TOKEN),
                Map.entry("lens.admin.tenant-tokens.default", TENANT_TOKEN));
    }

    @Override
    public synchronized void stop() {
        if (server != null) {
            server.close();
        }
    }
}
