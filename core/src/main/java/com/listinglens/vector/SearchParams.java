package com.listinglens.vector;

/**
 * Per-call search parameters. A value of 0 means "use the index's own default" (the value stored in
 * the index: FAISS's defaults are nprobe 1 and efSearch 16).
 *
 * <p>{@code nprobe} applies to IVF indexes (number of inverted lists visited), {@code efSearch} to
 * HNSW indexes (size of the candidate queue; the search uses {@code max(efSearch, k)}). A parameter
 * that does not apply to the index being searched is ignored. Parameters apply to this call only;
 * they never change the index, so concurrent searches can use different values.
 *
 * @param nprobe IVF lists to visit, 0..{@value #MAX_NPROBE}; values above the index's list count
 *     visit every list
 * <p>{@code exhaustive} makes a search visit everything the {@linkplain IdFilter filter} allows (or
 * everything, without a filter): IVF indexes scan every inverted list (whatever {@code nprobe}),
 * HNSW indexes replace the graph walk by an exact scan of the members of their storage ({@code
 * efSearch} is then ignored); Flat, SQ and PQ indexes are exhaustive anyway. Use it for selective
 * filters, where an approximate search may find fewer than {@code k} members: an exhaustive
 * search returns {@code min(k, members in the index)} results. It costs about one distance
 * computation per allowed vector (IVF: plus a pass over the ids of every list).
 *
 * @param nprobe IVF lists to visit, 0..{@value #MAX_NPROBE}; values above the index's list count
 *     visit every list
 * @param efSearch HNSW candidate queue size, 0..{@value #MAX_EF_SEARCH}
 * @param exhaustive visit everything the filter allows: IVF all lists, HNSW a scan of its storage;
 *     Flat is exhaustive anyway
 */
public record SearchParams(int nprobe, int efSearch, boolean exhaustive) {

    public static final int MAX_NPROBE = 65_536;
    public static final int MAX_EF_SEARCH = 65_536;

    /** Index defaults for everything. */
    public static final SearchParams DEFAULT = new SearchParams(0, 0, false);

    /** Index defaults, exhaustive. */
    public static final SearchParams EXHAUSTIVE = new SearchParams(0, 0, true);

    public SearchParams {
        if (nprobe < 0 || nprobe > MAX_NPROBE) {
            throw new IllegalArgumentException(
                    "nprobe must be in 0.." + MAX_NPROBE + " (0 = index default), got " + nprobe);
        }
        if (efSearch < 0 || efSearch > MAX_EF_SEARCH) {
            throw new IllegalArgumentException(
                    "efSearch must be in 0.." + MAX_EF_SEARCH + " (0 = index default), got " + efSearch);
        }
    }

    /** Not exhaustive. */
    public SearchParams(int nprobe, int efSearch) {
        this(nprobe, efSearch, false);
    }

    public static SearchParams ofNprobe(int nprobe) {
        return new SearchParams(nprobe, 0, false);
    }

    public static SearchParams ofEfSearch(int efSearch) {
        return new SearchParams(0, efSearch, false);
    }

    public SearchParams withNprobe(int nprobe) {
        return new SearchParams(nprobe, efSearch, exhaustive);
    }

    public SearchParams withEfSearch(int efSearch) {
        return new SearchParams(nprobe, efSearch, exhaustive);
    }

    public SearchParams withExhaustive(boolean exhaustive) {
        return new SearchParams(nprobe, efSearch, exhaustive);
    }
}
