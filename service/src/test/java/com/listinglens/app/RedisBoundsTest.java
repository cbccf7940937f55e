package com.listinglens.app;

import com.listinglens.config.ConfigLoader;
import com.listinglens.config.LensConfig;
import com.listinglens.config.Settings;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Request-time state in Redis is bounded: sessions live at most 7 days and hold at most session-max-bytes. */
class RedisBoundsTest {

    static void check(Map<String, String> overrides) {
        LensConfig c = ConfigLoader.load(overrides);
        Settings.checkRedis(c.redis(), c.search().cursorTtl());
    }

    @Test
    void theDefaultsPassAndUnboundedValuesAreRefused() {
        assertThatCode(() -> check(Map.of())).doesNotThrowAnyException();
        assertThatCode(() -> check(Map.of("lens.redis.session-ttl", "7d"))).doesNotThrowAnyException();
        assertThatThrownBy(() -> check(Map.of("lens.redis.session-ttl", "8d")))
                .hasMessageContaining("lens.redis.session-ttl must be above 0 and at most 7 days");
        assertThatThrownBy(() -> check(Map.of("lens.redis.session-ttl", "0s"))).hasMessageContaining("session-ttl");
        assertThatThrownBy(() -> check(Map.of("lens.redis.answer-ttl", "0s"))).hasMessageContaining("need");
        assertThatThrownBy(() -> check(Map.of("lens.redis.session-max-bytes", "512")))
                .hasMessageContaining("lens.redis.session-max-bytes must be at least 1024");
    }
}
