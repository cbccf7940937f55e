// Listing Lens: k-NN search with per-call parameters.
//
// FAISS 1.7.3 does not forward per-call SearchParameters through every
// wrapper: IndexIDMap::search throws if given any, and IndexHNSW::search sizes
// its candidate queue from the index's own efSearch, using the per-call value
// only as a stopping threshold. So instead of handing a SearchParameters object
// to the outermost index we walk the wrapper chain ourselves:
//   IndexIDMap / IndexIDMap2 -> search the sub-index, then map labels to ids
//   IndexPreTransform        -> apply the transform chain, search the sub-index
//   IndexIVF*                -> IndexIVF::search with SearchParametersIVF
//   IndexHNSW*               -> our own copy of the 1.7.3 HNSW search with a
//                               candidate queue of max(efSearch, k)
//   anything else            -> plain search (parameters do not apply)
// Nothing in the index is modified, so searches can run concurrently.
#pragma once

#include <faiss/Index.h>

#include <cstdint>

namespace lens {

struct SearchOptions {
    int nprobe = 0;   // 0: index default
    int efSearch = 0; // 0: index default
};

// distances/labels have n * k entries. Labels are -1 where fewer than k
// results exist. Throws on error; never lets an exception escape an OpenMP
// region.
void searchIndex(
        const faiss::Index* index,
        int64_t n,
        const float* x,
        int64_t k,
        float* distances,
        int64_t* labels,
        const SearchOptions& options);

} // namespace lens
