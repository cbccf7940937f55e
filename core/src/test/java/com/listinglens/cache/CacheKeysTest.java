package com.listinglens.cache;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CacheKeysTest {

    private static final String MODEL = "a".repeat(64);
    private final byte[] a = {1, 2, 3};
    private final byte[] b = {4, 5, 6};

    @Test
    void everythingAnAnswerDependsOnIsInItsKey() {
        String key = CacheKeys.answer("demo", MODEL, "pool-1", List.of(a));
        assertThat(key).startsWith("lens:v1:answer:demo:" + MODEL + ":pool-1:");
        assertThat(CacheKeys.answer("demo", MODEL, "pool-1", List.of(new byte[]{1, 2, 3}))).isEqualTo(key);
        assertThat(CacheKeys.answer("other", MODEL, "pool-1", List.of(a))).isNotEqualTo(key);
        assertThat(CacheKeys.answer("demo", "b".repeat(64), "pool-1", List.of(a))).isNotEqualTo(key);
        assertThat(CacheKeys.answer("demo", MODEL, "pool-2", List.of(a))).isNotEqualTo(key);
        assertThat(CacheKeys.answer("demo", MODEL, "pool-1", List.of(b))).isNotEqualTo(key);
        // photo order and photo boundaries matter
        assertThat(CacheKeys.answer("demo", MODEL, "pool-1", List.of(a, b)))
                .isNotEqualTo(CacheKeys.answer("demo", MODEL, "pool-1", List.of(b, a)))
                .isNotEqualTo(CacheKeys.answer("demo", MODEL, "pool-1", List.of(new byte[]{1, 2, 3, 4, 5, 6})));
    }

    @Test
    void keyPartsAreCheckedSoNoValueCanForgeAnotherKey() {
        assertThatThrownBy(() -> CacheKeys.answer("de:mo", MODEL, "p", List.of(a))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CacheKeys.answer("demo", null, "p", List.of(a))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CacheKeys.answer("demo", MODEL, "", List.of(a))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CacheKeys.answer("demo", MODEL, "p", List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sessionIdsAre128BitHex() {
        String id = "0123456789abcdef0123456789abcdef";
        assertThat(CacheKeys.isSessionId(id)).isTrue();
        assertThat(CacheKeys.session(id)).isEqualTo("lens:v1:session:" + id);
        assertThat(CacheKeys.isSessionId("0123")).isFalse();
        assertThat(CacheKeys.isSessionId("../../etc/passwd")).isFalse();
        assertThat(CacheKeys.isSessionId(null)).isFalse();
        assertThatThrownBy(() -> CacheKeys.session("x")).isInstanceOf(IllegalArgumentException.class);
    }
}
