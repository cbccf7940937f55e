#!/usr/bin/env bash
# Throughput side by side in one run: the raw model (int8 and fp32, the configured views, batches of
# lens.model.batching.max-batch, one thread per predictor, photos preprocessed beforehand), decode + preprocess of a
# 4000 x 3000 JPEG, then the service at concurrency 1 and CONCURRENCY with new 1024-px JPEGs (no cache hits), and the
# ratio service / raw int8. Uses a service already on LENS_BENCH_URL, else starts one (bin/serve) on port 8089.
# Each service phase first loads the service for WARMUP seconds unmeasured: under load the JIT compiles for about a
# minute (compiler threads took 8.1 s of CPU in the first 30 s at concurrency 8, 2.8 s in the next 30, 2.0 in the
# third), CPU the service lacks while it does; the figures are the steady state.
#   bench/throughput.sh [CONCURRENCY=8] [SECONDS=60] [RAW_SECONDS=20] [WARMUP=60]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bin/setup >/dev/null
conc="${1:-8}"; secs="${2:-60}"; raw="${3:-20}"; warm="${4:-60}"
photo="${LENS_SHARED_DIR:-../shared}/datasets/grocery/val/Fruit/Banana/Banana_001.jpg"
. bench/classpath.sh
"$JAVA_HOME/bin/java" -Dai.djl.offline=true -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  --enable-native-access=ALL-UNNAMED ${LENS_JAVA_OPTS:-} -cp "$cp" \
  com.listinglens.bench.ModelThroughput "$photo" "$raw" | tee target/throughput-raw.txt
url="${LENS_BENCH_URL:-http://localhost:8089}"
. bench/service.sh
bench_service "$url"
"$JAVA_HOME/bin/java" bench/ThroughputBench.java "$url" "$photo" 1 "$secs" "$warm" | tee target/throughput-c1.txt
"$JAVA_HOME/bin/java" bench/ThroughputBench.java "$url" "$photo" "$conc" "$secs" "$warm" | tee target/throughput-c$conc.txt
rawint8=$(sed -n 's/^raw model int8: \([0-9.]*\) photos.*/\1/p' target/throughput-raw.txt)
rawfp32=$(sed -n 's/^raw model fp32: \([0-9.]*\) photos.*/\1/p' target/throughput-raw.txt)
svc=$(sed -n 's/.* \([0-9.]*\) answers\/s.*/\1/p' target/throughput-c$conc.txt)
python3 -c "print(f'ratios: int8 / fp32 raw {float(\"$rawint8\")/float(\"$rawfp32\"):.2f}; service at concurrency $conc / raw int8 {float(\"$svc\")/float(\"$rawint8\"):.2f}')"
