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
 * @param efSearch HNSW candidate queue size, 0..{@value #MAX_EF_SEARCH}
 */
public record SearchParams(int nprobe, int efSearch) {

    public static final int MAX_NPROBE = 65_536;
    public static final int MAX_EF_SEARCH = 65_536;

    /** Index defaults for everything. */
    public static final SearchParams DEFAULT = new SearchParams(0, 0);

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

    public static SearchParams ofNprobe(int nprobe) {
        return new SearchParams(nprobe, 0);
    }

    public static SearchParams ofEfSearch(int efSearch) {
        return new SearchParams(0, efSearch);
    }

    public SearchParams withNprobe(int nprobe) {
        return new SearchParams(nprobe, efSearch);
    }

    public SearchParams withEfSearch(int efSearch) {
        return new SearchParams(nprobe, efSearch);
    }
}
