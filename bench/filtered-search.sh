#!/usr/bin/env bash
# Filtered image search on a large synthetic pool (default 1,000,000 listings, dimension 1280): filters keeping
# 100 %, 10 %, 1 % and 0.1 % of the pool, k = 10, latency percentiles per filter and index factory, side by side.
# Pools are built once under target/bench-pools (several minutes and a few GB each) and reused.
#   bench/filtered-search.sh [LISTINGS] [QUERIES] [FACTORY ...]      e.g. bench/filtered-search.sh 1000000 200 IDMap,SQ8 IVF1024,SQ8
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bin/setup
. bench/classpath.sh
"$JAVA_HOME/bin/java" @bench/jvm.options -Xmx6g ${LENS_JAVA_OPTS:-} -cp "$cp" \
  com.listinglens.bench.FilteredSearchBench "${1:-1000000}" "${2:-200}" "${@:3}"
