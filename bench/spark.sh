#!/usr/bin/env bash
# The Spark pool builder (issue 11) in local mode on this machine, in one JVM:
#  1. embedding throughput of the job with 1 and 2 executor cores (local[1], local[2]) on the first PHOTOS grocery
#     train listings, and the scaling between them;
#  2. a synthetic build of LISTINGS listings through the job (--embeddings): clustered unit vectors of dimension DIM
#     generated on the executors as Parquet, then validated, de-duplicated, numbered, trained on a sample, encoded in
#     shards on the executors, merged with the ids checked and finished into a pool; its time.
#   bench/spark.sh [PHOTOS=800] [LISTINGS=10000000] [DIM=80]      (0 skips a part)
# Work (Parquet, pools) goes to target/bench-spark (LENS_BENCH_DIR); the synthetic Parquet is reused when there.
# The driver heap is LENS_BENCH_HEAP (default 16g); disk and heap a 10M run needs:
# docs/benchmarks.md#what-the-benches-cost-to-run. Prints a summary at the end.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bin/setup
photos="${1:-800}"
listings="${2:-10000000}"
dim="${3:-80}"
work="${LENS_BENCH_DIR:-target/bench-spark}"
./mvnw -B -q ${LENS_BENCH_MVN_OPTS:-} -pl core install -DskipTests >&2
./mvnw -B -q ${LENS_BENCH_MVN_OPTS:-} -pl spark test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test >&2
cp="spark/target/classes:spark/target/test-classes:$(cat spark/target/test-classpath.txt)"
"$JAVA_HOME/bin/java" -Xmx"${LENS_BENCH_HEAP:-16g}" \
  @spark/jvm.options -Dlens.shared-dir="${LENS_SHARED_DIR:-../shared}" \
  -cp "$cp" com.listinglens.spark.SparkBench "$work" "$photos" "$listings" "$dim"
