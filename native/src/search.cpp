// Listing Lens: k-NN search with per-call parameters (see search.h).
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
#include <memory>
#include <mutex>
#include <string>

namespace lens {
namespace {

using faiss::DistanceComputer;
using faiss::HNSW;
using idx_t = faiss::Index::idx_t;
using storage_idx_t = HNSW::storage_idx_t;

// HNSW minimises distances; for inner product the storage's similarity is
// negated (as FAISS's IndexHNSW does internally).
struct NegatedDistance : DistanceComputer {
    std::unique_ptr<DistanceComputer> base;
    explicit NegatedDistance(DistanceComputer* b) : base(b) {}
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
    DistanceComputer* dc = storage->get_distance_computer();
    if (storage->metric_type == faiss::METRIC_INNER_PRODUCT) {
        return std::make_unique<NegatedDistance>(dc);
    }
    return std::unique_ptr<DistanceComputer>(dc);
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

// Same as faiss::search_from_candidates (HNSW.cpp, 1.7.3) at level 0 with
// no id selector; efSearch is the per-call value.
void searchFromCandidates(
        const HNSW& hnsw,
        DistanceComputer& qdis,
        int k,
        idx_t* I,
        float* D,
        HNSW::MinimaxHeap& candidates,
        faiss::VisitedTable& vt,
        int efSearch) {
    int nres = 0;
    const bool doDisCheck = hnsw.check_relative_distance;
    for (int i = 0; i < candidates.size(); i++) {
        idx_t v1 = candidates.ids[i];
        float d = candidates.dis[i];
        if (nres < k) {
            faiss::maxheap_push(++nres, D, I, d, v1);
        } else if (d < D[0]) {
            faiss::maxheap_replace_top(nres, D, I, d, v1);
        }
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
            if (nres < k) {
                faiss::maxheap_push(++nres, D, I, d, v1);
            } else if (d < D[0]) {
                faiss::maxheap_replace_top(nres, D, I, d, v1);
            }
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
        int efSearchIn) {
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

    std::atomic<bool> failed{false};
    std::mutex errorMutex;
    std::string error;
    auto record = [&](const char* what) {
        std::lock_guard<std::mutex> lock(errorMutex);
        if (!failed.exchange(true)) {
            error = what;
        }
    };

#pragma omp parallel
    {
        std::unique_ptr<faiss::VisitedTable> vt;
        std::unique_ptr<DistanceComputer> dis;
        try {
            vt = std::make_unique<faiss::VisitedTable>(int(index.ntotal));
            dis = storageDistance(index.storage);
        } catch (const std::exception& e) {
            record(e.what());
        } catch (...) {
            record("unknown error");
        }
        // every thread must reach the work-sharing loop
#pragma omp for
        for (int64_t i = 0; i < n; i++) {
            if (failed.load(std::memory_order_relaxed) || !dis) {
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
                            hnsw, *dis, int(k), idxi, simi, candidates, *vt, efSearch);
                    vt->advance();
                }
                faiss::maxheap_reorder(k, simi, idxi);
            } catch (const std::exception& e) {
                record(e.what());
            } catch (...) {
                record("unknown error");
            }
        }
    }
    if (failed.load()) {
        throw std::runtime_error("HNSW search failed: " + error);
    }
    if (index.metric_type == faiss::METRIC_INNER_PRODUCT) {
        for (int64_t i = 0; i < n * k; i++) {
            distances[i] = -distances[i];
        }
    }
}

} // namespace

void searchIndex(
        const faiss::Index* index,
        int64_t n,
        const float* x,
        int64_t k,
        float* distances,
        int64_t* labels,
        const SearchOptions& options) {
    static_assert(sizeof(idx_t) == sizeof(int64_t), "idx_t");
    if (n == 0) {
        return;
    }
    if (auto* map = dynamic_cast<const faiss::IndexIDMap*>(index)) {
        searchIndex(map->index, n, x, k, distances, labels, options);
        const auto& ids = map->id_map;
        const int64_t size = int64_t(ids.size());
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
        searchIndex(pt->index, n, xt, k, distances, labels, options);
        return;
    }
    if (auto* ivf = dynamic_cast<const faiss::IndexIVF*>(index)) {
        faiss::SearchParametersIVF params;
        params.nprobe = options.nprobe > 0 ? size_t(options.nprobe) : ivf->nprobe;
        params.max_codes = ivf->max_codes;
        params.quantizer_params = nullptr;
        ivf->search(n, x, k, distances, labels, &params);
        return;
    }
    if (auto* hnsw = dynamic_cast<const faiss::IndexHNSW*>(index)) {
        hnswSearch(*hnsw, n, x, k, distances, labels, options.efSearch);
        return;
    }
    index->search(n, x, k, distances, labels);
}

} // namespace lens
