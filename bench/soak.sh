#!/usr/bin/env bash
# Soak: the service under closed-loop load at fixed concurrency for SECONDS after WARMUP (new 1024-px JPEG bytes each
# request, no cache hits), sampled every 10 s: answers/s, p50/p99, errors, resident memory of the service.
# Writes target/bench/soak.csv and target/bench/soak.png and prints a summary (errors; RSS growth after warm-up).
# Uses a service already on LENS_BENCH_URL (then LENS_BENCH_PID must name its process), else starts one (bin/serve)
# on port 8089.
#   bench/soak.sh [CONCURRENCY=8] [SECONDS=600] [WARMUP=60]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bin/setup >/dev/null
conc="${1:-8}"; secs="${2:-600}"; warm="${3:-60}"
photo="${LENS_SHARED_DIR:-../shared}/datasets/grocery/val/Fruit/Banana/Banana_001.jpg"
url="${LENS_BENCH_URL:-http://localhost:8089}"
. bench/service.sh
bench_service "$url"
pid="${LENS_BENCH_PID:-${bench_service_pid:-}}"
[ -n "$pid" ] || { echo "soak: the service on $url was already running: set LENS_BENCH_PID to its process id" >&2; exit 2; }
mkdir -p target/bench
"$JAVA_HOME/bin/java" bench/SoakBench.java "$url" "$photo" "$conc" "$secs" "$warm" "$pid" \
  target/bench/soak.csv target/bench/soak.png 10 | tee target/bench/soak.txt
