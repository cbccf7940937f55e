package com.listinglens.vector;

import java.util.Arrays;

/**
 * Results of a batched k-NN search, row-major: row {@code q} holds the {@code k} results of query
 * {@code q}, best first, at positions {@code q * k .. q * k + k - 1}.
 *
 * <p>Where fewer than {@code k} results exist (small index, few IVF lists probed) the remaining
 * positions of the row hold id {@code -1} and score {@code NaN}. Scores are FAISS distances: the
 * inner product for {@link Metric#INNER_PRODUCT} (higher is better) or the <em>squared</em>
 * Euclidean distance for {@link Metric#L2} (lower is better).
 *
 * <p>The arrays are not copied; treat them as read-only.
 *
 * @param queries number of queries (rows)
 * @param k results per query (columns)
 * @param ids {@code queries * k} ids, {@code -1} for "no result"
 * @param scores {@code queries * k} scores, {@code NaN} for "no result"
 */
public record SearchResult(int queries, int k, long[] ids, float[] scores) {

    public SearchResult {
        if (queries < 0) {
            throw new IllegalArgumentException("queries must be >= 0, got " + queries);
        }
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        if (ids == null || scores == null) {
            throw new IllegalArgumentException("ids and scores must not be null");
        }
        long size = (long) queries * k;
        if (ids.length != size || scores.length != size) {
            throw new IllegalArgumentException("ids and scores must have queries * k = " + size
                    + " elements, got " + ids.length + " and " + scores.length);
        }
    }

    /** The id of the {@code rank}-th result (0 = best) of query {@code query}, or -1. */
    public long id(int query, int rank) {
        return ids[offset(query, rank)];
    }

    /** The score of the {@code rank}-th result (0 = best) of query {@code query}, or NaN. */
    public float score(int query, int rank) {
        return scores[offset(query, rank)];
    }

    /** How many real results (id != -1) query {@code query} got. */
    public int count(int query) {
        int base = offset(query, 0);
        int n = 0;
        while (n < k && ids[base + n] != -1) {
            n++;
        }
        return n;
    }

    /** A copy of the ids of query {@code query}. */
    public long[] ids(int query) {
        int base = offset(query, 0);
        return Arrays.copyOfRange(ids, base, base + k);
    }

    /** A copy of the scores of query {@code query}. */
    public float[] scores(int query) {
        int base = offset(query, 0);
        return Arrays.copyOfRange(scores, base, base + k);
    }

    private int offset(int query, int rank) {
        if (query < 0 || query >= queries) {
            throw new IndexOutOfBoundsException("query " + query + " out of range 0.." + (queries - 1));
        }
        if (rank < 0 || rank >= k) {
            throw new IndexOutOfBoundsException("rank " + rank + " out of range 0.." + (k - 1));
        }
        return query * k + rank;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SearchResult r
                && queries == r.queries
                && k == r.k
                && Arrays.equals(ids, r.ids)
                && Arrays.equals(scores, r.scores);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * queries + k) + Arrays.hashCode(ids)) + Arrays.hashCode(scores);
    }

    @Override
    public String toString() {
        return "SearchResult[queries=" + queries + ", k=" + k + "]";
    }
}
