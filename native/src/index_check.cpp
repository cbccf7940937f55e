// Listing Lens: supported index structures and their invariants.
#include "index_check.h"

#include "lens_common.h"

#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIDMap.h>
#include <faiss/IndexIVF.h>
#include <faiss/IndexIVFFlat.h>
#include <faiss/IndexIVFPQ.h>
#include <faiss/IndexPQ.h>
#include <faiss/IndexPreTransform.h>
#include <faiss/IndexScalarQuantizer.h>
#include <faiss/VectorTransform.h>
#include <faiss/invlists/InvertedLists.h>
#include <faiss/invlists/OnDiskInvertedLists.h>

#include <typeinfo>

namespace lens {
namespace {

using ull = unsigned long long;

bool isFlat(const faiss::Index* i) {
    const std::type_info& t = typeid(*i);
    return t == typeid(faiss::IndexFlat) || t == typeid(faiss::IndexFlatL2) ||
            t == typeid(faiss::IndexFlatIP);
}
bool isIdMap(const faiss::Index* i) {
    const std::type_info& t = typeid(*i);
    return t == typeid(faiss::IndexIDMap) || t == typeid(faiss::IndexIDMap2);
}
bool isPreTransform(const faiss::Index* i) {
    return typeid(*i) == typeid(faiss::IndexPreTransform);
}
bool isIvf(const faiss::Index* i) {
    const std::type_info& t = typeid(*i);
    return t == typeid(faiss::IndexIVFFlat) ||
            t == typeid(faiss::IndexIVFScalarQuantizer) ||
            t == typeid(faiss::IndexIVFPQ);
}
bool isHnswFlat(const faiss::Index* i) {
    return typeid(*i) == typeid(faiss::IndexHNSWFlat);
}
bool isHnsw(const faiss::Index* i) {
    return isHnswFlat(i) || typeid(*i) == typeid(faiss::IndexHNSWSQ);
}
bool isPq(const faiss::Index* i) {
    return typeid(*i) == typeid(faiss::IndexPQ);
}
bool isSq(const faiss::Index* i) {
    return typeid(*i) == typeid(faiss::IndexScalarQuantizer);
}


class Checker {
   public:
    explicit Checker(CheckMode mode) : mode_(mode) {}

    void check(const faiss::Index* idx, Role role, int depth) {
        expect(idx != nullptr, "missing sub-index");
        expect(depth <= 6, "index structure nested too deeply");
        expect(allowed(idx, role),
               format("%s is not supported as %s",
                      typeid(*idx).name(),
                      roleName(role)));
        common(idx);
        if (isFlat(idx)) {
            flat(static_cast<const faiss::IndexFlat*>(idx));
        } else if (isIdMap(idx)) {
            idMap(static_cast<const faiss::IndexIDMap*>(idx), depth);
        } else if (isPreTransform(idx)) {
            preTransform(static_cast<const faiss::IndexPreTransform*>(idx), depth);
        } else if (isIvf(idx)) {
            ivf(static_cast<const faiss::IndexIVF*>(idx), depth);
        } else if (isHnsw(idx)) {
            hnsw(static_cast<const faiss::IndexHNSW*>(idx), depth);
        } else if (isPq(idx)) {
            pqIndex(static_cast<const faiss::IndexPQ*>(idx));
        } else if (isSq(idx)) {
            sqIndex(static_cast<const faiss::IndexScalarQuantizer*>(idx));
        } else {
            fail("unreachable index type");
        }
    }

   private:
    CheckMode mode_;
    int64_t idLimit_ = -1; // ids in IVF lists must be below this (if >= 0)

    bool loaded() const {
        return mode_ == CheckMode::Loaded;
    }

    [[noreturn]] void fail(const std::string& msg) const {
        if (mode_ == CheckMode::Created) {
            throw InvalidArgument("unsupported index structure: " + msg);
        }
        throw CorruptIndex(msg);
    }

    void expect(bool ok, const std::string& msg) const {
        if (!ok) {
            fail(msg);
        }
    }

    static bool allowed(const faiss::Index* i, Role role) {
        bool leaf = isFlat(i) || isIvf(i) || isHnsw(i) || isPq(i) || isSq(i);
        switch (role) {
            case Role::Top:
                return leaf || isIdMap(i) || isPreTransform(i);
            case Role::IdMapSub:
                return leaf || isPreTransform(i);
            case Role::PreTransformSub:
                return leaf;
            case Role::IvfQuantizer:
                return isFlat(i) || isHnswFlat(i);
            case Role::HnswFlatStorage:
                return isFlat(i);
            case Role::HnswSqStorage:
                return isSq(i);
        }
        return false;
    }

    void common(const faiss::Index* idx) const {
        expect(idx->d >= 1 && idx->d <= kMaxDimension,
               format("dimension %d out of range", int(idx->d)));
        expect(idx->ntotal >= 0 && idx->ntotal <= kMaxCount,
               format("vector count %lld out of range", (long long)idx->ntotal));
        expect(idx->metric_type == faiss::METRIC_L2 ||
                       idx->metric_type == faiss::METRIC_INNER_PRODUCT,
               "only L2 and inner-product metrics are supported");
        expect(idx->is_trained || idx->ntotal == 0,
               "untrained index contains vectors");
    }

    void sameShape(const faiss::Index* outer, const faiss::Index* inner, const char* what) const {
        expect(outer->d == inner->d, format("%s: dimension differs from sub-index", what));
        expect(outer->metric_type == inner->metric_type,
               format("%s: metric differs from sub-index", what));
        expect(outer->ntotal == inner->ntotal,
               format("%s: vector count differs from sub-index", what));
        expect(!outer->is_trained || inner->is_trained,
               format("%s: trained but its sub-index is not", what));
    }

    void flat(const faiss::IndexFlat* f) const {
        expect(f->is_trained, "flat index marked untrained");
        expect(f->code_size == size_t(f->d) * sizeof(float),
               "flat index code size mismatch");
        expect(f->codes.size() == size_t(f->ntotal) * f->code_size,
               "flat index storage size mismatch");
    }

    void idMap(const faiss::IndexIDMap* m, int depth) {
        // an IVF below the IDMap stores positions into id_map as its ids
        idLimit_ = m->ntotal;
        check(m->index, Role::IdMapSub, depth + 1);
        idLimit_ = -1;
        sameShape(m, m->index, "IDMap");
        expect(m->id_map.size() == size_t(m->ntotal),
               format("IDMap holds %llu ids for %lld vectors",
                      ull(m->id_map.size()),
                      (long long)m->ntotal));
        if (loaded()) {
            for (auto id : m->id_map) {
                if (id < 0) {
                    fail(format("IDMap contains negative id %lld", (long long)id));
                }
            }
        }
    }

    void linear(const faiss::LinearTransform* lt) const {
        if (!lt->is_trained) {
            return;
        }
        expect(lt->A.size() == size_t(lt->d_in) * size_t(lt->d_out),
               "linear transform matrix size mismatch");
        expect(!lt->have_bias || lt->b.size() == size_t(lt->d_out),
               "linear transform bias size mismatch");
    }

    void transform(const faiss::VectorTransform* vt) const {
        expect(vt != nullptr, "missing vector transform");
        expect(vt->d_in >= 1 && vt->d_in <= kMaxDimension && vt->d_out >= 1 &&
                       vt->d_out <= kMaxDimension,
               "vector transform dimensions out of range");
        const std::type_info& t = typeid(*vt);
        if (t == typeid(faiss::LinearTransform) ||
            t == typeid(faiss::RandomRotationMatrix) ||
            t == typeid(faiss::PCAMatrix) || t == typeid(faiss::OPQMatrix)) {
            linear(static_cast<const faiss::LinearTransform*>(vt));
        } else if (t == typeid(faiss::NormalizationTransform)) {
            auto* nt = static_cast<const faiss::NormalizationTransform*>(vt);
            expect(nt->norm == 2.0f, "only L2 normalization is supported");
            expect(vt->d_in == vt->d_out, "normalization must keep the dimension");
        } else if (t == typeid(faiss::CenteringTransform)) {
            auto* ct = static_cast<const faiss::CenteringTransform*>(vt);
            expect(vt->d_in == vt->d_out, "centering must keep the dimension");
            expect(!vt->is_trained || ct->mean.size() == size_t(vt->d_in),
                   "centering mean size mismatch");
        } else if (t == typeid(faiss::RemapDimensionsTransform)) {
            auto* rt = static_cast<const faiss::RemapDimensionsTransform*>(vt);
            expect(rt->map.size() == size_t(vt->d_out), "dimension map size mismatch");
            for (int m : rt->map) {
                if (m < -1 || m >= vt->d_in) {
                    fail("dimension map entry out of range");
                }
            }
        } else {
            fail(format("vector transform %s is not supported", t.name()));
        }
    }

    void preTransform(const faiss::IndexPreTransform* pt, int depth) {
        expect(!pt->chain.empty() && pt->chain.size() <= size_t(kMaxTransforms),
               "pre-transform chain length out of range");
        int dim = pt->d;
        bool allTrained = true;
        for (const faiss::VectorTransform* vt : pt->chain) {
            transform(vt);
            expect(vt->d_in == dim, "pre-transform dimensions do not chain");
            dim = vt->d_out;
            allTrained = allTrained && vt->is_trained;
        }
        check(pt->index, Role::PreTransformSub, depth + 1);
        expect(pt->index->d == dim, "pre-transform output dimension mismatch");
        expect(pt->index->metric_type == pt->metric_type, "pre-transform metric mismatch");
        expect(pt->index->ntotal == pt->ntotal, "pre-transform vector count mismatch");
        expect(!pt->is_trained || (allTrained && pt->index->is_trained),
               "pre-transform marked trained but a part of it is not");
    }

    void productQuantizer(const faiss::ProductQuantizer& pq, int d) const {
        expect(pq.d == size_t(d), "PQ dimension mismatch");
        expect(pq.M >= 1 && pq.M <= pq.d && pq.d % pq.M == 0,
               "PQ sub-quantizer count does not divide the dimension");
        expect(pq.nbits >= 1 && pq.nbits <= size_t(kMaxPqBits), "PQ bits out of range");
        expect(pq.ksub == (size_t(1) << pq.nbits) && pq.dsub == pq.d / pq.M,
               "PQ derived sizes mismatch");
        expect(pq.code_size == (pq.nbits * pq.M + 7) / 8, "PQ code size mismatch");
        expect(pq.centroids.size() == pq.d * pq.ksub, "PQ centroid table size mismatch");
    }

    void scalarQuantizer(const faiss::ScalarQuantizer& sq, int d, bool trained) const {
        using SQ = faiss::ScalarQuantizer;
        expect(sq.d == size_t(d), "SQ dimension mismatch");
        size_t cs = 0, need = 0;
        switch (sq.qtype) {
            case SQ::QT_8bit:
                cs = d;
                need = 2 * size_t(d);
                break;
            case SQ::QT_8bit_uniform:
                cs = d;
                need = 2;
                break;
            case SQ::QT_8bit_direct:
                cs = d;
                break;
            case SQ::QT_4bit:
                cs = (size_t(d) + 1) / 2;
                need = 2 * size_t(d);
                break;
            case SQ::QT_4bit_uniform:
                cs = (size_t(d) + 1) / 2;
                need = 2;
                break;
            case SQ::QT_6bit:
                cs = (size_t(d) * 6 + 7) / 8;
                need = 2 * size_t(d);
                break;
            case SQ::QT_fp16:
                cs = 2 * size_t(d);
                break;
            default:
                fail("unknown scalar quantizer type");
        }
        expect(sq.rangestat >= SQ::RS_minmax && sq.rangestat <= SQ::RS_optim,
               "unknown SQ range statistic");
        expect(sq.code_size == cs, "SQ code size mismatch");
        expect(sq.trained.size() == need || (!trained && sq.trained.empty()),
               "SQ training data size mismatch");
    }

    void arrayLists(const faiss::ArrayInvertedLists* al, const faiss::IndexIVF* ivf) const {
        expect(al->ids.size() == ivf->nlist && al->codes.size() == ivf->nlist,
               "inverted list table size mismatch");
        uint64_t total = 0;
        for (size_t l = 0; l < ivf->nlist; l++) {
            const auto& ids = al->ids[l];
            if (al->codes[l].size() != ids.size() * ivf->code_size) {
                fail(format("inverted list %llu: codes and ids disagree", ull(l)));
            }
            total += ids.size();
            if (loaded()) {
                for (auto id : ids) {
                    if (id < 0 || (idLimit_ >= 0 && id >= idLimit_)) {
                        fail(format("inverted list %llu holds id %lld, out of range",
                                    ull(l), (long long)id));
                    }
                }
            }
        }
        expect(total == uint64_t(ivf->ntotal), "inverted lists size mismatch");
    }

    void onDiskLists(const faiss::OnDiskInvertedLists* od, const faiss::IndexIVF* ivf) const {
        expect(loaded(), "on-disk inverted lists are not supported here");
        expect(od->lists.size() == ivf->nlist, "inverted list table size mismatch");
        uint64_t total = 0;
        const uint64_t perVector = ivf->code_size + sizeof(faiss::Index::idx_t);
        for (size_t l = 0; l < od->lists.size(); l++) {
            const auto& list = od->lists[l];
            uint64_t bytes = 0, end = 0;
            if (__builtin_mul_overflow(uint64_t(list.size), perVector, &bytes) ||
                __builtin_add_overflow(uint64_t(list.offset), bytes, &end) ||
                end > od->totsize) {
                fail(format("memory-mapped inverted list %llu extends past the file", ull(l)));
            }
            if (list.size != 0 && od->ptr == nullptr) {
                fail("inverted lists not mapped");
            }
            total += list.size;
        }
        expect(total == uint64_t(ivf->ntotal), "inverted lists size mismatch");
    }

    void ivf(const faiss::IndexIVF* ivf, int depth) {
        expect(ivf->nlist >= 1 && ivf->nlist <= kMaxNlist,
               format("nlist %llu out of range (1..%llu)", ull(ivf->nlist), ull(kMaxNlist)));
        expect(ivf->nprobe >= 1 && ivf->nprobe <= size_t(kMaxNprobe), "nprobe out of range");
        check(ivf->quantizer, Role::IvfQuantizer, depth + 1);
        const faiss::Index* q = ivf->quantizer;
        expect(q->d == ivf->d, "IVF quantizer dimension mismatch");
        expect(q->metric_type == ivf->metric_type, "IVF quantizer metric mismatch");
        if (ivf->is_trained) {
            expect(size_t(q->ntotal) == ivf->nlist, "IVF quantizer size differs from nlist");
        } else {
            expect(q->ntotal == 0 || size_t(q->ntotal) == ivf->nlist,
                   "untrained IVF quantizer has the wrong size");
        }
        expect(ivf->direct_map.type == faiss::DirectMap::NoMap, "IVF direct maps are not supported");
        expect(ivf->parallel_mode == 0, "IVF parallel mode not supported");

        const std::type_info& t = typeid(*ivf);
        if (t == typeid(faiss::IndexIVFFlat)) {
            expect(ivf->code_size == size_t(ivf->d) * sizeof(float), "IVF-Flat code size mismatch");
        } else if (t == typeid(faiss::IndexIVFScalarQuantizer)) {
            auto* s = static_cast<const faiss::IndexIVFScalarQuantizer*>(ivf);
            scalarQuantizer(s->sq, ivf->d, ivf->is_trained);
            expect(ivf->code_size == s->sq.code_size, "IVF-SQ code size mismatch");
        } else {
            auto* p = static_cast<const faiss::IndexIVFPQ*>(ivf);
            productQuantizer(p->pq, ivf->d);
            expect(ivf->code_size == p->pq.code_size, "IVF-PQ code size mismatch");
            // polysemous *training* only permutes the centroids; polysemous
            // *search* (a Hamming threshold) is not supported
            expect(p->polysemous_ht == 0, "polysemous IVF-PQ search is not supported");
        }

        const faiss::InvertedLists* il = ivf->invlists;
        expect(il != nullptr, "IVF index has no inverted lists");
        expect(il->nlist == ivf->nlist, "inverted lists count mismatch");
        expect(il->code_size == ivf->code_size, "inverted lists code size mismatch");
        if (typeid(*il) == typeid(faiss::ArrayInvertedLists)) {
            arrayLists(static_cast<const faiss::ArrayInvertedLists*>(il), ivf);
        } else if (typeid(*il) == typeid(faiss::OnDiskInvertedLists)) {
            onDiskLists(static_cast<const faiss::OnDiskInvertedLists*>(il), ivf);
        } else {
            fail(format("inverted lists of type %s are not supported", typeid(*il).name()));
        }
    }

    void hnsw(const faiss::IndexHNSW* idx, int depth) {
        check(idx->storage,
              isHnswFlat(idx) ? Role::HnswFlatStorage : Role::HnswSqStorage,
              depth + 1);
        sameShape(idx, idx->storage, "HNSW");
        expect(!isHnswFlat(idx) || idx->is_trained, "HNSW flat index marked untrained");
        expect(idx->reconstruct_from_neighbors == nullptr, "HNSW reconstruction not supported");

        const faiss::HNSW& h = idx->hnsw;
        const int64_t n = idx->ntotal;
        const auto& cum = h.cum_nneighbor_per_level;
        expect(cum.size() >= 2 && cum.size() <= size_t(kMaxHnswLevels) + 1,
               "HNSW level table size out of range");
        expect(h.assign_probas.size() + 1 == cum.size(), "HNSW level tables differ in size");
        expect(cum[0] == 0 && cum[1] >= 2, "HNSW neighbor table is malformed");
        for (size_t i = 1; i < cum.size(); i++) {
            expect(cum[i] >= cum[i - 1] && cum[i] - cum[i - 1] <= kMaxHnswNeighborsPerLevel,
                   "HNSW neighbors per level out of range");
        }
        expect(h.efSearch >= 1 && h.efSearch <= kMaxEfSearch, "HNSW efSearch out of range");
        expect(h.efConstruction >= 1 && h.efConstruction <= kMaxEfConstruction,
               "HNSW efConstruction out of range");
        expect(h.upper_beam == 1 && h.search_bounded_queue, "HNSW search variant not supported");
        expect(h.levels.size() == size_t(n), "HNSW level table has the wrong size");
        expect(h.offsets.size() == size_t(n) + 1 && h.offsets[0] == 0,
               "HNSW offset table has the wrong size");
        const int maxLevels = int(cum.size()) - 1;
        for (int64_t i = 0; i < n; i++) {
            int l = h.levels[i];
            if (l < 1 || l > maxLevels) {
                fail(format("HNSW node %lld has level %d out of range", (long long)i, l));
            }
            if (h.offsets[i + 1] < h.offsets[i] ||
                h.offsets[i + 1] - h.offsets[i] != size_t(cum[l])) {
                fail(format("HNSW node %lld has a malformed link table", (long long)i));
            }
        }
        expect(h.neighbors.size() == h.offsets[n], "HNSW link table has the wrong size");
        for (auto v : h.neighbors) {
            if (v < -1 || v >= n) {
                fail(format("HNSW link to node %d out of range", v));
            }
        }
        // A link on level l must lead to a node that exists on level l, or the
        // search would read that node's (non-existent) level-l link range,
        // i.e. another node's links or past the end of the table.
        for (int64_t i = 0; i < n; i++) {
            for (int l = 0; l < h.levels[i]; l++) {
                size_t begin = h.offsets[i] + size_t(cum[l]);
                size_t end = h.offsets[i] + size_t(cum[l + 1]);
                for (size_t j = begin; j < end; j++) {
                    int v = h.neighbors[j];
                    if (v >= 0 && h.levels[v] <= l) {
                        fail(format("HNSW node %lld links on level %d to node %d, which "
                                    "only has %d level(s)",
                                    (long long)i, l, v, h.levels[v]));
                    }
                }
            }
        }
        if (n == 0) {
            expect(h.entry_point == -1, "empty HNSW graph has an entry point");
        } else {
            expect(h.entry_point >= 0 && h.entry_point < n, "HNSW entry point out of range");
            expect(h.max_level == h.levels[h.entry_point] - 1,
                   "HNSW max level does not match the entry point");
        }
    }

    void pqIndex(const faiss::IndexPQ* p) const {
        productQuantizer(p->pq, p->d);
        expect(p->code_size == p->pq.code_size, "PQ index code size mismatch");
        expect(p->codes.size() == size_t(p->ntotal) * p->code_size, "PQ index storage mismatch");
        expect(p->search_type == faiss::IndexPQ::ST_PQ && !p->encode_signs,
               "only plain PQ search is supported");
    }

    void sqIndex(const faiss::IndexScalarQuantizer* s) const {
        scalarQuantizer(s->sq, s->d, s->is_trained);
        expect(s->code_size == s->sq.code_size, "SQ index code size mismatch");
        expect(s->codes.size() == size_t(s->ntotal) * s->code_size, "SQ index storage mismatch");
    }
};

const faiss::IndexHNSW* asHnsw(const faiss::Index* i) {
    return isHnsw(i) ? static_cast<const faiss::IndexHNSW*>(i) : nullptr;
}

std::string sqName(const faiss::ScalarQuantizer& sq) {
    using SQ = faiss::ScalarQuantizer;
    switch (sq.qtype) {
        case SQ::QT_8bit:
            return "SQ8";
        case SQ::QT_4bit:
            return "SQ4";
        case SQ::QT_8bit_uniform:
            return "SQ8U";
        case SQ::QT_4bit_uniform:
            return "SQ4U";
        case SQ::QT_fp16:
            return "SQfp16";
        case SQ::QT_8bit_direct:
            return "SQ8_direct";
        case SQ::QT_6bit:
            return "SQ6";
    }
    return "SQ?";
}

std::string pqName(const faiss::ProductQuantizer& pq) {
    if (pq.nbits == 8) {
        return format("PQ%llu", ull(pq.M));
    }
    return format("PQ%llux%llu", ull(pq.M), ull(pq.nbits));
}

int hnswM(const faiss::HNSW& h) {
    // level 0 has 2*M links, the upper levels M
    return h.cum_nneighbor_per_level.size() > 2
            ? h.cum_nneighbor_per_level[2] - h.cum_nneighbor_per_level[1]
            : (h.cum_nneighbor_per_level.size() == 2 ? h.cum_nneighbor_per_level[1] / 2 : 0);
}

std::string transformName(const faiss::VectorTransform* vt) {
    const std::type_info& t = typeid(*vt);
    if (t == typeid(faiss::PCAMatrix)) {
        auto* p = static_cast<const faiss::PCAMatrix*>(vt);
        std::string s = "PCA";
        if (p->eigen_power != 0) {
            s += "W";
        }
        if (p->random_rotation) {
            s += "R";
        }
        return s + std::to_string(vt->d_out);
    }
    if (t == typeid(faiss::OPQMatrix)) {
        auto* o = static_cast<const faiss::OPQMatrix*>(vt);
        return format("OPQ%d_%d", o->M, vt->d_out);
    }
    if (t == typeid(faiss::RandomRotationMatrix)) {
        return "RR" + std::to_string(vt->d_out);
    }
    if (t == typeid(faiss::NormalizationTransform)) {
        return "L2norm";
    }
    if (t == typeid(faiss::CenteringTransform)) {
        return "Center";
    }
    if (t == typeid(faiss::RemapDimensionsTransform)) {
        return "Remap" + std::to_string(vt->d_out);
    }
    return "LT" + std::to_string(vt->d_out);
}

} // namespace

void checkIndex(const faiss::Index* index, CheckMode mode) {
    Checker(mode).check(index, Role::Top, 0);
}

namespace {

bool acceptsIds(const faiss::Index* i) {
    if (isIdMap(i) || isIvf(i)) {
        return true;
    }
    if (isPreTransform(i)) {
        return acceptsIds(static_cast<const faiss::IndexPreTransform*>(i)->index);
    }
    return false;
}

} // namespace

IndexTraits traitsOf(const faiss::Index* index) {
    IndexTraits t;
    t.supportsIds = acceptsIds(index);
    const faiss::Index* leaf = index;
    while (leaf != nullptr && (isIdMap(leaf) || isPreTransform(leaf))) {
        leaf = isIdMap(leaf)
                ? static_cast<const faiss::IndexIDMap*>(leaf)->index
                : static_cast<const faiss::IndexPreTransform*>(leaf)->index;
    }
    if (leaf != nullptr && isIvf(leaf)) {
        t.ivf = true;
        auto* ivf = static_cast<const faiss::IndexIVF*>(leaf);
        t.readOnly = ivf->invlists != nullptr &&
                typeid(*ivf->invlists) != typeid(faiss::ArrayInvertedLists);
    }
    t.hnsw = leaf != nullptr && isHnsw(leaf);
    return t;
}

std::string describe(const faiss::Index* idx) {
    if (idx == nullptr) {
        return "?";
    }
    const std::type_info& t = typeid(*idx);
    if (t == typeid(faiss::IndexIDMap2)) {
        return "IDMap2," + describe(static_cast<const faiss::IndexIDMap*>(idx)->index);
    }
    if (t == typeid(faiss::IndexIDMap)) {
        return "IDMap," + describe(static_cast<const faiss::IndexIDMap*>(idx)->index);
    }
    if (isPreTransform(idx)) {
        auto* pt = static_cast<const faiss::IndexPreTransform*>(idx);
        std::string s;
        for (auto* vt : pt->chain) {
            s += transformName(vt) + ",";
        }
        return s + describe(pt->index);
    }
    if (isIvf(idx)) {
        auto* ivf = static_cast<const faiss::IndexIVF*>(idx);
        std::string s = format("IVF%llu", ull(ivf->nlist));
        if (auto* qh = asHnsw(ivf->quantizer)) {
            s += format("_HNSW%d", hnswM(qh->hnsw));
        }
        if (t == typeid(faiss::IndexIVFFlat)) {
            return s + ",Flat";
        }
        if (t == typeid(faiss::IndexIVFScalarQuantizer)) {
            return s + "," + sqName(static_cast<const faiss::IndexIVFScalarQuantizer*>(idx)->sq);
        }
        return s + "," + pqName(static_cast<const faiss::IndexIVFPQ*>(idx)->pq);
    }
    if (auto* h = asHnsw(idx)) {
        std::string s = format("HNSW%d", hnswM(h->hnsw));
        if (isSq(h->storage)) {
            s += "_" + sqName(static_cast<const faiss::IndexScalarQuantizer*>(h->storage)->sq);
        }
        return s;
    }
    if (isFlat(idx)) {
        return "Flat";
    }
    if (isPq(idx)) {
        return pqName(static_cast<const faiss::IndexPQ*>(idx)->pq);
    }
    if (isSq(idx)) {
        return sqName(static_cast<const faiss::IndexScalarQuantizer*>(idx)->sq);
    }
    return typeid(*idx).name();
}

void finishLoading(faiss::Index* idx) {
    while (idx != nullptr) {
        if (isIdMap(idx)) {
            idx = static_cast<faiss::IndexIDMap*>(idx)->index;
        } else if (isPreTransform(idx)) {
            idx = static_cast<faiss::IndexPreTransform*>(idx)->index;
        } else {
            break;
        }
    }
    if (idx == nullptr || !isIvf(idx)) {
        return;
    }
    auto* ivf = static_cast<faiss::IndexIVF*>(idx);
    if (auto* od = dynamic_cast<faiss::OnDiskInvertedLists*>(ivf->invlists)) {
        // The default spawns up to 32 threads per search to pre-touch the
        // lists, serialised by one mutex; rely on the page cache instead.
        od->prefetch_nthread = 0;
    }
    if (typeid(*idx) == typeid(faiss::IndexIVFPQ)) {
        auto* pq = static_cast<faiss::IndexIVFPQ*>(idx);
        if (pq->is_trained && pq->by_residual) {
            pq->precompute_table();
        }
    }
}

} // namespace lens
