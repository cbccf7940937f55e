package com.listinglens.vector;

import java.util.Arrays;

/**
 * An immutable set of ids for a filtered search ({@link FaissIndex#search(float[], int, int,
 * SearchParams, IdFilter)}): a bitmap over the ids {@code 0 .. size - 1}. Id {@code i} is a member
 * iff bit {@code i & 63} of word {@code i >>> 6} is set; ids outside {@code [0, size)} (negative
 * ones, and ids at or beyond {@code size}) are never members, so a filtered search can only return
 * ids below {@code size} (at most {@value FaissIndex#MAX_COUNT}, hence {@link FaissIndex#MAX_COUNT}
 * as the largest size).
 *
 * <p>Build one with {@link #of(long[], long)} from a ready bitmap (copied) or with a {@link
 * Builder}. The bitmap must have exactly {@code ceil(size / 64)} words and no bits set at or beyond
 * {@code size}; {@link #of} rejects anything else, so that a bitmap built for a different size is
 * not silently reinterpreted.
 */
public final class IdFilter {

    private final long[] words;
    private final long size;
    private final long count;

    private IdFilter(long[] words, long size) {
        this.words = words;
        this.size = size;
        long c = 0;
        for (long w : words) {
            c += Long.bitCount(w);
        }
        this.count = c;
    }

    /**
     * A filter from a bitmap (the array is copied).
     *
     * @param words bit {@code i} in {@code words[i >>> 6]}, bit {@code i & 63}; exactly {@code
     *     ceil(size / 64)} words; bits at or beyond {@code size} must be 0
     * @param size number of ids covered, 0..{@link FaissIndex#MAX_COUNT}
     * @throws IllegalArgumentException if {@code words} is null, has the wrong length or has bits set
     *     at or beyond {@code size}, or {@code size} is out of range
     */
    public static IdFilter of(long[] words, long size) {
        checkSize(size);
        if (words == null) {
            throw new IllegalArgumentException("words must not be null");
        }
        int expected = wordCount(size);
        if (words.length != expected) {
            throw new IllegalArgumentException("a filter of size " + size + " needs ceil(size / 64) = " + expected
                    + " words, got " + words.length);
        }
        int tail = (int) (size & 63);
        if (tail != 0 && words[expected - 1] >>> tail != 0) {
            throw new IllegalArgumentException("words has bits set at or beyond size " + size
                    + " (in the last word); clear them or use a larger size");
        }
        return new IdFilter(words.clone(), size);
    }

    /** A filter of {@code size} ids with no members (a search with it returns nothing). */
    public static IdFilter none(long size) {
        checkSize(size);
        return new IdFilter(new long[wordCount(size)], size);
    }

    /** A filter whose members are all ids {@code 0 .. size - 1}. */
    public static IdFilter all(long size) {
        return new Builder(size).setRange(0, size).build();
    }

    /** Number of ids covered: members are {@code < size()}. */
    public long size() {
        return size;
    }

    /** Number of members. */
    public long count() {
        return count;
    }

    /** Whether {@code id} is a member; false for ids outside {@code [0, size)}. */
    public boolean contains(long id) {
        return id >= 0 && id < size && (words[(int) (id >>> 6)] & (1L << id)) != 0;
    }

    /** A copy of the bitmap. */
    public long[] words() {
        return words.clone();
    }

    /** The bitmap itself, for passing to native code; never modify. */
    long[] wordsNoCopy() {
        return words;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IdFilter f && size == f.size && Arrays.equals(words, f.words);
    }

    @Override
    public int hashCode() {
        return 31 * Long.hashCode(size) + Arrays.hashCode(words);
    }

    @Override
    public String toString() {
        return "IdFilter[size=" + size + ", count=" + count + "]";
    }

    private static void checkSize(long size) {
        if (size < 0 || size > FaissIndex.MAX_COUNT) {
            throw new IllegalArgumentException("filter size must be in 0.." + FaissIndex.MAX_COUNT + ", got " + size);
        }
    }

    private static int wordCount(long size) {
        return (int) ((size + 63) >>> 6);
    }

    /** A mutable bitmap of {@code size} ids, initially empty; not thread-safe. */
    public static final class Builder {
        private final long[] words;
        private final long size;

        /**
         * @param size number of ids covered, 0..{@link FaissIndex#MAX_COUNT}
         * @throws IllegalArgumentException if {@code size} is out of range
         */
        public Builder(long size) {
            checkSize(size);
            this.size = size;
            this.words = new long[wordCount(size)];
        }

        /**
         * Adds {@code id}.
         *
         * @throws IllegalArgumentException if {@code id} is outside {@code [0, size)}
         */
        public Builder set(long id) {
            check(id);
            words[(int) (id >>> 6)] |= 1L << id;
            return this;
        }

        /**
         * Removes {@code id}.
         *
         * @throws IllegalArgumentException if {@code id} is outside {@code [0, size)}
         */
        public Builder clear(long id) {
            check(id);
            words[(int) (id >>> 6)] &= ~(1L << id);
            return this;
        }

        /**
         * Adds the ids {@code from .. to - 1}.
         *
         * @throws IllegalArgumentException unless {@code 0 <= from <= to <= size}
         */
        public Builder setRange(long from, long to) {
            if (from < 0 || from > to || to > size) {
                throw new IllegalArgumentException("range [" + from + ", " + to + ") is not inside [0, " + size + ")");
            }
            for (long id = from; id < to; ) {
                int w = (int) (id >>> 6);
                long end = Math.min(to, ((long) w + 1) << 6);
                int lo = (int) (id & 63);
                int n = (int) (end - id);
                long mask = n == 64 ? -1L : ((1L << n) - 1) << lo;
                words[w] |= mask;
                id = end;
            }
            return this;
        }

        /** Whether {@code id} is currently set; false outside {@code [0, size)}. */
        public boolean contains(long id) {
            return id >= 0 && id < size && (words[(int) (id >>> 6)] & (1L << id)) != 0;
        }

        /** The filter as it is now; the builder stays usable and later changes do not affect it. */
        public IdFilter build() {
            return new IdFilter(words.clone(), size);
        }

        private void check(long id) {
            if (id < 0 || id >= size) {
                throw new IllegalArgumentException("id " + id + " is outside the filter's range [0, " + size + ")");
            }
        }
    }
}
