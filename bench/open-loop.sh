#!/usr/bin/env bash
# Open-loop latency at fixed arrival rates (issue 25): first the capacity, measured with the closed loop
# (ThroughputBench at concurrency 8 for SECONDS after LENS_BENCH_CAPACITY_WARMUP seconds unmeasured; or CAPACITY from
# the environment, answers/s), then OpenLoopBench (Poisson arrivals, latency from each request's scheduled send, new
# 1024-px JPEG bytes per request) at 50 %, 70 % and 90 % of it (FRACTIONS), SECONDS each after WARMUP seconds at the
# same rate. Prints the CPU's flags first and a table at the end; the runs' outputs go to target/bench/open-loop-*.txt.
# Uses a service already on LENS_BENCH_URL (the Java service, or the Python peer: bench/peer.sh bench/open-loop.sh),
# else starts one (bin/serve) on port 8089 as throughput.sh does, and stops it afterwards.
#   bench/open-loop.sh [SECONDS=60] [WARMUP=10] [FRACTIONS=50,70,90]
#   CAPACITY=30 bench/open-loop.sh 30                                  (skips the closed-loop measurement)
#   LENS_BENCH_CAPACITY_WARMUP=5 bench/peer.sh bench/open-loop.sh 30   (the peer: no JIT to warm)
# Environment: LENS_BENCH_CAPACITY_WARMUP (60: the Java service's JIT, see throughput.sh), LENS_BENCH_CONNECTIONS
# (the open loop's connection cap, 128), LENS_BENCH_SEED (1).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bin/setup >/dev/null
secs="${1:-60}"; warm="${2:-10}"; fractions="${3:-50,70,90}"
photo="${LENS_SHARED_DIR:-../shared}/datasets/grocery/val/Fruit/Banana/Banana_001.jpg"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores"
grep -m1 flags /proc/cpuinfo
url="${LENS_BENCH_URL:-http://localhost:8089}"
. bench/service.sh
bench_service "$url"
mkdir -p target/bench
if [ -z "${CAPACITY:-}" ]; then
  "$JAVA_HOME/bin/java" bench/ThroughputBench.java "$url" "$photo" 8 "$secs" "${LENS_BENCH_CAPACITY_WARMUP:-60}" \
    | tee target/bench/open-loop-capacity.txt
  CAPACITY=$(sed -n 's/.* \([0-9.]*\) answers\/s.*/\1/p' target/bench/open-loop-capacity.txt)
  source="closed loop, concurrency 8"
else
  source="from CAPACITY"
fi
echo "capacity: $CAPACITY answers/s ($source) on $url"
for f in ${fractions//,/ }; do
  rate=$(awk -v c="$CAPACITY" -v f="$f" 'BEGIN { printf "%.2f", c * f / 100 }')
  echo "open loop at $f % of capacity: $rate requests/s"
  "$JAVA_HOME/bin/java" bench/OpenLoopBench.java "$url" "$photo" "$rate" "$secs" "$warm" "${LENS_BENCH_CONNECTIONS:-128}" \
    - 30 "${LENS_BENCH_SEED:-1}" | tee "target/bench/open-loop-$f.txt"
done
echo
echo "open loop on $url, capacity $CAPACITY answers/s ($source), $secs s per rate after $warm s; latency from the scheduled send (200 answers), ms"
printf '%5s %8s %8s %8s %8s %8s %8s %8s %6s %6s %6s %6s %6s %6s %6s %6s\n' load rate offered achieved p50 p90 p99 max 200 503 RA other errors unansw late conns
for f in ${fractions//,/ }; do
  line=$(grep '^RESULT ' "target/bench/open-loop-$f.txt" | sed 's/^RESULT //')
  v() { echo "$line" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
  printf '%4s%% %8s %8s %8s %8s %8s %8s %8s %6s %6s %6s %6s %6s %6s %6s %6s\n' "$f" "$(v rate)" "$(v offered)" "$(v achieved)" \
    "$(v p50)" "$(v p90)" "$(v p99)" "$(v max)" "$(v ok)" "$(v s503)" "$(v retry_after)" "$(v other)" "$(v errors)" \
    "$(v unanswered)" "$(v late)" "$(v connections)"
done
