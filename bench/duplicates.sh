#!/usr/bin/env bash
# Near-duplicate threshold calibration: edits every val photo (re-encode, resize, crop, brightness, flip, padding,
# a combination), compares each edit with its original, and each photo with its most similar *other* catalog photo,
# through the service's own decoder, preprocessing and model; prints per-edit and negative percentiles and the
# thresholds that separate them, per query/catalog precision (production: int8 uploads against an fp32 pool).
#   bench/duplicates.sh [--positives all] [--modes int8/fp32,int8/int8,fp32/fp32] [--limit N] [--out DIR] [--help]
# Data from ${LENS_SHARED_DIR:-../shared} (lens.shared-dir); CSVs and pair montages go to target/duplicates.
# How long it runs: docs/benchmarks.md#what-the-benches-cost-to-run
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bin/setup >/dev/null
. bench/classpath.sh
exec "$JAVA_HOME/bin/java" @bench/jvm.options ${LENS_JAVA_OPTS:-} -cp "$cp" \
  com.listinglens.bench.eval.DuplicateCalibration "$@"
