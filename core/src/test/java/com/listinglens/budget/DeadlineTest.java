package com.listinglens.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DeadlineTest {

    @Test
    void noBudgetMeansNoDeadline() {
        for (Deadline d : new Deadline[] {Deadline.NONE, Deadline.after(Duration.ZERO), Deadline.after(null),
                Deadline.after(Duration.ofMillis(-5))}) {
            assertThat(d.bounded()).isFalse();
            assertThat(d.expired()).isFalse();
            assertThat(d.remainingNanos()).isEqualTo(Long.MAX_VALUE);
            d.check("anything");
        }
    }

    @Test
    void aPassedDeadlineThrowsWithStageBudgetAndTimeSpent() {
        long start = System.nanoTime() - Duration.ofMillis(700).toNanos();
        Deadline d = Deadline.startingAt(start, Duration.ofMillis(500));
        assertThat(d.bounded()).isTrue();
        assertThat(d.expired()).isTrue();
        assertThat(d.remainingNanos()).isZero();
        assertThatThrownBy(() -> d.check("decoding photo 1 of 2"))
                .isInstanceOfSatisfying(DeadlineExceededException.class, e -> {
                    assertThat(e.stage()).isEqualTo("decoding photo 1 of 2");
                    assertThat(e.budgetMillis()).isEqualTo(500);
                    assertThat(e.elapsedMillis()).isGreaterThanOrEqualTo(700);
                    assertThat(e.getMessage()).contains("500 ms budget").contains("decoding photo 1 of 2");
                });
    }

    @Test
    void aFutureDeadlineLeavesTimeAndPasses() {
        Deadline d = Deadline.after(Duration.ofMinutes(5));
        assertThat(d.expired()).isFalse();
        assertThat(d.remainingNanos()).isGreaterThan(Duration.ofMinutes(4).toNanos()).isLessThanOrEqualTo(Duration.ofMinutes(5).toNanos());
        d.check("embedding");
    }
}
