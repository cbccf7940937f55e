// Listing Lens: structural pre-check of FAISS 1.7.3 index files.
// The layout mirrors faiss/impl/index_read.cpp and index_write.cpp of 1.7.3.
#include "index_format.h"

#include "lens_common.h"

#include <faiss/Index.h>
#include <faiss/IndexPQ.h>
#include <faiss/VectorTransform.h>
#include <faiss/impl/HNSW.h>
#include <faiss/impl/ProductQuantizer.h>
#include <faiss/impl/ScalarQuantizer.h>

#include <sys/types.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace lens {
namespace {

// The on-disk field widths are those of the FAISS structs (fields are
// written raw); make sure the headers we compile against agree.
static_assert(sizeof(faiss::Index::d) == 4, "Index::d");
static_assert(sizeof(faiss::Index::ntotal) == 8, "Index::ntotal");
static_assert(sizeof(faiss::Index::is_trained) == 1, "Index::is_trained");
static_assert(sizeof(faiss::MetricType) == 4, "MetricType");
static_assert(sizeof(faiss::ScalarQuantizer::qtype) == 4, "SQ qtype");
static_assert(sizeof(faiss::ScalarQuantizer::rangestat) == 4, "SQ rangestat");
static_assert(sizeof(faiss::ScalarQuantizer::d) == 8, "SQ d");
static_assert(sizeof(faiss::ScalarQuantizer::code_size) == 8, "SQ code_size");
static_assert(sizeof(faiss::ProductQuantizer::M) == 8, "PQ M");
static_assert(sizeof(faiss::ProductQuantizer::nbits) == 8, "PQ nbits");
static_assert(sizeof(faiss::HNSW::storage_idx_t) == 4, "HNSW ids");
static_assert(sizeof(faiss::VectorTransform::d_in) == 4, "VT d_in");
static_assert(sizeof(faiss::IndexPQ::search_type) == 4, "IndexPQ search_type");
static_assert(sizeof(size_t) == 8, "64-bit only");

constexpr uint32_t kFlatL2 = fourcc("IxF2");
constexpr uint32_t kFlatIP = fourcc("IxFI");
constexpr uint32_t kIdMap = fourcc("IxMp");
constexpr uint32_t kIdMap2 = fourcc("IxM2");
constexpr uint32_t kPreTransform = fourcc("IxPT");
constexpr uint32_t kIvfFlat = fourcc("IwFl");
constexpr uint32_t kIvfSq = fourcc("IwSq");
constexpr uint32_t kIvfSqOld = fourcc("IwSQ");
constexpr uint32_t kIvfPq = fourcc("IwPQ");
constexpr uint32_t kHnswFlat = fourcc("IHNf");
constexpr uint32_t kHnswSq = fourcc("IHNs");
constexpr uint32_t kPq = fourcc("IxPq");
constexpr uint32_t kSq = fourcc("IxSQ");


bool allowed(Role role, uint32_t h) {
    switch (role) {
        case Role::Top:
            return isSupportedTopLevelFourcc(h);
        case Role::IdMapSub:
            return isSupportedTopLevelFourcc(h) && h != kIdMap && h != kIdMap2;
        case Role::PreTransformSub:
            return isSupportedTopLevelFourcc(h) && h != kIdMap &&
                    h != kIdMap2 && h != kPreTransform;
        case Role::IvfQuantizer:
            return h == kFlatL2 || h == kFlatIP || h == kHnswFlat;
        case Role::HnswFlatStorage:
            return h == kFlatL2 || h == kFlatIP;
        case Role::HnswSqStorage:
            return h == kSq;
    }
    return false;
}

using ull = unsigned long long;

struct Header {
    uint32_t fourcc = 0;
    int32_t d = 0;
    int64_t ntotal = 0;
    bool trained = false;
    int32_t metric = 0;
};

struct Transform {
    int32_t dIn = 0;
    int32_t dOut = 0;
    bool trained = false;
};

struct IvfHeader {
    Header h;
    uint64_t nlist = 0;
};

class Parser {
   public:
    Parser(FILE* f, uint64_t size, const std::string& name)
            : f_(f), size_(size), name_(name) {}

    void run() {
        parseIndex(Role::Top, 0);
        if (pos_ != size_) {
            fail(format(
                    "%llu unexpected trailing bytes after the index data "
                    "(offset %llu of %llu)",
                    ull(size_ - pos_),
                    ull(pos_),
                    ull(size_)));
        }
    }

   private:
    FILE* f_;
    uint64_t size_;
    uint64_t pos_ = 0;
    std::string name_;

    [[noreturn]] void fail(const std::string& msg) const {
        throw CorruptIndex(name_ + ": " + msg);
    }

    uint64_t remaining() const {
        return size_ - pos_;
    }

    void need(uint64_t n, const char* what) const {
        if (n > remaining()) {
            fail(format(
                    "truncated: %s needs %llu bytes at offset %llu but only "
                    "%llu remain",
                    what,
                    ull(n),
                    ull(pos_),
                    ull(remaining())));
        }
    }

    void readBytes(void* dst, uint64_t n, const char* what) {
        need(n, what);
        if (n > 0 && fread(dst, 1, n, f_) != n) {
            fail(format(
                    "I/O error reading %s at offset %llu: %s",
                    what,
                    ull(pos_),
                    strerror(errno)));
        }
        pos_ += n;
    }

    template <class T>
    T read(const char* what) {
        T v;
        readBytes(&v, sizeof(T), what);
        return v;
    }

    bool readBool(const char* what) {
        uint64_t at = pos_;
        uint8_t b = read<uint8_t>(what);
        if (b > 1) {
            fail(format("%s at offset %llu is %u, not a boolean", what, ull(at), b));
        }
        return b == 1;
    }

    void skip(uint64_t n, const char* what) {
        need(n, what);
        if (n > 0 && fseeko(f_, off_t(n), SEEK_CUR) != 0) {
            fail(format("I/O error skipping %s: %s", what, strerror(errno)));
        }
        pos_ += n;
    }

    // Reads the element count that starts every FAISS vector and checks that
    // count * elem bytes actually follow in the file.
    uint64_t readCount(const char* what, uint64_t elem) {
        uint64_t at = pos_;
        uint64_t n = read<uint64_t>(what);
        uint64_t bytes = 0;
        if (__builtin_mul_overflow(n, elem, &bytes) || bytes > remaining()) {
            fail(format(
                    "%s at offset %llu claims %llu elements of %llu bytes, "
                    "but only %llu bytes remain",
                    what,
                    ull(at),
                    ull(n),
                    ull(elem),
                    ull(remaining())));
        }
        return n;
    }

    uint64_t skipVector(const char* what, uint64_t elem) {
        uint64_t n = readCount(what, elem);
        skip(n * elem, what);
        return n;
    }

    template <class T>
    std::vector<T> readVector(const char* what, uint64_t maxCount) {
        uint64_t at = pos_;
        uint64_t n = readCount(what, sizeof(T));
        if (n > maxCount) {
            fail(format(
                    "%s at offset %llu has %llu elements (at most %llu allowed)",
                    what,
                    ull(at),
                    ull(n),
                    ull(maxCount)));
        }
        std::vector<T> v(n);
        readBytes(v.data(), n * sizeof(T), what);
        return v;
    }

    void expect(bool ok, const std::string& msg) const {
        if (!ok) {
            fail(msg);
        }
    }

    Header header(uint32_t h) {
        Header hd;
        hd.fourcc = h;
        uint64_t at = pos_;
        hd.d = read<int32_t>("dimension");
        expect(hd.d >= 1 && hd.d <= kMaxDimension,
               format("dimension %d at offset %llu is out of range",
                      hd.d,
                      ull(at)));
        at = pos_;
        hd.ntotal = read<int64_t>("vector count");
        expect(hd.ntotal >= 0 && hd.ntotal <= kMaxCount,
               format("vector count %lld at offset %llu is out of range",
                      (long long)hd.ntotal,
                      ull(at)));
        read<int64_t>("reserved");
        read<int64_t>("reserved");
        hd.trained = readBool("is_trained");
        at = pos_;
        hd.metric = read<int32_t>("metric");
        expect(hd.metric == faiss::METRIC_INNER_PRODUCT ||
                       hd.metric == faiss::METRIC_L2,
               format("metric %d at offset %llu is not supported "
                      "(only inner product and L2)",
                      hd.metric,
                      ull(at)));
        expect(hd.trained || hd.ntotal == 0,
               "an untrained index cannot contain vectors");
        return hd;
    }

    void sameShape(const Header& outer, const Header& inner, const char* what) {
        expect(outer.d == inner.d,
               format("%s: dimension %d differs from its sub-index (%d)",
                      what,
                      outer.d,
                      inner.d));
        expect(outer.metric == inner.metric,
               format("%s: metric differs from its sub-index", what));
        expect(outer.ntotal == inner.ntotal,
               format("%s: vector count %lld differs from its sub-index (%lld)",
                      what,
                      (long long)outer.ntotal,
                      (long long)inner.ntotal));
        expect(!outer.trained || inner.trained,
               format("%s: marked trained but its sub-index is not", what));
    }

    Header parseIndex(Role role, int depth) {
        if (depth > 6) {
            fail("index structure is nested too deeply");
        }
        uint64_t at = pos_;
        uint32_t h = read<uint32_t>("index type");
        if (!allowed(role, h)) {
            fail(format(
                    "index type '%s' at offset %llu is not supported as %s",
                    fourccName(h).c_str(),
                    ull(at),
                    roleName(role)));
        }
        switch (h) {
            case kFlatL2:
            case kFlatIP:
                return flat(h);
            case kIdMap:
            case kIdMap2:
                return idMap(h, depth);
            case kPreTransform:
                return preTransform(h, depth);
            case kIvfFlat:
            case kIvfSq:
            case kIvfSqOld:
            case kIvfPq:
                return ivf(h, depth);
            case kHnswFlat:
            case kHnswSq:
                return hnsw(h, depth);
            case kPq:
                return pqIndex(h);
            case kSq:
                return sqIndex(h);
            default:
                fail("unreachable index type");
        }
    }

    Header flat(uint32_t h) {
        Header hd = header(h);
        int32_t metric = h == kFlatIP ? faiss::METRIC_INNER_PRODUCT
                                      : faiss::METRIC_L2;
        expect(hd.metric == metric, "flat index: metric does not match its type");
        expect(hd.trained, "flat index marked untrained");
        // READXBVECTOR: a count of 4-byte words, then the words.
        uint64_t n = readCount("flat vectors", 4);
        expect(n == uint64_t(hd.ntotal) * uint64_t(hd.d),
               format("flat index holds %llu floats, expected %lld x %d",
                      ull(n),
                      (long long)hd.ntotal,
                      hd.d));
        skip(n * 4, "flat vectors");
        return hd;
    }

    Header idMap(uint32_t h, int depth) {
        Header hd = header(h);
        Header sub = parseIndex(Role::IdMapSub, depth + 1);
        sameShape(hd, sub, "IDMap");
        uint64_t n = readCount("id map", 8);
        expect(n == uint64_t(hd.ntotal),
               format("IDMap holds %llu ids for %lld vectors",
                      ull(n),
                      (long long)hd.ntotal));
        skip(n * 8, "id map");
        return hd;
    }

    Transform transform() {
        uint64_t at = pos_;
        uint32_t h = read<uint32_t>("transform type");
        enum { Linear, Norm, Center, Remap } kind;
        bool haveBias = false;
        uint64_t nA = 0, nB = 0, nMean = 0;
        std::vector<int32_t> map;
        switch (h) {
            case fourcc("rrot"):
            case fourcc("LTra"):
                kind = Linear;
                break;
            case fourcc("PCAm"):
            case fourcc("PcAm"):
            case fourcc("Pcam"):
                read<float>("PCA eigen_power");
                if (h == fourcc("Pcam")) {
                    read<float>("PCA epsilon");
                }
                readBool("PCA random_rotation");
                if (h != fourcc("PCAm")) {
                    read<int32_t>("PCA balanced_bins");
                }
                skipVector("PCA mean", 4);
                skipVector("PCA eigenvalues", 4);
                skipVector("PCA matrix", 4);
                kind = Linear;
                break;
            case fourcc("VNrm"): {
                float norm = read<float>("normalization norm");
                expect(norm == 2.0f, "only L2 normalization is supported");
                kind = Norm;
                break;
            }
            case fourcc("VCnt"):
                nMean = skipVector("centering mean", 4);
                kind = Center;
                break;
            case fourcc("RmDT"):
                map = readVector<int32_t>("dimension map", kMaxDimension);
                kind = Remap;
                break;
            default:
                fail(format(
                        "vector transform '%s' at offset %llu is not supported",
                        fourccName(h).c_str(),
                        ull(at)));
        }
        if (kind == Linear) {
            haveBias = readBool("have_bias");
            nA = skipVector("transform matrix", 4);
            nB = skipVector("transform bias", 4);
        }
        Transform t;
        t.dIn = read<int32_t>("transform d_in");
        t.dOut = read<int32_t>("transform d_out");
        t.trained = readBool("transform is_trained");
        expect(t.dIn >= 1 && t.dIn <= kMaxDimension && t.dOut >= 1 &&
                       t.dOut <= kMaxDimension,
               format("transform dimensions %d -> %d are out of range",
                      t.dIn,
                      t.dOut));
        switch (kind) {
            case Linear:
                if (t.trained) {
                    expect(nA == uint64_t(t.dIn) * uint64_t(t.dOut),
                           format("transform matrix has %llu entries, "
                                  "expected %d x %d",
                                  ull(nA),
                                  t.dOut,
                                  t.dIn));
                    expect(!haveBias || nB == uint64_t(t.dOut),
                           format("transform bias has %llu entries, expected %d",
                                  ull(nB),
                                  t.dOut));
                }
                break;
            case Norm:
                expect(t.dIn == t.dOut, "normalization must keep the dimension");
                expect(t.trained, "normalization transform marked untrained");
                break;
            case Center:
                expect(t.dIn == t.dOut, "centering must keep the dimension");
                expect(!t.trained || nMean == uint64_t(t.dIn),
                       "centering mean has the wrong size");
                break;
            case Remap:
                expect(map.size() == size_t(t.dOut),
                       "dimension map has the wrong size");
                for (int32_t m : map) {
                    if (m < -1 || m >= t.dIn) {
                        fail(format("dimension map entry %d is out of range", m));
                    }
                }
                break;
        }
        return t;
    }

    Header preTransform(uint32_t h, int depth) {
        Header hd = header(h);
        uint64_t at = pos_;
        int32_t nt = read<int32_t>("transform count");
        expect(nt >= 1 && nt <= kMaxTransforms,
               format("transform count %d at offset %llu is out of range",
                      nt,
                      ull(at)));
        int32_t dim = hd.d;
        bool allTrained = true;
        for (int i = 0; i < nt; i++) {
            Transform t = transform();
            expect(t.dIn == dim,
                   format("transform %d expects dimension %d but gets %d",
                          i,
                          t.dIn,
                          dim));
            dim = t.dOut;
            allTrained = allTrained && t.trained;
        }
        Header sub = parseIndex(Role::PreTransformSub, depth + 1);
        expect(sub.d == dim,
               format("pre-transform outputs dimension %d but its index "
                      "expects %d",
                      dim,
                      sub.d));
        expect(sub.metric == hd.metric, "pre-transform: metric differs");
        expect(sub.ntotal == hd.ntotal, "pre-transform: vector count differs");
        expect(!hd.trained || (allTrained && sub.trained),
               "pre-transform marked trained but a part of it is not");
        return hd;
    }

    IvfHeader ivfHeader(uint32_t h, int depth) {
        IvfHeader r;
        r.h = header(h);
        uint64_t at = pos_;
        r.nlist = read<uint64_t>("nlist");
        expect(r.nlist >= 1 && r.nlist <= kMaxNlist,
               format("nlist %llu at offset %llu is out of range",
                      ull(r.nlist),
                      ull(at)));
        at = pos_;
        uint64_t nprobe = read<uint64_t>("nprobe");
        expect(nprobe >= 1 && nprobe <= uint64_t(kMaxNprobe),
               format("nprobe %llu at offset %llu is out of range",
                      ull(nprobe),
                      ull(at)));
        Header q = parseIndex(Role::IvfQuantizer, depth + 1);
        expect(q.d == r.h.d, "IVF quantizer dimension differs from the index");
        expect(q.metric == r.h.metric, "IVF quantizer metric differs");
        if (r.h.trained) {
            expect(uint64_t(q.ntotal) == r.nlist,
                   format("IVF quantizer has %lld centroids for %llu lists",
                          (long long)q.ntotal,
                          ull(r.nlist)));
        } else {
            expect(q.ntotal == 0 || uint64_t(q.ntotal) == r.nlist,
                   "untrained IVF quantizer has the wrong size");
        }
        uint8_t dm = read<uint8_t>("direct map type");
        expect(dm == 0, "IVF direct maps are not supported");
        uint64_t na = readCount("direct map", 8);
        expect(na == 0, "IVF direct maps are not supported");
        return r;
    }

    void invlists(uint64_t nlist, uint64_t codeSize, int64_t ntotal) {
        uint64_t at = pos_;
        uint32_t h = read<uint32_t>("inverted lists type");
        expect(h == fourcc("ilar"),
               format("inverted lists of type '%s' at offset %llu are not "
                      "supported",
                      fourccName(h).c_str(),
                      ull(at)));
        uint64_t n = read<uint64_t>("inverted lists count");
        expect(n == nlist,
               format("%llu inverted lists for nlist %llu", ull(n), ull(nlist)));
        uint64_t cs = read<uint64_t>("inverted lists code size");
        expect(cs == codeSize,
               format("inverted lists code size %llu, expected %llu",
                      ull(cs),
                      ull(codeSize)));
        uint32_t listType = read<uint32_t>("list size table type");
        std::vector<uint64_t> sizes(nlist, 0);
        if (listType == fourcc("full")) {
            uint64_t m = readCount("list sizes", 8);
            expect(m == nlist, "list size table has the wrong length");
            readBytes(sizes.data(), m * 8, "list sizes");
        } else if (listType == fourcc("sprs")) {
            uint64_t m = readCount("sparse list sizes", 8);
            expect(m % 2 == 0, "sparse list size table has odd length");
            expect(m <= 2 * nlist, "sparse list size table is too long");
            std::vector<uint64_t> pairs(m);
            readBytes(pairs.data(), m * 8, "sparse list sizes");
            for (uint64_t j = 0; j < m; j += 2) {
                if (pairs[j] >= nlist) {
                    fail(format("sparse list number %llu is out of range", ull(pairs[j])));
                }
                sizes[pairs[j]] = pairs[j + 1];
            }
        } else {
            fail(format("list size table type '%s' is not supported",
                        fourccName(listType).c_str()));
        }
        uint64_t perVector = 0;
        expect(!__builtin_add_overflow(codeSize, uint64_t(8), &perVector),
               "code size overflows");
        uint64_t total = 0, bytes = 0;
        for (uint64_t s : sizes) {
            uint64_t b = 0;
            if (s > uint64_t(kMaxCount) || __builtin_mul_overflow(s, perVector, &b) ||
                __builtin_add_overflow(bytes, b, &bytes)) {
                fail(format("inverted list size %llu is out of range", ull(s)));
            }
            total += s;
        }
        expect(total == uint64_t(ntotal),
               format("inverted lists hold %llu vectors, the index says %lld",
                      ull(total),
                      (long long)ntotal));
        skip(bytes, "inverted list data");
    }

    // Returns the code size.
    uint64_t scalarQuantizer(int32_t d, bool trained) {
        uint64_t at = pos_;
        int32_t qtype = read<int32_t>("SQ type");
        expect(qtype >= faiss::ScalarQuantizer::QT_8bit &&
                       qtype <= faiss::ScalarQuantizer::QT_6bit,
               format("scalar quantizer type %d at offset %llu is unknown",
                      qtype,
                      ull(at)));
        int32_t rangestat = read<int32_t>("SQ range statistic");
        expect(rangestat >= faiss::ScalarQuantizer::RS_minmax &&
                       rangestat <= faiss::ScalarQuantizer::RS_optim,
               "scalar quantizer range statistic is unknown");
        read<float>("SQ range argument");
        uint64_t sd = read<uint64_t>("SQ dimension");
        expect(sd == uint64_t(d), "scalar quantizer dimension differs");
        uint64_t cs = read<uint64_t>("SQ code size");
        uint64_t expected = 0, needTrained = 0;
        switch (qtype) {
            case faiss::ScalarQuantizer::QT_8bit:
                expected = d;
                needTrained = 2 * uint64_t(d);
                break;
            case faiss::ScalarQuantizer::QT_8bit_uniform:
                expected = d;
                needTrained = 2;
                break;
            case faiss::ScalarQuantizer::QT_8bit_direct:
                expected = d;
                break;
            case faiss::ScalarQuantizer::QT_4bit:
                expected = (d + 1) / 2;
                needTrained = 2 * uint64_t(d);
                break;
            case faiss::ScalarQuantizer::QT_4bit_uniform:
                expected = (d + 1) / 2;
                needTrained = 2;
                break;
            case faiss::ScalarQuantizer::QT_6bit:
                expected = (uint64_t(d) * 6 + 7) / 8;
                needTrained = 2 * uint64_t(d);
                break;
            case faiss::ScalarQuantizer::QT_fp16:
                expected = 2 * uint64_t(d);
                break;
        }
        expect(cs == expected,
               format("scalar quantizer code size %llu, expected %llu",
                      ull(cs),
                      ull(expected)));
        uint64_t nt = skipVector("SQ training data", 4);
        expect(nt == needTrained || (!trained && nt == 0),
               format("scalar quantizer has %llu trained values, expected %llu",
                      ull(nt),
                      ull(needTrained)));
        return cs;
    }

    // Returns the code size.
    uint64_t productQuantizer(int32_t d) {
        uint64_t pd = read<uint64_t>("PQ dimension");
        expect(pd == uint64_t(d), "product quantizer dimension differs");
        uint64_t m = read<uint64_t>("PQ sub-quantizer count");
        expect(m >= 1 && m <= pd && pd % m == 0,
               format("PQ sub-quantizer count %llu does not divide dimension %llu",
                      ull(m),
                      ull(pd)));
        uint64_t nbits = read<uint64_t>("PQ bits");
        expect(nbits >= 1 && nbits <= uint64_t(kMaxPqBits),
               format("PQ bits %llu out of range", ull(nbits)));
        // FAISS sizes the centroid table to d * 2^nbits before reading it,
        // so the stored table must have exactly that size.
        uint64_t nc = readCount("PQ centroids", 4);
        expect(nc == pd * (uint64_t(1) << nbits),
               format("PQ centroid table has %llu entries, expected %llu",
                      ull(nc),
                      ull(pd * (uint64_t(1) << nbits))));
        skip(nc * 4, "PQ centroids");
        return (nbits * m + 7) / 8;
    }

    Header ivf(uint32_t h, int depth) {
        IvfHeader r = ivfHeader(h, depth);
        const Header& hd = r.h;
        uint64_t codeSize = 0;
        if (h == kIvfFlat) {
            codeSize = uint64_t(hd.d) * 4;
        } else if (h == kIvfSq || h == kIvfSqOld) {
            uint64_t sqcs = scalarQuantizer(hd.d, hd.trained);
            codeSize = read<uint64_t>("IVF code size");
            expect(codeSize == sqcs, "IVF-SQ code size differs");
            if (h == kIvfSq) {
                readBool("by_residual");
            }
        } else { // kIvfPq
            readBool("by_residual");
            codeSize = read<uint64_t>("IVF code size");
            uint64_t pqcs = productQuantizer(hd.d);
            expect(codeSize == pqcs, "IVF-PQ code size differs");
        }
        invlists(r.nlist, codeSize, hd.ntotal);
        return hd;
    }

    Header hnsw(uint32_t h, int depth) {
        Header hd = header(h);
        uint64_t np = skipVector("HNSW level probabilities", 8);
        expect(np >= 1 && np <= uint64_t(kMaxHnswLevels),
               "HNSW level table size out of range");
        std::vector<int32_t> cum = readVector<int32_t>(
                "HNSW neighbors per level", kMaxHnswLevels + 1);
        expect(cum.size() == np + 1, "HNSW level tables differ in size");
        expect(cum[0] == 0 && cum[1] >= 2, "HNSW neighbor table is malformed");
        for (size_t i = 1; i < cum.size(); i++) {
            expect(cum[i] >= cum[i - 1] &&
                           cum[i] - cum[i - 1] <= kMaxHnswNeighborsPerLevel,
                   "HNSW neighbors per level out of range");
        }
        uint64_t nl = skipVector("HNSW levels", 4);
        expect(nl == uint64_t(hd.ntotal), "HNSW level table has the wrong size");
        uint64_t no = skipVector("HNSW offsets", 8);
        expect(no == uint64_t(hd.ntotal) + 1,
               "HNSW offset table has the wrong size");
        skipVector("HNSW links", 4);
        int32_t entry = read<int32_t>("HNSW entry point");
        int32_t maxLevel = read<int32_t>("HNSW max level");
        int32_t efConstruction = read<int32_t>("HNSW efConstruction");
        int32_t efSearch = read<int32_t>("HNSW efSearch");
        int32_t upperBeam = read<int32_t>("HNSW upper beam");
        if (hd.ntotal == 0) {
            expect(entry == -1 && maxLevel == -1,
                   "empty HNSW graph has an entry point");
        } else {
            expect(entry >= 0 && entry < hd.ntotal,
                   format("HNSW entry point %d out of range", entry));
            expect(maxLevel >= 0 && maxLevel < int32_t(cum.size()) - 1,
                   format("HNSW max level %d out of range", maxLevel));
        }
        expect(efConstruction >= 1 && efConstruction <= kMaxEfConstruction,
               "HNSW efConstruction out of range");
        expect(efSearch >= 1 && efSearch <= kMaxEfSearch,
               "HNSW efSearch out of range");
        expect(upperBeam == 1, "HNSW upper beam must be 1");
        Header storage = parseIndex(
                h == kHnswFlat ? Role::HnswFlatStorage : Role::HnswSqStorage,
                depth + 1);
        sameShape(hd, storage, "HNSW");
        expect(h != kHnswFlat || hd.trained, "HNSW flat index marked untrained");
        return hd;
    }

    Header pqIndex(uint32_t h) {
        Header hd = header(h);
        uint64_t cs = productQuantizer(hd.d);
        uint64_t n = readCount("PQ codes", 1);
        expect(n == uint64_t(hd.ntotal) * cs,
               format("PQ index holds %llu code bytes, expected %lld x %llu",
                      ull(n),
                      (long long)hd.ntotal,
                      ull(cs)));
        skip(n, "PQ codes");
        int32_t st = read<int32_t>("PQ search type");
        expect(st == faiss::IndexPQ::ST_PQ, "only plain PQ search is supported");
        bool signs = readBool("PQ encode_signs");
        expect(!signs, "PQ encode_signs is not supported");
        read<int32_t>("PQ polysemous_ht");
        return hd;
    }

    Header sqIndex(uint32_t h) {
        Header hd = header(h);
        uint64_t cs = scalarQuantizer(hd.d, hd.trained);
        uint64_t n = readCount("SQ codes", 1);
        expect(n == uint64_t(hd.ntotal) * cs,
               format("SQ index holds %llu code bytes, expected %lld x %llu",
                      ull(n),
                      (long long)hd.ntotal,
                      ull(cs)));
        skip(n, "SQ codes");
        return hd;
    }
};

} // namespace

bool isSupportedTopLevelFourcc(uint32_t h) {
    switch (h) {
        case kFlatL2:
        case kFlatIP:
        case kIdMap:
        case kIdMap2:
        case kPreTransform:
        case kIvfFlat:
        case kIvfSq:
        case kIvfSqOld:
        case kIvfPq:
        case kHnswFlat:
        case kHnswSq:
        case kPq:
        case kSq:
            return true;
        default:
            return false;
    }
}

void validateIndexFile(FILE* f, uint64_t size, const std::string& name) {
    Parser(f, size, name).run();
}

} // namespace lens
