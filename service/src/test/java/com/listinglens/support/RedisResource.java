package com.listinglens.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** A real redis-server for @QuarkusTest runs; {@link #server()} lets tests stop and restart it. */
public class RedisResource implements QuarkusTestResourceLifecycleManager {

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
        return Map.of("lens.redis.port", Integer.toString(server.port()), "lens.redis.retry-after", "200ms");
    }

    @Override
    public synchronized void stop() {
        if (server != null) {
            server.close();
        }
    }
}
