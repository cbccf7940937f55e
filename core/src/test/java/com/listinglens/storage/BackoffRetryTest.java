package com.listinglens.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BackoffRetryTest {

    private final List<Duration> slept = new ArrayList<>();
    private final List<String> told = new ArrayList<>();

    @Test
    void anUnreachableStoreIsTriedAgainWithGrowingWaits() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        String got = new Backoff(Duration.ofSeconds(2), Duration.ofMinutes(5)).retry(5, () -> {
            if (calls.incrementAndGet() < 4) {
                throw new StorageUnavailableException("connection refused", null);
            }
            return "model";
        }, (e, wait) -> told.add(e.getMessage()), slept::add);
        assertThat(got).isEqualTo("model");
        assertThat(calls).hasValue(4);
        assertThat(told).containsExactly("connection refused", "connection refused", "connection refused");
        assertThat(slept).hasSize(3);
        // 2, 4, 8 s, each with at most a fifth taken off
        assertThat(slept.get(0)).isBetween(Duration.ofMillis(1600), Duration.ofSeconds(2));
        assertThat(slept.get(1)).isBetween(Duration.ofMillis(3200), Duration.ofSeconds(4));
        assertThat(slept.get(2)).isBetween(Duration.ofMillis(6400), Duration.ofSeconds(8));
    }

    @Test
    void afterTheLastAttemptTheFailureIsThrown() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(3)).retry(3, () -> {
            calls.incrementAndGet();
            throw new StorageUnavailableException("down " + calls.get(), null);
        }, (e, wait) -> { }, slept::add)).isInstanceOf(StorageUnavailableException.class).hasMessage("down 3");
        assertThat(calls).hasValue(3);
        assertThat(slept).hasSize(2);
    }

    @Test
    void otherFailuresAreNotRetried() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(3)).retry(5, () -> {
            calls.incrementAndGet();
            throw new ArtifactRefusedException("invalid-manifest", "sha-256 differs");
        }, (e, wait) -> { }, slept::add)).isInstanceOf(ArtifactRefusedException.class);
        assertThat(calls).hasValue(1);
        assertThat(slept).isEmpty();
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(3)).retry(0, () -> 1, (e, w) -> { }, slept::add))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
