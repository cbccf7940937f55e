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
# the Spark bench module (bench/spark/pom.xml: SparkBench, with the job and Spark itself) and its runtime classpath;
# the JVM options are the job's own (spark/jvm.options: Spark's flags, the project's, spark/log4j2.properties), as
# bin/spark-pool runs it: Spark logs through log4j2, not the JBoss log manager of bench/jvm.options
./mvnw -B -q ${LENS_BENCH_MVN_OPTS:-} -pl bench/spark -am package -DskipTests >&2
cp="bench/spark/target/classes:$(cat bench/spark/target/classpath.txt)"
"$JAVA_HOME/bin/java" -Xmx"${LENS_BENCH_HEAP:-16g}" \
  @spark/jvm.options ${LENS_JAVA_OPTS:-} -Dlens.shared-dir="${LENS_SHARED_DIR:-../shared}" \
  -cp "$cp" com.listinglens.spark.SparkBench "$work" "$photos" "$listings" "$dim"
