// Listing Lens: which FAISS index structures this binding accepts, and the
// structural invariants that must hold before an index is searched.
//
// Supported (as produced by faiss::index_factory, in any sensible nesting):
//   Flat                       IndexFlat / IndexFlatL2 / IndexFlatIP
//   IDMap, / IDMap2,           IndexIDMap / IndexIDMap2 around any of these
//   PCA.., RR.., OPQ.., L2norm IndexPreTransform (linear, L2 normalisation,
//                              centering, dimension remap)
//   IVFn[_HNSWm],Flat|SQx|PQm  IndexIVFFlat / IndexIVFScalarQuantizer /
//                              IndexIVFPQ with a flat or HNSW coarse quantizer
//   HNSWm / HNSWm_SQx          IndexHNSWFlat / IndexHNSWSQ
//   PQm / SQx                  IndexPQ / IndexScalarQuantizer
#pragma once

#include <faiss/Index.h>

#include <string>

namespace lens {

enum class CheckMode {
    // freshly built by index_factory: problems are the caller's choice of
    // factory string -> InvalidArgument
    Created,
    // loaded from a file: problems mean a corrupt file -> CorruptIndex;
    // contents (graph links, ids, list extents) are checked too
    Loaded,
};

void checkIndex(const faiss::Index* index, CheckMode mode);

struct IndexTraits {
    bool supportsIds = false; // add_with_ids works
    bool ivf = false;         // nprobe applies
    bool hnsw = false;        // efSearch applies
    bool readOnly = false;    // inverted lists are memory-mapped
};

IndexTraits traitsOf(const faiss::Index* index);

// Factory-style description, e.g. "IDMap,PCA64,IVF16,Flat".
std::string describe(const faiss::Index* index);

// Work that FAISS's reader was told to skip (IVF-PQ precomputed tables) and
// tuning for memory-mapped lists; call after checkIndex(Loaded).
void finishLoading(faiss::Index* index);

} // namespace lens
