// Listing Lens: Pillow-exact resize + crop + normalisation (see resample.h).
#include "resample.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <limits>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define LENS_X86 1
#endif

namespace lensimage {
namespace {

constexpr int kMaxSide = 1 << 16;
constexpr int kMaxTaps = 1 << 12;

inline uint8_t clip8(int32_t acc) {
    int32_t v = acc >> kPrecisionBits;
    return static_cast<uint8_t>(v < 0 ? 0 : (v > 255 ? 255 : v));
}

std::string str(const char* a, long long v) {
    return std::string(a) + std::to_string(v);
}

// One row of the horizontal pass, three channels at a time in scalar registers.
void horizontalRowScalar(const uint8_t* in, int w, const Taps& taps, uint8_t* dst) {
    (void)w;
    for (int x = 0; x < taps.n; x++) {
        const int32_t* k = taps.weights + static_cast<size_t>(x) * taps.stride;
        const uint8_t* p = in + static_cast<size_t>(taps.first[x]) * 3;
        const int n = taps.count[x];
        int32_t r = 1 << (kPrecisionBits - 1);
        int32_t g = r;
        int32_t b = r;
        for (int t = 0; t < n; t++, p += 3) {
            const int32_t kt = k[t];
            r += p[0] * kt;
            g += p[1] * kt;
            b += p[2] * kt;
        }
        dst[x * 3] = clip8(r);
        dst[x * 3 + 1] = clip8(g);
        dst[x * 3 + 2] = clip8(b);
    }
}

#ifdef LENS_X86
// The same sums with one SSE4.1 register per output pixel (lanes R, G, B and an unused fourth): 32-bit integer
// products and sums as in the scalar code, so the result is identical. A pixel is read as 4 bytes except the row's
// last, whose fourth byte may lie past the image.
__attribute__((target("sse4.1"))) void horizontalRowSse41(const uint8_t* in, int w, const Taps& taps, uint8_t* dst) {
    const __m128i half = _mm_set1_epi32(1 << (kPrecisionBits - 1));
    const __m128i lo = _mm_setzero_si128();
    const __m128i hi = _mm_set1_epi32(255);
    for (int x = 0; x < taps.n; x++) {
        const int32_t* k = taps.weights + static_cast<size_t>(x) * taps.stride;
        const int first = taps.first[x];
        const uint8_t* p = in + static_cast<size_t>(first) * 3;
        const int n = taps.count[x];
        __m128i acc = half;
        for (int t = 0; t < n; t++, p += 3) {
            uint32_t v;
            if (first + t < w - 1) {
                std::memcpy(&v, p, 4);
            } else {
                v = static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16;
            }
            __m128i pixel = _mm_cvtepu8_epi32(_mm_cvtsi32_si128(static_cast<int>(v)));
            acc = _mm_add_epi32(acc, _mm_mullo_epi32(pixel, _mm_set1_epi32(k[t])));
        }
        __m128i s = _mm_max_epi32(_mm_min_epi32(_mm_srai_epi32(acc, kPrecisionBits), hi), lo);
        dst[x * 3] = static_cast<uint8_t>(_mm_cvtsi128_si32(s));
        dst[x * 3 + 1] = static_cast<uint8_t>(_mm_extract_epi32(s, 1));
        dst[x * 3 + 2] = static_cast<uint8_t>(_mm_extract_epi32(s, 2));
    }
}

const bool kHasSse41 = __builtin_cpu_supports("sse4.1");
#endif

std::atomic<bool> gSimd{true};

void horizontalRow(const uint8_t* in, int w, const Taps& taps, uint8_t* dst) {
#ifdef LENS_X86
    if (kHasSse41 && gSimd.load(std::memory_order_relaxed)) {
        horizontalRowSse41(in, w, taps, dst);
        return;
    }
#endif
    horizontalRowScalar(in, w, taps, dst);
}

// acc[c] += line[c] * k over a row of the vertical pass; built for AVX2 too, chosen at load time.
#if defined(LENS_X86) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("avx2", "default")))
#endif
void accumulate(int32_t* acc, const uint8_t* line, int32_t k, int n) {
    for (int c = 0; c < n; c++) {
        acc[c] += line[c] * k;
    }
}

}  // namespace

bool useSimd(bool enabled) {
#ifdef LENS_X86
    gSimd.store(enabled, std::memory_order_relaxed);
    return kHasSse41;
#else
    (void)enabled;
    return false;
#endif
}

void checkTaps(const Taps& taps, int inSize, const char* axis) {
    if (taps.first == nullptr || taps.count == nullptr || taps.weights == nullptr) {
        throw InvalidArgument(std::string(axis) + " taps are missing");
    }
    if (taps.stride < 1 || taps.stride > kMaxTaps) {
        throw InvalidArgument(std::string(axis) + str(" taps: stride out of range: ", taps.stride));
    }
    for (int o = 0; o < taps.n; o++) {
        int32_t f = taps.first[o];
        int32_t c = taps.count[o];
        if (f < 0 || c < 0 || c > taps.stride || static_cast<int64_t>(f) + c > inSize) {
            throw InvalidArgument(std::string(axis) + str(" taps of output ", o) + str(" read outside the input (first ", f)
                                  + str(", count ", c) + str(", size ", inSize) + ")");
        }
    }
}

void checkArguments(int w, int h, size_t step, int cropX, int cropY, int cropW, int cropH, const Taps* horizontal,
                    const Taps* vertical) {
    if (w < 1 || h < 1 || w > kMaxSide || h > kMaxSide) {
        throw InvalidArgument(str("source size out of range: ", w) + str(" x ", h));
    }
    if (step < static_cast<size_t>(w) * 3) {
        throw InvalidArgument(str("row step ", static_cast<long long>(step)) + str(" is shorter than a row of ", w)
                              + " RGB pixels");
    }
    if (cropW < 1 || cropH < 1 || cropW > kMaxSide || cropH > kMaxSide || cropX < 0 || cropY < 0) {
        throw InvalidArgument(str("crop window out of range: ", cropW) + str(" x ", cropH) + str(" at ", cropX)
                              + str(", ", cropY));
    }
    if (horizontal != nullptr) {
        if (horizontal->n != cropW) {
            throw InvalidArgument(str("horizontal taps for ", horizontal->n) + str(" outputs, the window is ", cropW));
        }
        checkTaps(*horizontal, w, "horizontal");
    } else if (static_cast<int64_t>(cropX) + cropW > w) {
        throw InvalidArgument("crop window outside the source's columns");
    }
    if (vertical != nullptr) {
        if (vertical->n != cropH) {
            throw InvalidArgument(str("vertical taps for ", vertical->n) + str(" outputs, the window is ", cropH));
        }
        checkTaps(*vertical, h, "vertical");
    } else if (static_cast<int64_t>(cropY) + cropH > h) {
        throw InvalidArgument("crop window outside the source's rows");
    }
}

void resizeCropNormalize(const uint8_t* src, int w, int h, size_t step, int cropX, int cropY, int cropW, int cropH,
                         const Taps* horizontal, const Taps* vertical, const float* lut, float* out) {
    (void)h;
    int rowFrom = cropY;
    int rowTo = cropY + cropH;
    if (vertical != nullptr) {
        rowFrom = std::numeric_limits<int>::max();
        rowTo = 0;
        for (int o = 0; o < vertical->n; o++) {
            rowFrom = std::min(rowFrom, vertical->first[o]);
            rowTo = std::max(rowTo, vertical->first[o] + vertical->count[o]);
        }
        if (rowTo <= rowFrom) {
            rowFrom = rowTo = 0;
        }
    }
    const int rows = rowTo - rowFrom;
    const int stride = cropW * 3;

    // horizontal pass: rows [rowFrom, rowTo) -> cropW columns, rounded to 8 bits like Pillow's intermediate image
    std::vector<uint8_t> tmp(static_cast<size_t>(rows) * stride);
    for (int y = 0; y < rows; y++) {
        const uint8_t* in = src + static_cast<size_t>(rowFrom + y) * step;
        uint8_t* dst = tmp.data() + static_cast<size_t>(y) * stride;
        if (horizontal == nullptr) {
            std::copy(in + static_cast<size_t>(cropX) * 3, in + static_cast<size_t>(cropX + cropW) * 3, dst);
        } else {
            horizontalRow(in, w, *horizontal, dst);
        }
    }

    const size_t plane = static_cast<size_t>(cropW) * cropH;
    const float* lr = lut;
    const float* lg = lut + 256;
    const float* lb = lut + 512;
    std::vector<uint8_t> row(stride);
    std::vector<int32_t> acc(stride);
    for (int y = 0; y < cropH; y++) {
        const uint8_t* line;
        if (vertical == nullptr) {
            line = tmp.data() + static_cast<size_t>(y) * stride;
        } else {
            // vertical pass, a whole output row at a time (taps outer, columns inner: vectorises)
            const int32_t* k = vertical->weights + static_cast<size_t>(y) * vertical->stride;
            const int n = vertical->count[y];
            std::fill(acc.begin(), acc.end(), 1 << (kPrecisionBits - 1));
            const uint8_t* base = tmp.data() + static_cast<size_t>(vertical->first[y] - rowFrom) * stride;
            for (int t = 0; t < n; t++, base += stride) {
                accumulate(acc.data(), base, k[t], stride);
            }
            for (int c = 0; c < stride; c++) {
                row[c] = clip8(acc[c]);
            }
            line = row.data();
        }
        float* oR = out + static_cast<size_t>(y) * cropW;
        float* oG = oR + plane;
        float* oB = oG + plane;
        for (int x = 0; x < cropW; x++) {
            oR[x] = lr[line[x * 3]];
            oG[x] = lg[line[x * 3 + 1]];
            oB[x] = lb[line[x * 3 + 2]];
        }
    }
}

}  // namespace lensimage
