package com.listinglens.storage;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Waits between attempts at an unreachable store: {@code initial}, doubled per consecutive failure, at most
 * {@code max}, with up to a fifth taken off at random so that replicas do not retry in step. A success resets it.
 * Not thread-safe: one watcher owns one.
 */
public final class Backoff {

    private final Duration initial;
    private final Duration max;
    private int failures;

    public Backoff(Duration initial, Duration max) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max, not " + initial + " / " + max);
        }
        this.initial = initial;
        this.max = max;
    }

    /** Records a failure and answers the wait before the next attempt; {@code random} in [0, 1) picks the jitter. */
    public Duration failed(double random) {
        failures++;
        long wait = initial.toMillis();
        for (int i = 1; i < failures && wait < max.toMillis(); i++) {
            wait *= 2;
        }
        wait = Math.min(wait, max.toMillis());
        long jitter = (long) (wait * 0.2 * Math.max(0, Math.min(1, random)));
        return Duration.ofMillis(Math.max(1, wait - jitter));
    }

    /** Sleeps; the tests pass one that records instead. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    /**
     * Runs {@code attempt} until it succeeds, at most {@code attempts} times, waiting this backoff between attempts
     * that failed with {@link StorageUnavailableException} (an unreachable store); any other exception, or the last
     * attempt's, is thrown at once. {@code onRetry} is told each failure and the wait before the next attempt.
     */
    public <T> T retry(int attempts, Supplier<T> attempt, BiConsumer<RuntimeException, Duration> onRetry,
                       Sleeper sleeper) throws InterruptedException {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be >= 1, got " + attempts);
        }
        for (int i = 1; ; i++) {
            try {
                T result = attempt.get();
                succeeded();
                return result;
            } catch (StorageUnavailableException e) {
                if (i >= attempts) {
                    throw e;
                }
                Duration wait = failed(ThreadLocalRandom.current().nextDouble());
                onRetry.accept(e, wait);
                sleeper.sleep(wait);
            }
        }
    }

    public void succeeded() {
        failures = 0;
    }

    public int failures() {
        return failures;
    }
}
