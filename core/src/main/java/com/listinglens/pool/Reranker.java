package com.listinglens.pool;

import com.listinglens.vector.FaissIndex;
import com.listinglens.vector.Metric;
import com.listinglens.vector.SearchResult;

import java.util.Arrays;

/**
 * Puts a pool index's candidates in their final order. A compressed index (IVF-PQ) ranks by approximate scores, so
 * where the pool has re-ranking rows the index proposes {@link #refine()} candidates per result and the pool's own rows
 * decide: its 8-bit rows ({@link Sq8Rows}) rank them all and keep {@link #exact()} per result, then its fp32 rows
 * ({@link PoolFiles#INDEX_VECTORS}) order those by their inner product with the query (the cosine: rows and queries are
 * unit vectors). With {@code exact} 0 or no 8-bit rows the fp32 rows score every candidate; without fp32 rows the
 * index's own order stands, its scores turned into cosines.
 * <p>
 * Usage, for {@code k} results of {@code n} queries (row after row in {@code queries}, in the index's space) among
 * {@code inPool} listings:
 * <pre>{@code
 * int kc = reranker.candidates(k, inPool);
 * SearchResult result = index.search(queries, n, kc, params, filter);
 * long[] ids = new long[k];
 * float[] sims = new float[k];
 * int found = reranker.best(result, q, queries, ids, sims); // query q's best found, best first
 * }</pre>
 * A {@link Pool} holds one for its life; {@link #close()} frees the rows it was given.
 */
final class Reranker implements AutoCloseable {

    private final Metric metric;
    /** The pool's row count: a candidate id outside {@code 0..rows-1} (-1: none) is no result. */
    private final long rows;
    /** The index's rows at full precision (null: the index's order stands). */
    private final PhotoVectors fp32;
    /** The same rows in 8 bits: the first stage, over all candidates (null: the fp32 rows score them all). */
    private final Sq8Rows sq8;
    private final int refine;
    private final int exact;

    /**
     * {@code fp32}, {@code sq8}: the pool's re-ranking rows (null: none; 8-bit rows count only beside fp32 rows);
     * {@code refine}: candidates per result the index proposes where there are fp32 rows (below 1: one); {@code exact}:
     * of those, how many per result the fp32 rows re-score after the 8-bit rows ranked them all (0: none, the fp32 rows
     * score them all).
     */
    Reranker(Metric metric, long rows, PhotoVectors fp32, Sq8Rows sq8, int refine, int exact) {
        this.metric = metric;
        this.rows = rows;
        this.fp32 = fp32;
        this.sq8 = fp32 == null ? null : sq8;
        this.exact = this.sq8 == null ? 0 : exact;
        this.refine = fp32 == null ? 1 : Math.max(1, refine);
    }

    /** Candidates per result re-ranked by the fp32 rows (1: none, the index's order stands). */
    int refine() {
        return refine;
    }

    /** Candidates per result the fp32 rows re-score after the 8-bit rows ranked them all (0: no 8-bit stage). */
    int exact() {
        return exact;
    }

    /** How many candidates the index is asked for, for {@code k} results among {@code inPool} listings. */
    int candidates(int k, long inPool) {
        return fp32 == null ? k : (int) Math.min(Math.min(inPool, (long) k * refine), FaissIndex.MAX_K);
    }

    /**
     * The best {@code ids.length} of query {@code q}'s candidates in {@code result} (asked for {@link #candidates}),
     * best first, into {@code ids} with their cosine similarity to the query in {@code sims}; returns how many there
     * are. {@code queries}: the search's queries, row after row, in the index's space.
     */
    int best(SearchResult result, int q, float[] queries, long[] ids, float[] sims) {
        return fp32 == null ? indexOrder(result, q, ids, sims) : reranked(result, q, queries, ids, sims);
    }

    /** The first {@code ids.length} results of query {@code q} in the index's order; returns how many there are. */
    private int indexOrder(SearchResult result, int q, long[] ids, float[] sims) {
        int found = 0;
        for (int r = 0; r < ids.length; r++) {
            long id = result.id(q, r);
            if (id >= 0 && id < rows) {
                ids[found] = id;
                sims[found++] = metric.cosine(result.score(q, r));
            }
        }
        return found;
    }

    /**
     * The best {@code ids.length} of query {@code q}'s candidates by their fp32 rows' inner product with the query,
     * after the 8-bit rows kept the best {@code exact x ids.length} where there is an 8-bit stage.
     */
    private int reranked(SearchResult result, int q, float[] queries, long[] ids, float[] sims) {
        int d = fp32.dimension();
        float[] query = Arrays.copyOfRange(queries, q * d, (q + 1) * d);
        int kc = result.k();
        long[] candidates = new long[kc];
        int n = 0;
        for (int r = 0; r < kc; r++) {
            long id = result.id(q, r);
            if (id >= 0 && id < rows) {
                candidates[n++] = id;
            }
        }
        int keep = exact == 0 ? n : (int) Math.min(n, (long) exact * ids.length);
        if (keep < n) {
            // the 8-bit rows rank every candidate; the fp32 rows then decide among the best few
            float[] prepared = sq8.prepare(query);
            long[] best = new long[keep];
            float[] bestSims = new float[keep];
            int kept = 0;
            for (int c = 0; c < n; c++) {
                kept = insert(best, bestSims, kept, candidates[c], sq8.dot(candidates[c], prepared));
            }
            candidates = best;
            n = kept;
        }
        int found = 0;
        for (int c = 0; c < n; c++) {
            found = insert(ids, sims, found, candidates[c], fp32.dot(candidates[c], query));
        }
        return found;
    }

    /**
     * Inserts {@code id} with {@code sim} into the best-first list {@code ids}/{@code sims} holding {@code found}
     * entries (at most {@code ids.length}: the worst drops out); returns how many it holds then.
     */
    private static int insert(long[] ids, float[] sims, int found, long id, float sim) {
        if (found == ids.length && sim <= sims[found - 1]) {
            return found;
        }
        int at = found == ids.length ? found - 1 : found++;
        while (at > 0 && sims[at - 1] < sim) {
            sims[at] = sims[at - 1];
            ids[at] = ids[at - 1];
            at--;
        }
        sims[at] = sim;
        ids[at] = id;
        return found;
    }

    @Override
    public void close() {
        if (fp32 != null) {
            fp32.close();
        }
        if (sq8 != null) {
            sq8.close();
        }
    }
}
