// Listing Lens: JNI binding to FAISS - shared declarations.
//
// Error types thrown inside the native library. Every JNI entry point
// catches them (and everything else) and turns them into Java exceptions;
// see jni_support.h.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace lens {

// Limits. The Java class validates the same limits before calling in; these
// are the second line of defence and the bounds used when checking files.
constexpr int kMaxDimension = 65536;
constexpr int64_t kMaxCount = INT32_MAX;   // vectors per index
constexpr int kMaxK = 100000;              // Java uses a smaller limit
constexpr int kMaxNprobe = 1 << 20;
constexpr int kMaxEfSearch = 1 << 20;
constexpr int kMaxEfConstruction = 1 << 16;
constexpr uint64_t kMaxNlist = 1u << 20;    // inverted lists
constexpr int kMaxHnswLevels = 64;
constexpr int kMaxHnswNeighborsPerLevel = 4096;
constexpr int kMaxTransforms = 8;
// largest |component| of a vector: squared distances and dot products of kMaxDimension components stay finite in
// float (FAISS's k-means asserts on an infinite distance and aborts the process); Java: FaissIndex.MAX_COMPONENT
constexpr float kMaxComponent = 1e15f;
constexpr int kMaxPqBits = 16;
constexpr int kMaxThreads = 4096;

// A caller passed an invalid argument (-> IllegalArgumentException).
struct InvalidArgument : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

// The object is not in a state that allows the call (-> IllegalStateException).
struct IllegalState : std::logic_error {
    using std::logic_error::logic_error;
};

// An index file, or the structure read from it, is malformed
// (-> VectorIndexException "corrupt index").
struct CorruptIndex : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The request is valid but FAISS / this binding cannot do it
// (-> VectorIndexException).
struct Unsupported : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// An I/O operation failed (-> VectorIndexException).
struct IoError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// printf-style formatting into a std::string.
std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// "IxF2" style rendering of a FAISS fourcc, with non-printable bytes escaped.
std::string fourccName(uint32_t h);

constexpr uint32_t fourcc(const char s[5]) {
    return uint32_t(uint8_t(s[0])) | uint32_t(uint8_t(s[1])) << 8 |
            uint32_t(uint8_t(s[2])) << 16 | uint32_t(uint8_t(s[3])) << 24;
}

/** Where an index sits in a composite index (for the file pre-parser and the structure checker). */
enum class Role { Top, IdMapSub, PreTransformSub, IvfQuantizer, HnswFlatStorage, HnswSqStorage };

/** A name of a role for error messages. */
const char* roleName(Role r);

} // namespace lens
