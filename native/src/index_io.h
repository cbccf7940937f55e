// Listing Lens: reading and writing index files safely.
#pragma once

#include <faiss/Index.h>

#include <memory>
#include <string>

namespace lens {

// Reads an index file: bounded pre-parse (index_format.h), FAISS read through
// a reader that cannot run past the validated size, structural check of the
// result (index_check.h), then finishLoading(). memoryMap maps IVF inverted
// lists read-only (IO_FLAG_MMAP | IO_FLAG_READ_ONLY).
// Throws InvalidArgument (cannot open / not a regular file), CorruptIndex,
// IoError.
std::unique_ptr<faiss::Index> loadIndex(const std::string& path, bool memoryMap);

// Writes `index` to `path` (created or truncated), flushes it to disk and
// re-validates the written file. Throws IoError, Unsupported.
void saveIndex(const faiss::Index* index, const std::string& path);

} // namespace lens
