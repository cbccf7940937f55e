#!/usr/bin/env bash
# Single-photo latency, p50/p99 per stage (decode, embed, search, aggregate) over >= 200 requests, for a
# 1024-px and a 4000 x 3000 JPEG made by the bench. Uses a service already on LENS_BENCH_URL, else starts
# one (bin/serve) on port 8089 and stops it afterwards.
#   bench/latency.sh [REQUESTS] [WARMUP]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bin/setup
url="${LENS_BENCH_URL:-http://localhost:8089}"
. bench/service.sh
bench_service "$url"
"$JAVA_HOME/bin/java" bench/LatencyBench.java "$url" "${LENS_SHARED_DIR:-../shared}/datasets/grocery/val/Fruit/Banana/Banana_001.jpg" "${1:-200}" "${2:-20}"
