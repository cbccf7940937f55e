// Listing Lens: the JNI binding's search, timed from C++ alone, to measure what
// the JNI crossing adds (bench/pool-scale.sh runs it beside the Java loop).
//
//   lens_search_bench INDEX QUERIES.f32 DIMENSION K NPROBE THREADS
//
// Loads INDEX with the binding's own checked reader, then runs one search per
// query (batch of 1, as the service does) through the same lens::searchIndex
// the JNI entry point calls, and prints mean and percentile microseconds.
#include "../src/index_io.h"
#include "../src/search.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <vector>

int main(int argc, char** argv) {
    if (argc != 7) {
        std::fprintf(stderr, "usage: %s INDEX QUERIES.f32 DIMENSION K NPROBE THREADS\n", argv[0]);
        return 2;
    }
    const int d = std::atoi(argv[3]);
    const int k = std::atoi(argv[4]);
    const int nprobe = std::atoi(argv[5]);
    const int threads = std::atoi(argv[6]);
    if (d < 1 || k < 1 || nprobe < 0 || threads < 1) {
        std::fprintf(stderr, "dimension, k and threads must be >= 1, nprobe >= 0\n");
        return 2;
    }
    std::ifstream in(argv[2], std::ios::binary | std::ios::ate);
    if (!in) {
        std::fprintf(stderr, "cannot read %s\n", argv[2]);
        return 2;
    }
    const std::streamsize bytes = in.tellg();
    if (bytes <= 0 || bytes % (4 * d) != 0) {
        std::fprintf(stderr, "%s does not hold rows of %d floats\n", argv[2], d);
        return 2;
    }
    const int64_t n = bytes / (4 * d);
    std::vector<float> queries(n * d);
    in.seekg(0);
    in.read(reinterpret_cast<char*>(queries.data()), bytes);
    try {
        omp_set_num_threads(threads);
        auto index = lens::loadIndex(argv[1], false);
        if (index->d != d) {
            std::fprintf(stderr, "index has dimension %d, queries %d\n", static_cast<int>(index->d), d);
            return 2;
        }
        lens::SearchOptions options;
        options.nprobe = nprobe;
        std::vector<float> distances(k);
        std::vector<int64_t> labels(k);
        // warm-up: one full pass, so that the timed pass finds the index in memory and caches as a long-running
        // service (and the Java side's repeated rounds) does
        for (int64_t q = 0; q < n; q++) {
            lens::searchIndex(index.get(), 1, queries.data() + q * d, k, distances.data(), labels.data(), options);
        }
        std::vector<double> us(n);
        auto start = std::chrono::steady_clock::now();
        for (int64_t q = 0; q < n; q++) {
            auto t = std::chrono::steady_clock::now();
            lens::searchIndex(index.get(), 1, queries.data() + q * d, k, distances.data(), labels.data(), options);
            us[q] = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t).count();
        }
        double total = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
        std::sort(us.begin(), us.end());
        std::printf("queries=%lld mean_us=%.2f p50_us=%.2f p99_us=%.2f\n", static_cast<long long>(n), total / n, us[n / 2],
                    us[std::min<int64_t>(n - 1, (n * 99 + 99) / 100 - 1)]);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "search bench: %s\n", e.what());
        return 1;
    }
    return 0;
}
