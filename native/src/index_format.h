// Listing Lens: structural pre-check of FAISS 1.7.3 index files.
//
// FAISS's own reader trusts the file: a corrupted length field makes it
// allocate (and zero) up to 2^40 elements before noticing the file is too
// short, a zero sub-quantizer count divides by zero, an odd "sparse" list
// table is read past its end, and so on. Before FAISS sees a file we walk it
// with this bounded parser, which mirrors faiss/impl/index_read.cpp (1.7.3)
// for the index types this binding supports and checks every count against
// the bytes that remain, every divisor, every enum and every cross-field
// invariant that FAISS's reader relies on. Bulk payloads (vectors, codes,
// graph links) are skipped here; their contents are checked after loading
// (index_check.h).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace lens {

// Throws CorruptIndex describing the first problem found. `f` must be
// positioned at the start of the index; on return its position is
// unspecified. `size` is the file size in bytes.
void validateIndexFile(FILE* f, uint64_t size, const std::string& name);

// True if `h` is a fourcc this binding accepts as the first 4 bytes of a file.
bool isSupportedTopLevelFourcc(uint32_t h);

} // namespace lens
