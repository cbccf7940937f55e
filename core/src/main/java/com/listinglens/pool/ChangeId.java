package com.listinglens.pool;

/**
 * The position of a live change in the change log: a Redis stream entry id, {@code <milliseconds>-<sequence>}.
 * Ids grow with every change, so "applied through" is one id and ids compare in log order. Pure.
 */
public record ChangeId(long millis, long sequence) implements Comparable<ChangeId> {

    /** Before every change. */
    public static final ChangeId ZERO = new ChangeId(0, 0);

    public ChangeId {
        if (millis < 0 || sequence < 0) {
            throw new IllegalArgumentException("change ids are non-negative");
        }
    }

    /** Parses {@code "1700000000000-3"} (a bare number means sequence 0). */
    public static ChangeId parse(String text) {
        if (text == null || text.isBlank() || text.length() > 41) {
            throw new IllegalArgumentException("not a change id: '" + text + "'");
        }
        String s = text.strip();
        int dash = s.indexOf('-');
        try {
            return dash < 0 ? new ChangeId(Long.parseLong(s), 0)
                    : new ChangeId(Long.parseLong(s.substring(0, dash)), Long.parseLong(s.substring(dash + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a change id: '" + text + "'");
        }
    }

    /** Parses, or null for null/blank. */
    public static ChangeId parseOrNull(String text) {
        return text == null || text.isBlank() ? null : parse(text);
    }

    public boolean isAfter(ChangeId other) {
        return compareTo(other) > 0;
    }

    @Override
    public int compareTo(ChangeId o) {
        int c = Long.compare(millis, o.millis);
        return c != 0 ? c : Long.compare(sequence, o.sequence);
    }

    @Override
    public String toString() {
        return millis + "-" + sequence;
    }
}
