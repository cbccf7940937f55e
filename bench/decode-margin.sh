#!/usr/bin/env bash
# Reduced-scale JPEG decoding: fidelity and time. Val photos upscaled to 1024 px and 4000 x 3000, embedded after a
# full decode and after DCT-reduced decodes with margins 2 and 1 (lens.image.reduced-decode-margin); prints the
# cosine to the full decode and the decode + preprocess time of each.
#   bench/decode-margin.sh [PHOTOS=60]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bin/setup >/dev/null
. bench/classpath.sh
exec "$JAVA_HOME/bin/java" @bench/jvm.options ${LENS_JAVA_OPTS:-} -cp "$cp" \
  com.listinglens.bench.DecodeMargin "${LENS_SHARED_DIR:-../shared}/datasets/grocery/val.jsonl" "${1:-60}"
