// Listing Lens: merging shards of one trained index (see index_merge.h).
#include "index_merge.h"

#include "index_check.h"
#include "lens_common.h"

#include <faiss/IndexIDMap.h>
#include <faiss/IndexFlat.h>
#include <faiss/IndexIVF.h>
#include <faiss/IndexIVFFlat.h>
#include <faiss/IndexIVFPQ.h>
#include <faiss/IndexPQ.h>
#include <faiss/IndexScalarQuantizer.h>
#include <faiss/IndexPreTransform.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/io.h>
#include <faiss/index_io.h>
#include <faiss/invlists/InvertedLists.h>

#include <memory>
#include <string>
#include <vector>

namespace lens {

namespace {

// What training fixed, written component by component (never the vectors, so the cost is the size of the
// trained parameters, not of the index): coarse quantizer, product or scalar quantizer, transforms.
void writeTrained(const faiss::Index* index, faiss::VectorIOWriter& out) {
    auto putInt = [&](int64_t v) {
        const auto* p = reinterpret_cast<const uint8_t*>(&v);
        out.data.insert(out.data.end(), p, p + sizeof v);
    };
    auto putFloats = [&](const std::vector<float>& v) {
        putInt(int64_t(v.size()));
        const auto* p = reinterpret_cast<const uint8_t*>(v.data());
        out.data.insert(out.data.end(), p, p + v.size() * sizeof(float));
    };
    putInt(index->d);
    putInt(int64_t(index->metric_type));
    putInt(index->is_trained ? 1 : 0);
    if (auto* idmap = dynamic_cast<const faiss::IndexIDMap*>(index)) {
        putInt(1);
        writeTrained(idmap->index, out);
    } else if (auto* pre = dynamic_cast<const faiss::IndexPreTransform*>(index)) {
        putInt(2);
        putInt(int64_t(pre->chain.size()));
        for (const faiss::VectorTransform* vt : pre->chain) {
            faiss::write_VectorTransform(vt, &out);
        }
        writeTrained(pre->index, out);
    } else if (auto* ivf = dynamic_cast<const faiss::IndexIVF*>(index)) {
        putInt(3);
        putInt(int64_t(ivf->nlist));
        putInt(int64_t(ivf->code_size));
        if (ivf->quantizer == nullptr) {
            throw CorruptIndex("IVF index has no coarse quantizer");
        }
        faiss::write_index(ivf->quantizer, &out);
        if (auto* pq = dynamic_cast<const faiss::IndexIVFPQ*>(index)) {
            putInt(pq->by_residual ? 1 : 0);
            faiss::write_ProductQuantizer(&pq->pq, &out);
        } else if (auto* sq = dynamic_cast<const faiss::IndexIVFScalarQuantizer*>(index)) {
            putInt(sq->by_residual ? 1 : 0);
            putInt(int64_t(sq->sq.qtype));
            putFloats(sq->sq.trained);
        } else if (dynamic_cast<const faiss::IndexIVFFlat*>(index) == nullptr) {
            throw Unsupported(format("index '%s' cannot be merged", describe(index).c_str()));
        }
    } else if (auto* pq = dynamic_cast<const faiss::IndexPQ*>(index)) {
        putInt(4);
        faiss::write_ProductQuantizer(&pq->pq, &out);
    } else if (auto* sq = dynamic_cast<const faiss::IndexScalarQuantizer*>(index)) {
        putInt(5);
        putInt(int64_t(sq->sq.qtype));
        putFloats(sq->sq.trained);
    } else if (dynamic_cast<const faiss::IndexFlat*>(index) != nullptr) {
        putInt(6);
    } else {
        throw Unsupported(format("index '%s' cannot be merged", describe(index).c_str()));
    }
}

// The index under any pre-transforms.
const faiss::Index* underTransforms(const faiss::Index* index) {
    while (auto* pre = dynamic_cast<const faiss::IndexPreTransform*>(index)) {
        index = pre->index;
    }
    return index;
}

// FAISS 1.7.3's IndexPreTransform::merge_from empties the source's inner index but leaves the source's own
// count: bring every wrapper's count back in line with what it wraps.
void syncCounts(faiss::Index* index) {
    if (auto* pre = dynamic_cast<faiss::IndexPreTransform*>(index)) {
        syncCounts(pre->index);
        pre->ntotal = pre->index->ntotal;
    } else if (auto* idmap = dynamic_cast<faiss::IndexIDMap*>(index)) {
        syncCounts(idmap->index);
    }
}

} // namespace

uint64_t trainedFingerprint(const faiss::Index* index) {
    if (index == nullptr) {
        throw InvalidArgument("index must not be null");
    }
    faiss::VectorIOWriter out;
    try {
        writeTrained(index, out);
    } catch (const faiss::FaissException& e) {
        throw Unsupported(format("index '%s' has no trained fingerprint: %s", describe(index).c_str(), e.what()));
    }
    uint64_t h = 1469598103934665603ULL;
    for (uint8_t b : out.data) {
        h ^= b;
        h *= 1099511628211ULL;
    }
    return h;
}

void mergeInto(faiss::Index* target, faiss::Index* source) {
    if (target == nullptr || source == nullptr) {
        throw InvalidArgument("indexes must not be null");
    }
    if (target == source) {
        throw InvalidArgument("an index cannot be merged into itself");
    }
    if (traitsOf(target).readOnly || traitsOf(source).readOnly) {
        throw IllegalState("indexes with memory-mapped inverted lists cannot be merged; read them fully");
    }
    if (!target->is_trained || !source->is_trained) {
        throw IllegalState("both indexes must be trained");
    }
    if (target->d != source->d || target->metric_type != source->metric_type) {
        throw InvalidArgument(format("dimension / metric differ: %d / %d against %d / %d", int(target->d),
                                     int(target->metric_type), int(source->d), int(source->metric_type)));
    }
    std::string a = describe(target);
    std::string b = describe(source);
    if (a != b) {
        throw InvalidArgument(format("index structures differ: '%s' against '%s'", a.c_str(), b.c_str()));
    }
    if (target->ntotal + source->ntotal > kMaxCount) {
        throw InvalidArgument("the merged index would exceed the maximum vector count");
    }
    if (trainedFingerprint(target) != trainedFingerprint(source)) {
        throw InvalidArgument(format("indexes '%s' were trained apart (their trained fingerprints differ); "
                                     "shards must be encoded from copies of one trained index",
                                     a.c_str()));
    }
    if (auto* idmap = dynamic_cast<const faiss::IndexIDMap*>(target)) {
        // FAISS merges the wrapped index without offsetting the positions an IVF index stores as its ids, so
        // the merged id map would point at the wrong vectors; an IVF index keeps caller ids itself
        if (dynamic_cast<const faiss::IndexIVF*>(underTransforms(idmap->index)) != nullptr) {
            throw Unsupported(format("index '%s' cannot be merged: an IDMap over an IVF index; build the shards "
                                     "without the IDMap prefix (IVF indexes store ids themselves)",
                                     a.c_str()));
        }
    }
    try {
        target->check_compatible_for_merge(*source);
    } catch (const faiss::FaissException& e) {
        throw Unsupported(format("index '%s' cannot be merged: %s", a.c_str(), e.what()));
    }
    target->merge_from(*source, 0);
    syncCounts(source);
    syncCounts(target);
    if (source->ntotal != 0) {
        throw IllegalState(format("merge left %lld vectors in the source", (long long)source->ntotal));
    }
}

namespace {

struct Census {
    IdCensus result;
    int64_t expected;
    std::vector<uint64_t> seen;

    explicit Census(int64_t expected)
            : expected(expected), seen(static_cast<size_t>((expected + 63) / 64), 0) {}

    void add(int64_t id) {
        result.ids++;
        if (id < 0 || id >= expected) {
            result.outOfRange++;
            return;
        }
        uint64_t bit = uint64_t(1) << (id & 63);
        uint64_t& word = seen[size_t(id >> 6)];
        if (word & bit) {
            result.duplicates++;
        } else {
            word |= bit;
        }
    }

    IdCensus finish() {
        int64_t present = 0;
        for (uint64_t w : seen) {
            present += __builtin_popcountll(w);
        }
        result.missing = expected - present;
        return result;
    }
};

void enumerate(const faiss::Index* index, Census& census) {
    if (auto* idmap = dynamic_cast<const faiss::IndexIDMap*>(index)) {
        for (int64_t id : idmap->id_map) {
            census.add(id);
        }
        return;
    }
    if (auto* pre = dynamic_cast<const faiss::IndexPreTransform*>(index)) {
        enumerate(pre->index, census);
        return;
    }
    if (auto* ivf = dynamic_cast<const faiss::IndexIVF*>(index)) {
        const faiss::InvertedLists* lists = ivf->invlists;
        if (lists == nullptr) {
            throw CorruptIndex("IVF index has no inverted lists");
        }
        for (size_t list = 0; list < lists->nlist; list++) {
            size_t size = lists->list_size(list);
            if (size == 0) {
                continue;
            }
            faiss::InvertedLists::ScopedIds ids(lists, list);
            for (size_t i = 0; i < size; i++) {
                census.add(ids[i]);
            }
        }
        return;
    }
    for (int64_t id = 0; id < index->ntotal; id++) {
        census.add(id);
    }
}

} // namespace

IdCensus censusIds(const faiss::Index* index, int64_t expected) {
    if (index == nullptr) {
        throw InvalidArgument("index must not be null");
    }
    if (expected < 0 || expected > kMaxCount) {
        throw InvalidArgument(format("expected id count %lld out of range 0..%lld", (long long)expected,
                                     (long long)kMaxCount));
    }
    Census census(expected);
    enumerate(index, census);
    return census.finish();
}

} // namespace lens
