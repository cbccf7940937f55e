#!/usr/bin/env bash
# Issue 25's one-view bars in one run, side by side: the service with one 224 view (lens.image.scales=224, a pool
# built for it in its own store under target/bench/one-view/, the inference path measured at start as in production)
# against the plain Python peer (bench/peer.sh: one 224 view, int8 on QNNPACK, FAISS flat), with the same client and
# the same 1024-px JPEGs (new bytes per request, so no cache hits).
#   1. the CPU's flags;
#   2. the raw model at 224 on every path (ModelThroughput), before anything else runs;
#   3. the service (bin/serve with the one-view environment; builds the one-view pool on first use) at concurrency 1
#      and 8 (closed loop, capacity), then the open loop (Poisson arrivals) at 50/70/90 % of that capacity;
#   4. the peer at concurrency 1 and 8;
#   5. a summary: service capacity / peer capacity (bar >= 4), concurrency 1 p99 (bar <= 40 ms), open loop at 70 %
#      p99 (bar <= 80 ms) and its 503s (bar 0), service capacity / raw throughput of the path it chose.
# Outputs: target/bench/one-view/*.txt.
#   bench/one-view.sh [SECONDS=30] [WARMUP=30]
# Environment: anything bin/serve reads (LENS_MODEL_INT8_RR_PATH, LENS_MODEL_PATH, ...); the one-view keys below are
# set here.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bin/setup >/dev/null
secs="${1:-30}"; warm="${2:-30}"
photo="${LENS_SHARED_DIR:-../shared}/datasets/grocery/val/Fruit/Banana/Banana_001.jpg"
out=target/bench/one-view
mkdir -p "$out"
cpu="cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(nproc) cores; flags: $(grep -m1 '^flags' /proc/cpuinfo | grep -o -w -E 'avx2|avx512f|avx512_vnni|avx_vnni|amx_int8' | sort -u | xargs)"
echo "$cpu" | tee "$out/cpu.txt"
export LENS_IMAGE_SCALES=224 LENS_STORAGE_DIRECTORY="$PWD/$out/store" LENS_STORAGE_CACHE_DIR="$PWD/$out/cache"

echo "one-view: the raw model at 224 on every path" >&2
. models/int8-rr-env.sh   # the 7-bit int8 variant, as bin/serve gives it to the service: its paths are timed too
. bench/classpath.sh
"$JAVA_HOME/bin/java" @bench/jvm.options ${LENS_JAVA_OPTS:-} -cp "$cp" \
  com.listinglens.bench.ModelThroughput "$photo" "${LENS_BENCH_RAW_SECONDS:-10}" | tee "$out/raw.txt"

url=http://localhost:8086
echo "one-view: the service (one 224 view, its own pool) on $url" >&2
. bench/service.sh
bench_service "$url"
mgmt=$(bench_management "$url")
status=$(curl -sf "$mgmt/v1/status")
path=$(echo "$status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["model"]["path"])')
echo "$status" | python3 -c 'import json,sys; m=json.load(sys.stdin)["model"]; print("service: inference path %s (%s); views %s" % (m["path"], m.get("pathReason"), m.get("views")))' \
  | tee "$out/service-path.txt"
"$JAVA_HOME/bin/java" bench/ThroughputBench.java "$url" "$photo" 1 "$secs" "$warm" | tee "$out/service-c1.txt"
"$JAVA_HOME/bin/java" bench/ThroughputBench.java "$url" "$photo" 8 "$secs" 10 | tee "$out/service-c8.txt"
svc=$(sed -n 's/.* \([0-9.]*\) answers\/s.*/\1/p' "$out/service-c8.txt")
LENS_BENCH_URL="$url" CAPACITY="$svc" bench/open-loop.sh "$secs" 10 | tee "$out/service-open-loop.txt"
cp target/bench/open-loop-70.txt "$out/service-open-loop-70.txt"
if [ -n "${bench_service_pid:-}" ]; then kill "$bench_service_pid"; wait "$bench_service_pid" 2>/dev/null || true; bench_service_pid=; fi

echo "one-view: the Python peer" >&2
bench/peer.sh bash -c '"$JAVA_HOME/bin/java" bench/ThroughputBench.java "$LENS_BENCH_URL" "$0" 1 "$1" 5 | tee "$2/peer-c1.txt"
  "$JAVA_HOME/bin/java" bench/ThroughputBench.java "$LENS_BENCH_URL" "$0" 8 "$1" 5 | tee "$2/peer-c8.txt"' "$photo" "$secs" "$out"

peer=$(sed -n 's/.* \([0-9.]*\) answers\/s.*/\1/p' "$out/peer-c8.txt")
c1p99=$(sed -n 's/.* p99 \([0-9.]*\) ms.*/\1/p' "$out/service-c1.txt")
line=$(grep '^RESULT ' "$out/service-open-loop-70.txt" | sed 's/^RESULT //')
v() { echo "$line" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
rawpath=$(sed -n "s|^raw model $path: \([0-9.]*\) photos.*|\1|p" "$out/raw.txt")
{
  echo
  echo "summary (one 224 view; $cpu)"
  echo "  service path $path: capacity $svc answers/s; raw $path at 224: ${rawpath:-?} photos/s"
  echo "  peer capacity $peer answers/s"
  python3 - "$svc" "$peer" "$c1p99" "$(v p99)" "$(v s503)" "${rawpath:-0}" <<'EOF'
import sys
svc, peer, c1p99, ol99, ol503, raw = sys.argv[1:]
svc, peer, c1p99, ol99, raw = float(svc), float(peer), float(c1p99), float(ol99), float(raw)
def bar(ok): return "meets" if ok else "MISSES"
print(f"  service / peer capacity: {svc / peer:.2f}x (bar >= 4: {bar(svc / peer >= 4)})")
print(f"  concurrency 1 p99: {c1p99:.1f} ms (bar <= 40: {bar(c1p99 <= 40)})")
print(f"  open loop at 70 %: p99 {ol99:.1f} ms (bar <= 80: {bar(ol99 <= 80)}), 503s {ol503} (bar 0: {bar(ol503 == '0')})")
if raw > 0:
    print(f"  service capacity / raw throughput of its path: {svc / raw:.2f}")
EOF
} | tee "$out/summary.txt"
