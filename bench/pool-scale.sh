#!/usr/bin/env bash
# Pool scale (issue 10): synthetic catalogs with the neighbourhood structure of real embeddings (the grocery pool's
# projected embeddings, spread along real within-category directions), pooled through the streaming builder at each
# size and measured: build time and rate, bytes on disk, load time, resident memory (heap and native), search p50/p99
# at 1 and 2 threads and recall@10 against exact search (1,000 queries), suggestion agreement with exact search on the
# val uploads, and the JNI overhead against a C++ loop over the same index (native/bench/search_bench.cpp).
#   bench/pool-scale.sh [SIZES] [QUERIES] [NPROBES]      e.g. bench/pool-scale.sh 1000000,10000000,50000000 1000 8,16,32
# Sets, pools and results.json go to target/bench-pools/scale (LENS_BENCH_DIR); sets and pools are reused when there.
# Disk and time a 50M run needs: docs/benchmarks.md#what-the-benches-cost-to-run
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bin/setup
sizes="${1:-1000000,10000000,50000000}"
queries="${2:-1000}"
nprobes="${3:-8,16,32,64}"
work="${LENS_BENCH_DIR:-target/bench-pools/scale}"
mkdir -p "$work"
base=target/bench-pools/grocery
val=target/bench-pools/val-embeddings
shared="${LENS_SHARED_DIR:-../shared}"
# the real pool the synthetic listings are spread from, and the val uploads' embeddings (the queries)
bin/lens build-pool --out "$base" --if-missing --no-live
if [ ! -f "$val/embeddings.json" ]; then
  bin/lens embed --catalog "$shared/datasets/grocery/val.jsonl" --out "$val"
fi
. bench/classpath.sh
cmake --build core/target/native-build --target lens_search_bench --parallel 2 >/dev/null
"$JAVA_HOME/bin/java" @bench/jvm.options -Xmx6g ${LENS_JAVA_OPTS:-} -cp "$cp" \
  com.listinglens.bench.PoolScaleBench "$base" "$val" "$work" "$sizes" "$queries" core/target/native-build/bench/lens_search_bench "$nprobes"
