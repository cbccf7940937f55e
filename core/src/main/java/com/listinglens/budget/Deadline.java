package com.listinglens.budget;

import java.time.Duration;

/**
 * The time one request may take (lens.request.deadline), started when the service begins handling it. Stages
 * check it where giving up still saves work: after decoding each photo, while waiting for the model, before the
 * search. Once the neighbours are found the answer is finished even if late, because what remains takes well
 * under a millisecond and a complete answer is worth more than a 503. Immutable and thread-safe.
 */
public final class Deadline {

    /** No deadline: batch jobs, the admin endpoints, tests. */
    public static final Deadline NONE = new Deadline(0, 0);

    private final long startNanos;
    /** 0 for {@link #NONE}; positive otherwise. */
    private final long budgetNanos;

    private Deadline(long startNanos, long budgetNanos) {
        this.startNanos = startNanos;
        this.budgetNanos = budgetNanos;
    }

    /** A deadline {@code budget} from now; {@link #NONE} when the budget is null, zero or negative. */
    public static Deadline after(Duration budget) {
        return startingAt(System.nanoTime(), budget);
    }

    /** A deadline {@code budget} after {@code startNanos} (a {@link System#nanoTime()} reading). */
    public static Deadline startingAt(long startNanos, Duration budget) {
        if (budget == null || budget.isZero() || budget.isNegative()) {
            return NONE;
        }
        return new Deadline(startNanos, budget.toNanos());
    }

    public boolean bounded() {
        return budgetNanos > 0;
    }

    /** Nanoseconds left (never negative); {@link Long#MAX_VALUE} without a deadline. */
    public long remainingNanos() {
        if (!bounded()) {
            return Long.MAX_VALUE;
        }
        return Math.max(0, budgetNanos - (System.nanoTime() - startNanos));
    }

    public boolean expired() {
        return bounded() && System.nanoTime() - startNanos >= budgetNanos;
    }

    /** @throws DeadlineExceededException naming {@code stage} when the deadline has passed */
    public void check(String stage) {
        if (expired()) {
            throw exceeded(stage);
        }
    }

    /** The exception for running out of time in {@code stage}. */
    public DeadlineExceededException exceeded(String stage) {
        return new DeadlineExceededException(stage, budgetNanos / 1_000_000, (System.nanoTime() - startNanos) / 1_000_000);
    }

    @Override
    public String toString() {
        return bounded() ? "Deadline[" + budgetNanos / 1_000_000 + " ms, " + remainingNanos() / 1_000_000 + " ms left]" : "Deadline[none]";
    }
}
