// Listing Lens: shared helpers.
#include "lens_common.h"

#include <cstdarg>
#include <cstdio>

namespace lens {

std::string format(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    va_list copy;
    va_copy(copy, args);
    int n = std::vsnprintf(nullptr, 0, fmt, copy);
    va_end(copy);
    std::string out;
    if (n > 0) {
        out.resize(size_t(n) + 1);
        std::vsnprintf(&out[0], out.size(), fmt, args);
        out.resize(size_t(n));
    }
    va_end(args);
    return out;
}

std::string fourccName(uint32_t h) {
    std::string s;
    for (int i = 0; i < 4; i++) {
        unsigned char c = (unsigned char)((h >> (8 * i)) & 0xff);
        if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
            s += char(c);
        } else {
            s += format("\\x%02x", c);
        }
    }
    return s;
}

const char* roleName(Role r) {
    switch (r) {
        case Role::Top:
            return "top-level index";
        case Role::IdMapSub:
            return "index inside IDMap";
        case Role::PreTransformSub:
            return "index inside a pre-transform";
        case Role::IvfQuantizer:
            return "IVF coarse quantizer";
        case Role::HnswFlatStorage:
            return "HNSW flat storage";
        case Role::HnswSqStorage:
            return "HNSW SQ storage";
    }
    return "?";
}

} // namespace lens
