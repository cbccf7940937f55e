package com.listinglens.eval;

/**
 * How one field of one upload was answered: the true value, the answer ({@code null} when the suggestion abstained),
 * the confidence that came with the answer ({@code null} when none) and whether the {@link Scorecard} counts it right.
 * An abstention is never right: it counts as wrong in accuracy, as the scorecard does.
 *
 * <p>Values are shown as text: a category path as its names joined by {@code " > "}, a weight class by its label. Use
 * {@link #answered()} rather than comparing texts; {@link #correct()} is the scorecard's verdict (a category level is
 * right only when its whole prefix is).
 */
public record FieldOutcome(String truth, String answer, Double confidence, boolean correct) {

    public FieldOutcome {
        if (truth == null) {
            throw new IllegalArgumentException("an outcome needs the true value");
        }
        if (answer == null && correct) {
            throw new IllegalArgumentException("an abstention cannot be right");
        }
    }

    /** Whether the suggestion gave an answer for this field. */
    public boolean answered() {
        return answer != null;
    }

    /** Whether the answer came with a usable confidence (the answers a reliability diagram bins). */
    public boolean scored() {
        return answer != null && confidence != null && !confidence.isNaN();
    }
}
