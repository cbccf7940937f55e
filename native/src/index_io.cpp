// Listing Lens: reading and writing index files safely (see index_io.h).
#include "index_io.h"

#include "index_check.h"
#include "index_format.h"
#include "lens_common.h"

#include <faiss/impl/FaissException.h>
#include <faiss/impl/io.h>
#include <faiss/index_io.h>

#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace lens {
namespace {

struct FileCloser {
    FILE* f;
    ~FileCloser() {
        if (f != nullptr) {
            std::fclose(f);
        }
    }
};

// FAISS reader that can never read past the size the file had when we
// validated it. It is a FileIOReader so that FAISS's mmap hook (which needs
// the FILE*) still works.
struct BoundedFileReader : faiss::FileIOReader {
    uint64_t size;
    BoundedFileReader(FILE* f, uint64_t size, const std::string& name)
            : faiss::FileIOReader(f), size(size) {
        this->name = name;
    }
    size_t operator()(void* ptr, size_t itemSize, size_t nitems) override {
        if (itemSize == 0 || nitems == 0) {
            return 0;
        }
        off_t pos = ftello(f);
        uint64_t bytes = 0;
        if (pos < 0 || uint64_t(pos) > size ||
            __builtin_mul_overflow(uint64_t(itemSize), uint64_t(nitems), &bytes) ||
            bytes > size - uint64_t(pos)) {
            throw CorruptIndex(format(
                    "%s: read of %zu x %zu bytes at offset %lld runs past the end "
                    "of the file (%llu bytes)",
                    name.c_str(),
                    nitems,
                    itemSize,
                    (long long)pos,
                    (unsigned long long)size));
        }
        return std::fread(ptr, itemSize, nitems, f);
    }
};

uint64_t regularFileSize(FILE* f, const std::string& path) {
    struct stat st;
    if (fstat(fileno(f), &st) != 0) {
        throw IoError(format("cannot stat %s: %s", path.c_str(), std::strerror(errno)));
    }
    if (!S_ISREG(st.st_mode)) {
        throw InvalidArgument(format("%s is not a regular file", path.c_str()));
    }
    return uint64_t(st.st_size);
}

} // namespace

std::unique_ptr<faiss::Index> loadIndex(const std::string& path, bool memoryMap) {
    FILE* f = std::fopen(path.c_str(), "rbe");
    if (f == nullptr) {
        throw InvalidArgument(format("cannot open index file %s: %s", path.c_str(),
                                     std::strerror(errno)));
    }
    FileCloser closer{f};
    const uint64_t size = regularFileSize(f, path);

    // 1. structural pre-check: nothing below allocates more than the file holds
    validateIndexFile(f, size, path);
    if (fseeko(f, 0, SEEK_SET) != 0) {
        throw IoError(format("cannot rewind %s: %s", path.c_str(), std::strerror(errno)));
    }

    // 2. FAISS reads it, through a reader that cannot run past the end
    int flags = faiss::IO_FLAG_SKIP_PRECOMPUTE_TABLE;
    if (memoryMap) {
        flags |= faiss::IO_FLAG_MMAP | faiss::IO_FLAG_READ_ONLY;
    }
    BoundedFileReader reader(f, size, path);
    std::unique_ptr<faiss::Index> index;
    try {
        index.reset(faiss::read_index(&reader, flags));
    } catch (const faiss::FaissException& e) {
        throw CorruptIndex(format("FAISS could not read %s: %s", path.c_str(), e.what()));
    }
    if (!index) {
        throw CorruptIndex(path + ": FAISS returned no index");
    }

    // 3. the loaded structure must be sound before anything searches it
    checkIndex(index.get(), CheckMode::Loaded);
    finishLoading(index.get());
    return index;
}

void saveIndex(const faiss::Index* index, const std::string& path) {
    {
        FILE* f = std::fopen(path.c_str(), "wbe");
        if (f == nullptr) {
            throw IoError(format("cannot create %s: %s", path.c_str(), std::strerror(errno)));
        }
        FileCloser closer{f};
        {
            faiss::FileIOWriter writer(f);
            writer.name = path;
            faiss::write_index(index, &writer);
        }
        if (std::fflush(f) != 0 || fsync(fileno(f)) != 0) {
            throw IoError(format("cannot flush %s: %s", path.c_str(), std::strerror(errno)));
        }
        closer.f = nullptr;
        if (std::fclose(f) != 0) {
            throw IoError(format("cannot close %s: %s", path.c_str(), std::strerror(errno)));
        }
    }
    // What we wrote must be readable by loadIndex(); catch disagreements now.
    FILE* r = std::fopen(path.c_str(), "rbe");
    if (r == nullptr) {
        throw IoError(format("cannot re-open %s: %s", path.c_str(), std::strerror(errno)));
    }
    FileCloser closer{r};
    try {
        validateIndexFile(r, regularFileSize(r, path), path);
    } catch (const CorruptIndex& e) {
        throw Unsupported(std::string("internal error: the written index does not pass "
                                      "validation: ") + e.what());
    }
}

} // namespace lens
