#!/usr/bin/env bash
# Single-photo latency, p50/p99 per stage (decode, embed, search, aggregate) over >= 200 requests, for a
# 1024-px and a 4000 x 3000 JPEG made by the bench. Uses a service already on LENS_BENCH_URL, else starts
# one (bin/serve) on port 8089 and stops it afterwards.
#   bench/latency.sh [REQUESTS] [WARMUP]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bin/setup
url="${LENS_BENCH_URL:-http://localhost:8089}"
started=""
if ! curl -sf "$url/q/health/ready" >/dev/null 2>&1; then
  port="${url##*:}"
  echo "bench: starting the service on port $port" >&2
  LENS_HTTP_PORT="$port" bin/serve > target/bench-service.log 2>&1 &
  started=$!
  trap 'kill $started 2>/dev/null; wait $started 2>/dev/null || true' EXIT
  for _ in $(seq 1 600); do curl -sf "$url/q/health/ready" >/dev/null 2>&1 && break; sleep 1; done
  curl -sf "$url/q/health/ready" >/dev/null || { echo "bench: service did not become ready; see target/bench-service.log" >&2; exit 1; }
fi
"$JAVA_HOME/bin/java" bench/LatencyBench.java "$url" "${LENS_SHARED_DIR:-../shared}/datasets/grocery/val/Fruit/Banana/Banana_001.jpg" "${1:-200}" "${2:-20}"
