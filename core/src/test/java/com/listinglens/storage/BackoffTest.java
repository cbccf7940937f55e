package com.listinglens.storage;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Waits between attempts at an unreachable store. */
class BackoffTest {

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    @Test
    void doublesFromInitialWithoutJitter() {
        Backoff b = new Backoff(ms(100), ms(60_000));
        assertThat(b.failed(0)).isEqualTo(ms(100));
        assertThat(b.failed(0)).isEqualTo(ms(200));
        assertThat(b.failed(0)).isEqualTo(ms(400));
        assertThat(b.failed(0)).isEqualTo(ms(800));
        assertThat(b.failed(0)).isEqualTo(ms(1600));
        assertThat(b.failures()).isEqualTo(5);
    }

    @Test
    void capsAtMax() {
        Backoff b = new Backoff(ms(100), ms(1000));
        assertThat(b.failed(0)).isEqualTo(ms(100));
        assertThat(b.failed(0)).isEqualTo(ms(200));
        assertThat(b.failed(0)).isEqualTo(ms(400));
        assertThat(b.failed(0)).isEqualTo(ms(800));
        assertThat(b.failed(0)).isEqualTo(ms(1000));
        for (int i = 0; i < 200; i++) {
            assertThat(b.failed(0)).isEqualTo(ms(1000));
        }
        assertThat(b.failures()).isEqualTo(205);
    }

    @Test
    void manyFailuresNeitherOverflowNorExceedMax() {
        Backoff b = new Backoff(ms(1), Duration.ofHours(1));
        Duration last = Duration.ZERO;
        for (int i = 0; i < 10_000; i++) {
            Duration d = b.failed(0);
            assertThat(d).isPositive().isLessThanOrEqualTo(Duration.ofHours(1)).isGreaterThanOrEqualTo(last);
            last = d;
        }
        assertThat(last).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void initialEqualToMaxStaysThere() {
        Backoff b = new Backoff(Duration.ofSeconds(5), Duration.ofSeconds(5));
        for (int i = 0; i < 5; i++) {
            assertThat(b.failed(0)).isEqualTo(Duration.ofSeconds(5));
        }
    }

    @Test
    void jitterTakesOffAtMostAFifth() {
        Backoff b = new Backoff(ms(1000), ms(1000));
        assertThat(b.failed(0.5)).isEqualTo(ms(900));
        assertThat(b.failed(0.999_999)).isEqualTo(ms(801));
        assertThat(b.failed(1.0)).isEqualTo(ms(800));
        // out-of-range randoms are clamped, never beyond a fifth nor above the base wait
        assertThat(b.failed(7.0)).isEqualTo(ms(800));
        assertThat(b.failed(-3.0)).isEqualTo(ms(1000));
        assertThat(b.failed(Double.NaN)).isBetween(ms(800), ms(1000));
    }

    @Test
    void jitterNeverExceedsTwentyPercentOfTheStep() {
        SplittableRandom random = new SplittableRandom(42);
        for (int run = 0; run < 50; run++) {
            Backoff b = new Backoff(ms(250), Duration.ofSeconds(30));
            long base = 250;
            for (int i = 0; i < 12; i++) {
                Duration d = b.failed(random.nextDouble());
                assertThat(d.toMillis()).as("failure %d", i + 1)
                        .isLessThanOrEqualTo(base)
                        .isGreaterThanOrEqualTo((long) Math.floor(base * 0.8));
                base = Math.min(base * 2, 30_000);
            }
        }
    }

    @Test
    void successResets() {
        Backoff b = new Backoff(ms(100), ms(10_000));
        b.failed(0);
        b.failed(0);
        b.failed(0);
        assertThat(b.failures()).isEqualTo(3);

        b.succeeded();

        assertThat(b.failures()).isZero();
        assertThat(b.failed(0)).isEqualTo(ms(100));
        assertThat(b.failed(0)).isEqualTo(ms(200));
    }

    @Test
    void neverAnswersZero() {
        Backoff b = new Backoff(Duration.ofNanos(10), ms(1));
        assertThat(b.failed(0)).isPositive();
        assertThat(b.failed(1)).isPositive();
    }

    @Test
    void refusesNonsensicalBounds() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, ms(10))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(ms(-1), ms(10))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(ms(100), ms(99))).isInstanceOf(IllegalArgumentException.class);
    }
}
