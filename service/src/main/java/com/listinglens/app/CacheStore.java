package com.listinglens.app;

import com.listinglens.config.Settings;
import com.listinglens.cache.RedisStore;
import com.listinglens.config.LensConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.List;
import java.util.Optional;

/**
 * The Redis connection of request-time state (answer cache, suggestion sessions, search cursors), with the cache's
 * short timeout; absent when Redis is disabled (lens.redis.enabled=false).
 */
@ApplicationScoped
public class CacheStore {

    private final RedisStore redis;

    public CacheStore(LensConfig config, MeterRegistry registry) {
        LensConfig.Redis r = config.redis();
        this.redis = r.enabled() ? new RedisStore(Settings.redis(r, r.timeout())) : null;
        if (redis != null) {
            Gauge.builder("lens.redis.available", redis, s -> s.isAvailable() ? 1 : 0)
                    .description("1 unless Redis is resting after a failure").register(registry);
            registry.more().counter("lens.redis.failures", List.of(), redis, RedisStore::failures);
            registry.more().counter("lens.redis.commands", List.of(), redis, RedisStore::commands);
        }
    }

    public Optional<RedisStore> redis() {
        return Optional.ofNullable(redis);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (redis != null) {
            redis.close();
        }
    }
}
