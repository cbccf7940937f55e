// Listing Lens: merging indexes built as shards of one trained index, and
// accounting for the ids an index holds (see native/README.md, "Shards").
#pragma once

#include <faiss/Index.h>

#include <cstdint>

namespace lens {

// A 64-bit fingerprint (FNV-1a) of what training fixed in an index, never its
// vectors: structure, dimension, metric, transforms, coarse quantizer, product
// or scalar quantizer. Shards encoded from copies of one trained index share
// it; indexes trained apart (other centroids, other codebooks) do not. Throws
// Unsupported for structures that cannot be merged (HNSW graphs).
uint64_t trainedFingerprint(const faiss::Index* index);

// Moves every vector of source into target (source is left empty). Both must
// be trained, of one structure (factory description), dimension and metric,
// with equal trained fingerprints; the result may not exceed kMaxCount.
// Violations throw InvalidArgument / Unsupported before FAISS is called.
void mergeInto(faiss::Index* target, faiss::Index* source);

// The ids an index holds, against the expected set [0, expected).
struct IdCensus {
    int64_t ids = 0;        // ids enumerated (= ntotal for a sound index)
    int64_t outOfRange = 0; // ids < 0 or >= expected
    int64_t duplicates = 0; // occurrences beyond the first of an id
    int64_t missing = 0;    // ids in [0, expected) not present
};

// Enumerates the ids: an IDMap's id map, an IVF index's inverted lists
// (through any pre-transform), else the implicit 0..ntotal-1.
IdCensus censusIds(const faiss::Index* index, int64_t expected);

} // namespace lens
