// Listing Lens: k-NN search with per-call parameters and an optional id filter.
//
// FAISS 1.7.3 does not forward per-call SearchParameters through every
// wrapper: IndexIDMap::search throws if given any, and IndexHNSW::search sizes
// its candidate queue from the index's own efSearch, using the per-call value
// only as a stopping threshold. So instead of handing a SearchParameters object
// to the outermost index we walk the wrapper chain ourselves:
//   IndexIDMap / IndexIDMap2 -> search the sub-index, then map labels to ids;
//                               a filter on the outer ids is seen by the
//                               sub-index through a selector that maps an inner
//                               position p to id_map[p]
//   IndexPreTransform        -> apply the transform chain, search the sub-index
//                               (the filter passes through unchanged)
//   IndexIVF*                -> IndexIVF::search with SearchParametersIVF
//                               (nprobe, sel); exhaustive: every list
//   IndexHNSW*               -> our own copy of the 1.7.3 HNSW search with a
//                               candidate queue of max(efSearch, k) that walks
//                               through non-members but only returns members;
//                               exhaustive: exact scan of the members of the
//                               storage
//   flat codes (Flat/SQ/PQ)  -> unfiltered: plain search; filtered: exact scan
//                               of the members with the distance computer
// Nothing in the index is modified, so searches can run concurrently (also on
// read-only / memory-mapped indexes).
#pragma once

#include <faiss/Index.h>
#include <faiss/impl/IDSelector.h>

#include <cstdint>

namespace lens {

struct SearchOptions {
    int nprobe = 0;          // 0: index default
    int efSearch = 0;        // 0: index default
    bool exhaustive = false; // visit everything the filter allows
};

// A set of ids as a bitmap: id i is a member iff 0 <= i < size and bit (i & 63)
// of words[i >> 6] is set. Does not own the words ((size + 63) / 64 of them),
// which must outlive it. Safe to share between threads (read-only).
class IdBitmap final : public faiss::IDSelector {
public:
    IdBitmap(const uint64_t* words, int64_t size) : words_(words), size_(size) {}

    bool is_member(idx_t id) const override {
        return id >= 0 && id < size_ && ((words_[id >> 6] >> (id & 63)) & 1) != 0;
    }

    int64_t size() const {
        return size_;
    }

    const uint64_t* words() const {
        return words_;
    }

    // Calls f(id) for every member id < limit, ascending; walks the bitmap word
    // by word and skips zero words, so the cost is ~limit/64 + members.
    template <class F>
    void forEachMember(int64_t limit, F&& f) const {
        const int64_t end = limit < size_ ? limit : size_;
        if (end <= 0) {
            return;
        }
        const int64_t nw = (end + 63) >> 6;
        for (int64_t w = 0; w < nw; w++) {
            uint64_t bits = words_[w];
            if (w == nw - 1 && (end & 63) != 0) {
                bits &= (uint64_t(1) << (end & 63)) - 1;
            }
            while (bits != 0) {
                f((w << 6) + __builtin_ctzll(bits));
                bits &= bits - 1;
            }
        }
    }

private:
    const uint64_t* words_;
    int64_t size_;
};

// distances/labels have n * k entries. Labels are -1 where fewer than k
// results exist. With a filter, only labels (ids of the outermost index) that
// are members are returned. Throws on error; never lets an exception escape an
// OpenMP region.
void searchIndex(
        const faiss::Index* index,
        int64_t n,
        const float* x,
        int64_t k,
        float* distances,
        int64_t* labels,
        const SearchOptions& options,
        const IdBitmap* filter = nullptr);

} // namespace lens
