package com.listinglens.vector;

/**
 * The ids an index holds against an expected set {@code [0, expected)} ({@link FaissIndex#censusIds}).
 *
 * @param ids ids enumerated (the index's vector count when it is sound)
 * @param outOfRange ids below 0 or at or above {@code expected}
 * @param duplicates occurrences of an id beyond its first
 * @param missing ids in {@code [0, expected)} the index does not hold
 */
public record IdCensus(long expected, long ids, long outOfRange, long duplicates, long missing) {

    /** Every expected id exactly once and nothing else. */
    public boolean exact() {
        return ids == expected && outOfRange == 0 && duplicates == 0 && missing == 0;
    }

    @Override
    public String toString() {
        return ids + " ids for " + expected + " expected: " + missing + " missing, " + duplicates + " duplicated, "
                + outOfRange + " out of range";
    }
}
