// Listing Lens: k-NN search with per-call parameters and an id filter (see
// search.h).
#include "search.h"

#include "lens_common.h"

#include <faiss/IndexHNSW.h>
#include <faiss/IndexIDMap.h>
#include <faiss/IndexIVF.h>
#include <faiss/IndexPreTransform.h>
#include <faiss/impl/AuxIndexStructures.h>
#include <faiss/impl/DistanceComputer.h>
#include <faiss/impl/HNSW.h>
#include <faiss/utils/Heap.h>

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace lens {
namespace {

using faiss::DistanceComputer;
using faiss::HNSW;
using idx_t = faiss::Index::idx_t;
using storage_idx_t = HNSW::storage_idx_t;

// Collects the first exception thrown inside an OpenMP region (an exception
// escaping the region would std::terminate the JVM); rethrown, with its
// original type, after the region.
class ParallelErrors {
public:
    // Call from a catch block only.
    void capture() noexcept {
        failed_.store(true, std::memory_order_relaxed);
        try {
            std::lock_guard<std::mutex> lock(mutex_);
            if (!first_) {
                first_ = std::current_exception();
            }
        } catch (...) {
            // failed_ is set; rethrow() reports a generic error
        }
    }

    bool failed() const noexcept {
        return failed_.load(std::memory_order_relaxed);
    }

    void rethrow(const char* what) {
        if (!failed()) {
            return;
        }
        if (first_) {
            std::rethrow_exception(first_);
        }
        throw std::runtime_error(std::string(what) + " failed");
    }

private:
    std::atomic<bool> failed_{false};
    std::mutex mutex_;
    std::exception_ptr first_;
};

// The filter as seen at one level of the wrapper chain.
struct Filter {
    // membership of this level's labels; null: no filter
    const faiss::IDSelector* sel = nullptr;
    // the same set as a bitmap over this level's labels, when there is one
    // (above any IDMap); null otherwise
    const IdBitmap* bitmap = nullptr;
};

// A filter on the outer ids of an IndexIDMap(2), seen from its sub-index:
// inner position p is a member iff id_map[p] is (bounds-checked).
struct IdMapSelector final : faiss::IDSelector {
    const faiss::IDSelector& outer;
    const idx_t* ids;
    int64_t n;

    IdMapSelector(const faiss::IDSelector& outer, const idx_t* ids, int64_t n)
            : outer(outer), ids(ids), n(n) {}

    bool is_member(idx_t p) const override {
        return p >= 0 && p < n && outer.is_member(ids[p]);
    }
};

// The members of `filter` among labels [0, ntotal) as a bitmap: the filter's
// own bitmap where there is one, else built here once per call (one pass over
// the positions, e.g. below an IDMap), so that per query only the members are
// visited.
class MemberBitmap {
public:
    MemberBitmap(const Filter& filter, int64_t ntotal) : view_(nullptr, 0) {
        if (filter.bitmap != nullptr) {
            view_ = *filter.bitmap;
            return;
        }
        words_.assign(size_t((ntotal + 63) >> 6), 0);
        auto fill = [&](auto&& member) {
            for (int64_t p = 0; p < ntotal; p++) {
                if (member(p)) {
                    words_[size_t(p >> 6)] |= uint64_t(1) << (p & 63);
                }
            }
        };
        auto* mapped = dynamic_cast<const IdMapSelector*>(filter.sel);
        auto* outer = mapped ? dynamic_cast<const IdBitmap*>(&mapped->outer) : nullptr;
        if (outer != nullptr) { // the common case, without virtual calls
            const int64_t limit = std::min(ntotal, mapped->n);
            const idx_t* ids = mapped->ids;
            fill([&](int64_t p) { return p < limit && outer->is_member(ids[p]); });
        } else {
            fill([&](int64_t p) { return filter.sel->is_member(p); });
        }
        view_ = IdBitmap(words_.data(), ntotal);
    }

    const IdBitmap& get() const {
        return view_;
    }

private:
    std::vector<uint64_t> words_;
    IdBitmap view_;
};

std::unique_ptr<DistanceComputer> distanceComputer(const faiss::Index& index) {
    DistanceComputer* dc = index.get_distance_computer();
    if (dc == nullptr) {
        throw Unsupported("index has no distance computer");
    }
    return std::unique_ptr<DistanceComputer>(dc);
}

template <class C>
void scanOne(
        DistanceComputer& dc,
        const IdBitmap* members,
        int64_t ntotal,
        int64_t k,
        float* simi,
        idx_t* idxi) {
    faiss::heap_heapify<C>(size_t(k), simi, idxi);
    auto visit = [&](idx_t p) {
        float d = dc(p);
        if (C::cmp(simi[0], d)) {
            faiss::heap_replace_top<C>(size_t(k), simi, idxi, d, p);
        }
    };
    if (members != nullptr) {
        members->forEachMember(ntotal, visit);
    } else {
        for (idx_t p = 0; p < ntotal; p++) {
            visit(p);
        }
    }
    faiss::heap_reorder<C>(size_t(k), simi, idxi);
}

// Exact k-NN of each query among the members (all positions if null) of an
// index with random access to its codes (flat codes, HNSW storage), with the
// index's own distance computer: scores are on the scale of its search (inner
// product / squared L2), labels are positions. Parallel over queries.
void scanMembers(
        const faiss::Index& index,
        const IdBitmap* members,
        int64_t n,
        const float* x,
        int64_t k,
        float* distances,
        idx_t* labels) {
    const bool ip = index.metric_type == faiss::METRIC_INNER_PRODUCT;
    if (!ip && index.metric_type != faiss::METRIC_L2) {
        throw Unsupported(format("metric %d not supported", int(index.metric_type)));
    }
    const int64_t ntotal = index.ntotal;
    const int d = index.d;
    ParallelErrors errors;
#pragma omp parallel if (n > 1)
    {
        std::unique_ptr<DistanceComputer> dc;
        try {
            dc = distanceComputer(index);
        } catch (...) {
            errors.capture();
        }
        // every thread must reach the work-sharing loop
#pragma omp for schedule(dynamic)
        for (int64_t i = 0; i < n; i++) {
            if (errors.failed() || !dc) {
                continue;
            }
            try {
                dc->set_query(x + i * d);
                if (ip) {
                    scanOne<faiss::CMin<float, idx_t>>(
                            *dc, members, ntotal, k, distances + i * k, labels + i * k);
                } else {
                    scanOne<faiss::CMax<float, idx_t>>(
                            *dc, members, ntotal, k, distances + i * k, labels + i * k);
                }
            } catch (...) {
                errors.capture();
            }
        }
    }
    errors.rethrow("filtered scan");
}

// ------------------------------------------------------------------ HNSW

// HNSW minimises distances; for inner product the storage's similarity is
// negated (as FAISS's IndexHNSW does internally).
struct NegatedDistance : DistanceComputer {
    std::unique_ptr<DistanceComputer> base;
    explicit NegatedDistance(std::unique_ptr<DistanceComputer> b) : base(std::move(b)) {}
    void set_query(const float* x) override {
        base->set_query(x);
    }
    float operator()(idx_t i) override {
        return -(*base)(i);
    }
    float symmetric_dis(idx_t i, idx_t j) override {
        return -base->symmetric_dis(i, j);
    }
};

std::unique_ptr<DistanceComputer> storageDistance(const faiss::Index* storage) {
    std::unique_ptr<DistanceComputer> dc = distanceComputer(*storage);
    if (storage->metric_type == faiss::METRIC_INNER_PRODUCT) {
        return std::make_unique<NegatedDistance>(std::move(dc));
    }
    return dc;
}

// Same as faiss::greedy_update_nearest (HNSW.cpp, 1.7.3).
void greedyUpdateNearest(
        const HNSW& hnsw,
        DistanceComputer& qdis,
        int level,
        storage_idx_t& nearest,
        float& dNearest) {
    for (;;) {
        storage_idx_t prev = nearest;
        size_t begin, end;
        hnsw.neighbor_range(nearest, level, &begin, &end);
        for (size_t i = begin; i < end; i++) {
            storage_idx_t v = hnsw.neighbors[i];
            if (v < 0) {
                break;
            }
            float dis = qdis(v);
            if (dis < dNearest) {
                nearest = v;
                dNearest = dis;
            }
        }
        if (nearest == prev) {
            return;
        }
    }
}

// Same as faiss::search_from_candidates (HNSW.cpp, 1.7.3) at level 0;
// efSearch is the per-call value. With a selector the walk goes through every
// node as usual (non-members still guide it) but only members enter the
// result heap.
void searchFromCandidates(
        const HNSW& hnsw,
        DistanceComputer& qdis,
        int k,
        idx_t* I,
        float* D,
        HNSW::MinimaxHeap& candidates,
        faiss::VisitedTable& vt,
        int efSearch,
        const faiss::IDSelector* sel) {
    int nres = 0;
    const bool doDisCheck = hnsw.check_relative_distance;
    auto addResult = [&](float d, idx_t v) {
        if (sel != nullptr && !sel->is_member(v)) {
            return;
        }
        if (nres < k) {
            faiss::maxheap_push(++nres, D, I, d, v);
        } else if (d < D[0]) {
            faiss::maxheap_replace_top(nres, D, I, d, v);
        }
    };
    for (int i = 0; i < candidates.size(); i++) {
        idx_t v1 = candidates.ids[i];
        addResult(candidates.dis[i], v1);
        vt.set(v1);
    }
    int nstep = 0;
    while (candidates.size() > 0) {
        float d0 = 0;
        int v0 = candidates.pop_min(&d0);
        if (doDisCheck) {
            int nDisBelow = candidates.count_below(d0);
            if (nDisBelow >= efSearch) {
                break;
            }
        }
        size_t begin, end;
        hnsw.neighbor_range(v0, 0, &begin, &end);
        for (size_t j = begin; j < end; j++) {
            int v1 = hnsw.neighbors[j];
            if (v1 < 0) {
                break;
            }
            if (vt.get(v1)) {
                continue;
            }
            vt.set(v1);
            float d = qdis(v1);
            addResult(d, v1);
            candidates.push(v1, d);
        }
        nstep++;
        if (!doDisCheck && nstep > efSearch) {
            break;
        }
    }
}

void hnswSearch(
        const faiss::IndexHNSW& index,
        int64_t n,
        const float* x,
        int64_t k,
        float* distances,
        idx_t* labels,
        int efSearchIn,
        const faiss::IDSelector* sel) {
    const HNSW& hnsw = index.hnsw;
    if (hnsw.upper_beam != 1 || !hnsw.search_bounded_queue) {
        throw Unsupported("HNSW search variant not supported");
    }
    if (index.storage == nullptr) {
        throw CorruptIndex("HNSW index without storage");
    }
    const int efSearch = efSearchIn > 0 ? efSearchIn : hnsw.efSearch;
    const int ef = std::max(efSearch, int(k));
    const int d = index.d;

    ParallelErrors errors;
#pragma omp parallel
    {
        std::unique_ptr<faiss::VisitedTable> vt;
        std::unique_ptr<DistanceComputer> dis;
        try {
            vt = std::make_unique<faiss::VisitedTable>(int(index.ntotal));
            dis = storageDistance(index.storage);
        } catch (...) {
            errors.capture();
        }
        // every thread must reach the work-sharing loop
#pragma omp for
        for (int64_t i = 0; i < n; i++) {
            if (errors.failed() || !dis || !vt) {
                continue;
            }
            try {
                idx_t* idxi = labels + i * k;
                float* simi = distances + i * k;
                dis->set_query(x + i * d);
                faiss::maxheap_heapify(k, simi, idxi);
                if (hnsw.entry_point != -1) {
                    storage_idx_t nearest = hnsw.entry_point;
                    float dNearest = (*dis)(nearest);
                    for (int level = hnsw.max_level; level >= 1; level--) {
                        greedyUpdateNearest(hnsw, *dis, level, nearest, dNearest);
                    }
                    HNSW::MinimaxHeap candidates(ef);
                    candidates.push(nearest, dNearest);
                    searchFromCandidates(
                            hnsw, *dis, int(k), idxi, simi, candidates, *vt, efSearch, sel);
                    vt->advance();
                }
                faiss::maxheap_reorder(k, simi, idxi);
            } catch (...) {
                errors.capture();
            }
        }
    }
    errors.rethrow("HNSW search");
    if (index.metric_type == faiss::METRIC_INNER_PRODUCT) {
        for (int64_t i = 0; i < n * k; i++) {
            distances[i] = -distances[i];
        }
    }
}

// ------------------------------------------------------------------ IVF

// Distances from a query to the centroids 0..nlist-1 of an IVF quantizer, on
// the scale its search returns (what the list scanners expect as coarse_dis).
std::unique_ptr<DistanceComputer> quantizerDistance(const faiss::Index* quantizer, size_t nlist) {
    if (quantizer == nullptr) {
        throw CorruptIndex("IVF index without quantizer");
    }
    const faiss::Index* storage = quantizer;
    // IndexHNSW (IVF.._HNSW) has no distance computer in 1.7.3; its storage does
    // and holds the centroids at the positions the HNSW search returns
    if (auto* h = dynamic_cast<const faiss::IndexHNSW*>(quantizer)) {
        storage = h->storage;
        if (storage == nullptr) {
            throw CorruptIndex("HNSW quantizer without storage");
        }
    }
    if (storage->ntotal < idx_t(nlist)) {
        throw CorruptIndex(format("IVF quantizer holds %lld centroids for %zu lists",
                                  (long long)storage->ntotal, nlist));
    }
    return distanceComputer(*storage);
}

// Every inverted list, whatever the quantizer returns (a graph quantizer may
// return fewer than nlist lists), without a max_codes limit: the queries are
// assigned to all lists with their exact coarse distances and handed to
// search_preassigned in chunks (bounded memory), parallel over chunks.
void ivfSearchAllLists(
        const faiss::IndexIVF& ivf,
        int64_t n,
        const float* x,
        int64_t k,
        float* distances,
        idx_t* labels,
        const faiss::IDSelector* sel) {
    const int64_t nlist = int64_t(ivf.nlist);
    if (nlist < 1) {
        throw CorruptIndex("IVF index without lists");
    }
    faiss::SearchParametersIVF params;
    params.nprobe = size_t(nlist);
    params.max_codes = 0; // unlimited
    params.quantizer_params = nullptr;
    params.sel = const_cast<faiss::IDSelector*>(sel); // FAISS only reads it
    constexpr int64_t kAssignBudget = int64_t(1) << 18; // (key, distance) pairs per chunk
    const int64_t threads = std::max(1, omp_get_max_threads());
    const int64_t chunk = std::max<int64_t>(
            1, std::min((n + threads - 1) / threads, kAssignBudget / nlist));
    const int64_t nchunks = (n + chunk - 1) / chunk;
    const int d = ivf.d;

    ParallelErrors errors;
#pragma omp parallel if (nchunks > 1)
    {
        std::unique_ptr<DistanceComputer> qdc;
        std::vector<idx_t> keys;
        std::vector<float> coarse;
        try {
            qdc = quantizerDistance(ivf.quantizer, size_t(nlist));
            keys.resize(size_t(chunk * nlist));
            coarse.resize(size_t(chunk * nlist));
        } catch (...) {
            errors.capture();
        }
        // every thread must reach the work-sharing loop
#pragma omp for schedule(dynamic)
        for (int64_t c = 0; c < nchunks; c++) {
            if (errors.failed() || !qdc) {
                continue;
            }
            try {
                const int64_t i0 = c * chunk;
                const int64_t m = std::min(chunk, n - i0);
                for (int64_t i = 0; i < m; i++) {
                    qdc->set_query(x + (i0 + i) * d);
                    for (int64_t l = 0; l < nlist; l++) {
                        keys[size_t(i * nlist + l)] = l;
                        coarse[size_t(i * nlist + l)] = (*qdc)(l);
                    }
                }
                // a nested OpenMP region inside runs single-threaded
                ivf.search_preassigned(
                        m, x + i0 * d, k, keys.data(), coarse.data(), distances + i0 * k,
                        labels + i0 * k, false, &params);
            } catch (...) {
                errors.capture();
            }
        }
    }
    errors.rethrow("IVF exhaustive search");
}

// ------------------------------------------------------------------ dispatch

void searchLevel(
        const faiss::Index* index,
        int64_t n,
        const float* x,
        int64_t k,
        float* distances,
        int64_t* labels,
        const SearchOptions& options,
        const Filter& filter) {
    if (index == nullptr) {
        throw CorruptIndex("missing sub-index");
    }
    if (auto* map = dynamic_cast<const faiss::IndexIDMap*>(index)) {
        const auto& ids = map->id_map;
        const int64_t size = int64_t(ids.size());
        Filter inner;
        std::unique_ptr<IdMapSelector> sel;
        if (filter.sel != nullptr) {
            sel = std::make_unique<IdMapSelector>(*filter.sel, ids.data(), size);
            inner.sel = sel.get();
        }
        searchLevel(map->index, n, x, k, distances, labels, options, inner);
        for (int64_t i = 0; i < n * k; i++) {
            int64_t l = labels[i];
            if (l < 0) {
                continue;
            }
            if (l >= size) {
                throw CorruptIndex(format(
                        "IDMap: sub-index returned position %lld but only %lld "
                        "ids are stored",
                        (long long)l,
                        (long long)size));
            }
            labels[i] = ids[l];
        }
        return;
    }
    if (auto* pt = dynamic_cast<const faiss::IndexPreTransform*>(index)) {
        if (!pt->is_trained) {
            throw IllegalState("index is not trained");
        }
        const float* xt = pt->apply_chain(n, x);
        std::unique_ptr<const float[]> owned(xt == x ? nullptr : xt);
        searchLevel(pt->index, n, xt, k, distances, labels, options, filter);
        return;
    }
    if (auto* ivf = dynamic_cast<const faiss::IndexIVF*>(index)) {
        if (options.exhaustive) {
            ivfSearchAllLists(*ivf, n, x, k, distances, labels, filter.sel);
            return;
        }
        // IndexIVF::search_preassigned (1.7.3) hands params->sel to the list
        // scanners (Flat, SQ, PQ), which skip ids that are not members
        faiss::SearchParametersIVF params;
        params.nprobe = options.nprobe > 0 ? size_t(options.nprobe) : ivf->nprobe;
        params.max_codes = ivf->max_codes;
        params.quantizer_params = nullptr;
        params.sel = const_cast<faiss::IDSelector*>(filter.sel); // FAISS only reads it
        ivf->search(n, x, k, distances, labels, &params);
        return;
    }
    if (auto* hnsw = dynamic_cast<const faiss::IndexHNSW*>(index)) {
        if (options.exhaustive) {
            if (hnsw->storage == nullptr) {
                throw CorruptIndex("HNSW index without storage");
            }
            if (hnsw->storage->ntotal != hnsw->ntotal) {
                throw CorruptIndex("HNSW storage size differs from the graph's");
            }
            if (filter.sel == nullptr) {
                scanMembers(*hnsw->storage, nullptr, n, x, k, distances, labels);
            } else {
                MemberBitmap members(filter, hnsw->ntotal);
                scanMembers(*hnsw->storage, &members.get(), n, x, k, distances, labels);
            }
            return;
        }
        hnswSearch(*hnsw, n, x, k, distances, labels, options.efSearch, filter.sel);
        return;
    }
    // flat codes (IndexFlat, IndexScalarQuantizer, IndexPQ): exact anyway
    if (filter.sel == nullptr) {
        index->search(n, x, k, distances, labels);
        return;
    }
    MemberBitmap members(filter, index->ntotal);
    scanMembers(*index, &members.get(), n, x, k, distances, labels);
}

} // namespace

void searchIndex(
        const faiss::Index* index,
        int64_t n,
        const float* x,
        int64_t k,
        float* distances,
        int64_t* labels,
        const SearchOptions& options,
        const IdBitmap* filter) {
    static_assert(sizeof(idx_t) == sizeof(int64_t), "idx_t");
    if (n == 0) {
        return;
    }
    Filter top;
    top.sel = filter;
    top.bitmap = filter;
    searchLevel(index, n, x, k, distances, labels, options, top);
    if (filter == nullptr) {
        return;
    }
    // Second line of defence: never return an id outside the filter, even if
    // some FAISS code path ignored the selector. Rows keep their order.
    for (int64_t i = 0; i < n; i++) {
        int64_t* row = labels + i * k;
        float* dis = distances + i * k;
        int64_t w = 0;
        for (int64_t j = 0; j < k; j++) {
            if (row[j] >= 0 && filter->is_member(row[j])) {
                row[w] = row[j];
                dis[w] = dis[j];
                w++;
            }
        }
        for (; w < k; w++) {
            row[w] = -1;
        }
    }
}

} // namespace lens
