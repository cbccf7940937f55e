// Listing Lens: JNI entry points of com.listinglens.vector.FaissNative.
//
// Contract (see native/README.md): a handle is a pointer to a NativeIndex
// created by create() or read() and released exactly once by free(). The Java
// side serialises mutation (train/add/write/free) against searches with a
// read-write lock and validates every argument first; the checks here are a
// second line of defence. Every entry point is wrapped in lens::guarded(), so
// errors surface as Java exceptions and no C++ exception reaches the JVM.
#include "com_listinglens_vector_FaissNative.h"
#include "index_check.h"
#include "index_io.h"
#include "index_merge.h"
#include "jni_support.h"
#include "lens_common.h"
#include "search.h"

#include <faiss/Index.h>
#include <faiss/index_factory.h>

#include <jni.h>
#include <malloc.h>
#include <omp.h>

#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>

namespace lens {
namespace {

struct NativeIndex {
    std::unique_ptr<faiss::Index> index;
    bool readOnly = false;
};

std::atomic<int> gThreads{0};
int gDefaultThreads = 1;

void applyThreads() {
    int t = gThreads.load(std::memory_order_relaxed);
    omp_set_num_threads(t > 0 ? t : gDefaultThreads);
}

NativeIndex* handleOf(jlong handle) {
    if (handle == 0) {
        throw IllegalState("index is closed");
    }
    return reinterpret_cast<NativeIndex*>(handle);
}

faiss::MetricType metricOf(jint metric) {
    switch (metric) {
        case faiss::METRIC_INNER_PRODUCT:
            return faiss::METRIC_INNER_PRODUCT;
        case faiss::METRIC_L2:
            return faiss::METRIC_L2;
        default:
            throw InvalidArgument(format("unsupported metric code %d", int(metric)));
    }
}

void requireWritable(const NativeIndex* h) {
    if (h->readOnly) {
        throw IllegalState(
                "index was opened memory-mapped (read-only); re-open it with "
                "memoryMap=false to modify or re-write it");
    }
}

} // namespace
} // namespace lens

using namespace lens;

extern "C" {

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM* vm, void*) {
    JNIEnv* env = nullptr;
    if (vm->GetEnv(reinterpret_cast<void**>(&env), JNI_VERSION_1_8) != JNI_OK) {
        return JNI_ERR;
    }
    try {
        if (!initJni(env)) {
            return JNI_ERR;
        }
        gDefaultThreads = std::max(1, omp_get_max_threads());
    } catch (...) {
        return JNI_ERR;
    }
    return JNI_VERSION_1_8;
}

JNIEXPORT void JNICALL JNI_OnUnload(JavaVM* vm, void*) {
    JNIEnv* env = nullptr;
    if (vm->GetEnv(reinterpret_cast<void**>(&env), JNI_VERSION_1_8) == JNI_OK) {
        releaseJni(env);
    }
}

JNIEXPORT jstring JNICALL
Java_com_listinglens_vector_FaissNative_version(JNIEnv* env, jclass) {
    return guarded(env, jstring(nullptr), [&]() {
        std::string v = format("faiss %d.%d.%d", FAISS_VERSION_MAJOR, FAISS_VERSION_MINOR,
                               FAISS_VERSION_PATCH);
        jstring s = env->NewStringUTF(v.c_str());
        checkJava(env);
        return s;
    });
}

JNIEXPORT jlong JNICALL Java_com_listinglens_vector_FaissNative_create(
        JNIEnv* env, jclass, jstring jfactory, jint dimension, jint metric) {
    return guarded(env, jlong(0), [&]() -> jlong {
        std::string factory = jstringToUtf8(env, jfactory, "factory");
        if (factory.empty() || factory.size() > 256) {
            throw InvalidArgument("factory string must be 1..256 characters");
        }
        if (dimension < 1 || dimension > kMaxDimension) {
            throw InvalidArgument(format("dimension %d out of range", int(dimension)));
        }
        faiss::MetricType mt = metricOf(metric);
        applyThreads();
        std::unique_ptr<faiss::Index> index;
        try {
            index.reset(faiss::index_factory(int(dimension), factory.c_str(), mt));
        } catch (const faiss::FaissException& e) {
            throw InvalidArgument(format("invalid index factory string '%s' for dimension %d: %s",
                                         factory.c_str(), int(dimension), e.what()));
        } catch (const std::logic_error& e) { // std::stoi on bad numbers
            throw InvalidArgument(format("invalid index factory string '%s': %s",
                                         factory.c_str(), e.what()));
        }
        if (!index) {
            throw InvalidArgument(format("invalid index factory string '%s'", factory.c_str()));
        }
        checkIndex(index.get(), CheckMode::Created);
        auto* h = new NativeIndex{std::move(index), false};
        return reinterpret_cast<jlong>(h);
    });
}

JNIEXPORT jlong JNICALL Java_com_listinglens_vector_FaissNative_read(
        JNIEnv* env, jclass, jbyteArray jpath, jboolean memoryMap) {
    return guarded(env, jlong(0), [&]() -> jlong {
        std::string path = jbytesToPath(env, jpath);
        applyThreads();
        std::unique_ptr<faiss::Index> index = loadIndex(path, memoryMap);
        auto* h = new NativeIndex{std::move(index), bool(memoryMap)};
        return reinterpret_cast<jlong>(h);
    });
}

JNIEXPORT void JNICALL Java_com_listinglens_vector_FaissNative_write(
        JNIEnv* env, jclass, jlong handle, jbyteArray jpath) {
    guardedVoid(env, [&]() {
        NativeIndex* h = handleOf(handle);
        requireWritable(h);
        if (traitsOf(h->index.get()).readOnly) {
            throw IllegalState("index has memory-mapped inverted lists and cannot be written");
        }
        std::string path = jbytesToPath(env, jpath);
        saveIndex(h->index.get(), path);
    });
}

JNIEXPORT void JNICALL
Java_com_listinglens_vector_FaissNative_free(JNIEnv* env, jclass, jlong handle) {
    guardedVoid(env, [&]() {
        if (handle != 0) {
            delete reinterpret_cast<NativeIndex*>(handle);
        }
    });
}

JNIEXPORT jlong JNICALL
Java_com_listinglens_vector_FaissNative_count(JNIEnv* env, jclass, jlong handle) {
    return guarded(env, jlong(-1), [&]() { return jlong(handleOf(handle)->index->ntotal); });
}

JNIEXPORT jboolean JNICALL
Java_com_listinglens_vector_FaissNative_isTrained(JNIEnv* env, jclass, jlong handle) {
    return guarded(env, jboolean(false),
                   [&]() { return jboolean(handleOf(handle)->index->is_trained); });
}

JNIEXPORT jint JNICALL
Java_com_listinglens_vector_FaissNative_dimension(JNIEnv* env, jclass, jlong handle) {
    return guarded(env, jint(0), [&]() { return jint(handleOf(handle)->index->d); });
}

JNIEXPORT jint JNICALL
Java_com_listinglens_vector_FaissNative_metric(JNIEnv* env, jclass, jlong handle) {
    return guarded(env, jint(-1), [&]() { return jint(handleOf(handle)->index->metric_type); });
}

// bit 0: accepts ids, 1: IVF (nprobe), 2: HNSW (efSearch), 3: read-only
JNIEXPORT jint JNICALL
Java_com_listinglens_vector_FaissNative_traits(JNIEnv* env, jclass, jlong handle) {
    return guarded(env, jint(0), [&]() {
        NativeIndex* h = handleOf(handle);
        IndexTraits t = traitsOf(h->index.get());
        return jint((t.supportsIds ? 1 : 0) | (t.ivf ? 2 : 0) | (t.hnsw ? 4 : 0) |
                    (t.readOnly || h->readOnly ? 8 : 0));
    });
}

JNIEXPORT jstring JNICALL
Java_com_listinglens_vector_FaissNative_describe(JNIEnv* env, jclass, jlong handle) {
    return guarded(env, jstring(nullptr), [&]() {
        std::string d = describe(handleOf(handle)->index.get());
        jstring s = env->NewStringUTF(d.c_str());
        checkJava(env);
        return s;
    });
}

JNIEXPORT void JNICALL Java_com_listinglens_vector_FaissNative_train(
        JNIEnv* env, jclass, jlong handle, jfloatArray jvectors, jint n) {
    guardedVoid(env, [&]() {
        NativeIndex* h = handleOf(handle);
        requireWritable(h);
        faiss::Index* index = h->index.get();
        if (n < 1) {
            throw InvalidArgument("training needs at least one vector");
        }
        if (index->ntotal > 0) {
            throw IllegalState("index already contains vectors; train before adding");
        }
        std::vector<float> x = copyFloats(env, jvectors, int64_t(n) * index->d, "vectors");
        applyThreads();
        index->train(n, x.data());
    });
}

JNIEXPORT void JNICALL Java_com_listinglens_vector_FaissNative_addWithIds(
        JNIEnv* env, jclass, jlong handle, jfloatArray jvectors, jlongArray jids) {
    guardedVoid(env, [&]() {
        NativeIndex* h = handleOf(handle);
        requireWritable(h);
        faiss::Index* index = h->index.get();
        if (jids == nullptr) {
            throw InvalidArgument("ids must not be null");
        }
        const int64_t n = env->GetArrayLength(jids);
        std::vector<int64_t> ids = copyLongs(env, jids, n, "ids");
        std::vector<float> x = copyFloats(env, jvectors, n * index->d, "vectors");
        if (n == 0) {
            return;
        }
        IndexTraits traits = traitsOf(index);
        if (!traits.supportsIds) {
            std::string desc = describe(index);
            throw Unsupported(format(
                    "index '%s' cannot store caller-supplied ids; create it with an "
                    "\"IDMap,\" prefix, e.g. \"IDMap,%s\"",
                    desc.c_str(), desc.c_str()));
        }
        if (!index->is_trained) {
            throw IllegalState("index is not trained; call train() first");
        }
        if (index->ntotal + n > kMaxCount) {
            throw InvalidArgument("index would exceed the maximum vector count");
        }
        for (int64_t i = 0; i < n; i++) {
            if (ids[i] < 0) {
                throw InvalidArgument(format("ids[%lld] is negative", (long long)i));
            }
        }
        applyThreads();
        index->add_with_ids(n, x.data(), ids.data());
    });
}

JNIEXPORT void JNICALL Java_com_listinglens_vector_FaissNative_search(
        JNIEnv* env, jclass, jlong handle, jfloatArray jqueries, jint n, jint k, jint nprobe,
        jint efSearch, jboolean exhaustive, jlongArray filterWords, jlong filterSize,
        jlongArray outIds, jfloatArray outScores) {
    guardedVoid(env, [&]() {
        NativeIndex* h = handleOf(handle);
        const faiss::Index* index = h->index.get();
        if (n < 0) {
            throw InvalidArgument("n must be >= 0");
        }
        if (k < 1 || k > kMaxK) {
            throw InvalidArgument(format("k %d out of range", int(k)));
        }
        if (nprobe < 0 || nprobe > kMaxNprobe || efSearch < 0 || efSearch > kMaxEfSearch) {
            throw InvalidArgument("nprobe / efSearch out of range");
        }
        if (outIds == nullptr || outScores == nullptr) {
            throw InvalidArgument("output arrays must not be null");
        }
        const int64_t total = int64_t(n) * int64_t(k);
        if (env->GetArrayLength(outIds) != total || env->GetArrayLength(outScores) != total) {
            throw InvalidArgument("output arrays must have n * k elements");
        }
        std::vector<float> x = copyFloats(env, jqueries, int64_t(n) * index->d, "queries");
        // the filter: a bitmap over ids [0, filterSize), exactly ceil(size / 64)
        // words, no bits set at or beyond filterSize
        std::vector<int64_t> words;
        std::unique_ptr<IdBitmap> filter;
        if (filterWords != nullptr) {
            if (filterSize < 0 || filterSize > kMaxCount) {
                throw InvalidArgument(format("filter size %lld out of range 0..%lld",
                                             (long long)filterSize, (long long)kMaxCount));
            }
            words = copyLongs(env, filterWords, (int64_t(filterSize) + 63) / 64, "filter words");
            if ((filterSize & 63) != 0 &&
                (uint64_t(words.back()) >> (filterSize & 63)) != 0) {
                throw InvalidArgument("filter has bits set at or beyond its size");
            }
            filter = std::make_unique<IdBitmap>(
                    reinterpret_cast<const uint64_t*>(words.data()), int64_t(filterSize));
        }
        if (!index->is_trained) {
            throw IllegalState("index is not trained; call train() first");
        }
        if (n == 0) {
            return;
        }
        std::vector<float> distances(static_cast<size_t>(total));
        std::vector<int64_t> labels(static_cast<size_t>(total), -1);
        SearchOptions options;
        options.nprobe = nprobe;
        options.efSearch = efSearch;
        options.exhaustive = exhaustive;
        applyThreads();
        searchIndex(index, n, x.data(), k, distances.data(), labels.data(), options, filter.get());
        for (int64_t i = 0; i < total; i++) {
            if (labels[i] < 0) {
                labels[i] = -1;
                distances[i] = std::numeric_limits<float>::quiet_NaN();
            }
        }
        env->SetLongArrayRegion(outIds, 0, jsize(total), reinterpret_cast<const jlong*>(labels.data()));
        checkJava(env);
        env->SetFloatArrayRegion(outScores, 0, jsize(total), distances.data());
        checkJava(env);
    });
}

JNIEXPORT void JNICALL Java_com_listinglens_vector_FaissNative_mergeFrom(
        JNIEnv* env, jclass, jlong targetHandle, jlong sourceHandle) {
    guardedVoid(env, [&]() {
        NativeIndex* target = handleOf(targetHandle);
        NativeIndex* source = handleOf(sourceHandle);
        if (target == source) {
            throw InvalidArgument("an index cannot be merged into itself");
        }
        requireWritable(target);
        requireWritable(source);
        mergeInto(target->index.get(), source->index.get());
    });
}

JNIEXPORT jlong JNICALL
Java_com_listinglens_vector_FaissNative_trainedFingerprint(JNIEnv* env, jclass, jlong handle) {
    return guarded(env, jlong(0), [&]() { return jlong(trainedFingerprint(handleOf(handle)->index.get())); });
}

// out: {ids enumerated, out of range, duplicates, missing} against [0, expected)
JNIEXPORT void JNICALL Java_com_listinglens_vector_FaissNative_censusIds(
        JNIEnv* env, jclass, jlong handle, jlong expected, jlongArray out) {
    guardedVoid(env, [&]() {
        NativeIndex* h = handleOf(handle);
        if (out == nullptr || env->GetArrayLength(out) != 4) {
            throw InvalidArgument("census output must be an array of 4 longs");
        }
        IdCensus c = censusIds(h->index.get(), int64_t(expected));
        jlong values[4] = {jlong(c.ids), jlong(c.outOfRange), jlong(c.duplicates), jlong(c.missing)};
        env->SetLongArrayRegion(out, 0, 4, values);
        checkJava(env);
    });
}

JNIEXPORT void JNICALL
Java_com_listinglens_vector_FaissNative_setThreads(JNIEnv* env, jclass, jint threads) {
    guardedVoid(env, [&]() {
        if (threads < 0 || threads > kMaxThreads) {
            throw InvalidArgument(format("thread count %d out of range", int(threads)));
        }
        gThreads.store(threads);
        // OpenBLAS keeps its own pool; keep it in line when it is the BLAS in use.
        using SetFn = void (*)(int);
        if (auto fn = reinterpret_cast<SetFn>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) {
            fn(threads > 0 ? threads : gDefaultThreads);
        }
    });
}

JNIEXPORT jint JNICALL
Java_com_listinglens_vector_FaissNative_threads(JNIEnv* env, jclass) {
    return guarded(env, jint(0), [&]() {
        int t = gThreads.load();
        return jint(t > 0 ? t : gDefaultThreads);
    });
}

JNIEXPORT jlong JNICALL
Java_com_listinglens_vector_FaissNative_mallocInUse(JNIEnv* env, jclass) {
    return guarded(env, jlong(-1), [&]() {
        // bytes handed out by the C allocator and not yet freed (arena chunks + mmapped blocks): FAISS
        // indexes, libtorch tensors and OpenCV images all live here, the Java heap does not
        struct mallinfo2 info = mallinfo2();
        return jlong(info.uordblks + info.hblkhd);
    });
}

} // extern "C"
