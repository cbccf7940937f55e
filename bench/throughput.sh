#!/usr/bin/env bash
# Throughput side by side in one run: the raw model on every inference path (fp32, int8 as configured, int8 on each
# quantized engine; the configured views, batches of lens.model.batching.max-batch, one thread per predictor, photos
# preprocessed beforehand), decode + preprocess of a 4000 x 3000 JPEG, then the service at concurrency 1 and
# CONCURRENCY with new 1024-px JPEGs (no cache hits), and the ratio service / raw model of the path the service chose
# (GET /v1/status on the management port: model.path). With LENS_BENCH_BASELINE=1 the service is then run again with
# lens.model.path=configured (lens.model.precision + quantized-engine, what it served before it measured paths) at
# CONCURRENCY, and the ratio of the two capacities is printed.
# Uses a service already on LENS_BENCH_URL, else starts one (bin/serve) on port 8089.
# Each service phase first loads the service for WARMUP seconds unmeasured: under load the JIT keeps compiling for a
# while (docs/benchmarks.md#throughput-and-micro-batching-2026-12-06); the figures are the steady state. The CPU's
# flags are printed first.
#   bench/throughput.sh [CONCURRENCY=8] [SECONDS=60] [RAW_SECONDS=20] [WARMUP=60]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bin/setup >/dev/null
conc="${1:-8}"; secs="${2:-60}"; raw="${3:-20}"; warm="${4:-60}"
photo="${LENS_SHARED_DIR:-../shared}/datasets/grocery/val/Fruit/Banana/Banana_001.jpg"
mkdir -p target
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(nproc) cores; flags: $(grep -m1 '^flags' /proc/cpuinfo | grep -o -w -E 'avx2|avx512f|avx512_vnni|avx_vnni|amx_int8' | sort -u | xargs)" | tee target/throughput-cpu.txt
. models/int8-rr-env.sh   # the 7-bit int8 variant, as bin/serve gives it to the service: its paths are timed too
. bench/classpath.sh
"$JAVA_HOME/bin/java" @bench/jvm.options ${LENS_JAVA_OPTS:-} -cp "$cp" \
  com.listinglens.bench.ModelThroughput "$photo" "$raw" | tee target/throughput-raw.txt
url="${LENS_BENCH_URL:-http://localhost:8089}"
. bench/service.sh
bench_service "$url"
mgmt=$(bench_management "$url")
status=$(curl -sf "$mgmt/v1/status")
path=$(echo "$status" | python3 -c 'import json,sys; m=json.load(sys.stdin)["model"]; print(m.get("path") or m["precision"])')
echo "service: inference path $path ($(echo "$status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["model"].get("pathReason"))'))"
"$JAVA_HOME/bin/java" bench/ThroughputBench.java "$url" "$photo" 1 "$secs" "$warm" | tee target/throughput-c1.txt
"$JAVA_HOME/bin/java" bench/ThroughputBench.java "$url" "$photo" "$conc" "$secs" "$warm" | tee target/throughput-c$conc.txt
rawof() { sed -n "s|^raw model $1: \([0-9.]*\) photos.*|\1|p" target/throughput-raw.txt; }
svc=$(sed -n 's/.* \([0-9.]*\) answers\/s.*/\1/p' target/throughput-c$conc.txt)
python3 -c "print(f'ratios: int8 (configured) / fp32 raw {float(\"$(rawof int8)\")/float(\"$(rawof fp32)\"):.2f}; service at concurrency $conc / raw $path {float(\"$svc\")/float(\"$(rawof "$path")\"):.2f}')"
if [ "${LENS_BENCH_BASELINE:-0}" = 1 ]; then
  if [ -n "${bench_service_pid:-}" ]; then kill "$bench_service_pid"; wait "$bench_service_pid" 2>/dev/null || true; fi
  base_url="http://localhost:8088"
  base_mgmt=$(LENS_BENCH_MANAGEMENT_URL= bench_management "$base_url")
  echo "baseline: the service with lens.model.path=configured on $base_url" >&2
  LENS_HTTP_PORT=8088 LENS_MANAGEMENT_PORT="${base_mgmt##*:}" LENS_MODEL_PATH=configured bin/serve > target/bench-service-baseline.log 2>&1 &
  base_pid=$!
  trap 'kill $base_pid 2>/dev/null; wait $base_pid 2>/dev/null || true' EXIT
  for _ in $(seq 1 600); do curl -sf "$base_mgmt/q/health/ready" >/dev/null 2>&1 && break; sleep 1; done
  base_path=$(curl -sf "$base_mgmt/v1/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["model"]["path"])')
  "$JAVA_HOME/bin/java" bench/ThroughputBench.java "$base_url" "$photo" "$conc" "$secs" "$warm" | tee target/throughput-baseline-c$conc.txt
  base=$(sed -n 's/.* \([0-9.]*\) answers\/s.*/\1/p' target/throughput-baseline-c$conc.txt)
  python3 -c "print(f'capacity at concurrency $conc: measured path $path {float(\"$svc\"):.1f} answers/s, configured path $base_path {float(\"$base\"):.1f} answers/s: {float(\"$svc\")/float(\"$base\"):.2f}x')"
fi
