package com.listinglens.budget;

/** A request ran out of its time budget before its answer was ready; nothing it did is kept. */
public final class DeadlineExceededException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String stage;
    private final long budgetMillis;
    private final long elapsedMillis;

    public DeadlineExceededException(String stage, long budgetMillis, long elapsedMillis) {
        super("the answer was not ready within the " + budgetMillis + " ms budget (" + elapsedMillis
                + " ms spent; given up while " + stage + ")");
        this.stage = stage;
        this.budgetMillis = budgetMillis;
        this.elapsedMillis = elapsedMillis;
    }

    /** Where the request was when it gave up: "decoding", "waiting for the model", ... */
    public String stage() {
        return stage;
    }

    public long budgetMillis() {
        return budgetMillis;
    }

    public long elapsedMillis() {
        return elapsedMillis;
    }
}
