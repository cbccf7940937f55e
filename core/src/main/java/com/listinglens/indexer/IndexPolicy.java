package com.listinglens.indexer;

import com.listinglens.pool.Manifest;

import java.util.Locale;

/**
 * Picks the index for a pool by its size when the build asks for {@code auto}: exact search (a flat index) below
 * {@code exactBelow} listings, where it is fast enough and costs nothing in recall; above it an inverted file over
 * product-quantized codes, with about {@code listSize} listings per list (a power of two of lists between
 * {@code minLists} and {@code maxLists}), {@code dimsPerCode} dimensions per one-byte PQ code, and {@code nprobe}
 * lists visited per query. Training uses {@code trainPerList} sample rows per list, at most {@code maxTrainRows}. PQ
 * codes alone rank neighbours only roughly; with {@code refine} above 0 the pool also keeps its rows at full
 * precision (fp32, memory-mapped) and re-ranks {@code refine} x k candidates by them.
 * Pure logic: no I/O.
 */
public record IndexPolicy(long exactBelow, int listSize, int minLists, int maxLists, int dimsPerCode, int nprobe,
                          int trainPerList, int maxTrainRows, int refine) {

    /** The factory string that asks for a choice by size. */
    public static final String AUTO = "auto";

    public IndexPolicy {
        if (exactBelow < 1 || listSize < 1 || minLists < 1 || maxLists < minLists || dimsPerCode < 1 || nprobe < 1
                || trainPerList < 1 || maxTrainRows < 1 || refine < 0) {
            throw new IllegalArgumentException("index policy: every bound must be >= 1 and max lists >= min lists");
        }
        if (Integer.bitCount(minLists) != 1 || Integer.bitCount(maxLists) != 1) {
            throw new IllegalArgumentException("index policy: list counts must be powers of two, got " + minLists + ".." + maxLists);
        }
    }

    /** What to build: the factory string, why, the search parameters to record, and how many rows to train on. */
    public record Choice(String factory, String reason, int nprobe, long trainRows, int refine) {

        public Manifest.IndexChoice manifestEntry() {
            return new Manifest.IndexChoice(reason, nprobe, 0, refine);
        }
    }

    /** The index for {@code n} listings of dimension {@code d}. */
    public Choice choose(long n, int d) {
        if (n < 1 || d < 1) {
            throw new IllegalArgumentException("index policy: a pool needs listings and a dimension, got " + n + " x " + d);
        }
        if (n < exactBelow) {
            return new Choice("IDMap,Flat", String.format(Locale.ROOT, "auto: %d listings < %d: exact search", n, exactBelow), 0, 0, 0);
        }
        long wanted = Math.max(1, n / listSize);
        int lists = (int) Math.min(maxLists, Math.max(minLists, Long.highestOneBit(wanted)));
        // round to the nearer power of two
        if (lists < maxLists && wanted - lists > (2L * lists) - wanted) {
            lists *= 2;
        }
        int m = codes(d);
        long train = Math.min(n, Math.min(maxTrainRows, (long) trainPerList * lists));
        // "np": no polysemous training (simulated annealing over the codes, minutes, and of no use to a search by distances)
        String factory = "IVF" + lists + ",PQ" + m + "np";
        return new Choice(factory, String.format(Locale.ROOT,
                "auto: %d listings >= %d: %d lists of about %d, PQ%d (%d bytes per listing), nprobe %d, trained on %d rows, %s",
                n, exactBelow, lists, n / lists, m, m, Math.min(nprobe, lists), train,
                refine > 0 ? refine + " x k candidates re-ranked by fp32 rows" : "no re-ranking"), Math.min(nprobe, lists), train, refine);
    }

    /** The PQ code count: about d / dimsPerCode, a divisor of d. */
    int codes(int d) {
        int m = Math.max(1, d / dimsPerCode);
        while (d % m != 0) {
            m--;
        }
        return m;
    }
}
