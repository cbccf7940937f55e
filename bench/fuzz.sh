#!/usr/bin/env bash
# Long coverage-guided fuzz runs (Jazzer 0.30, libFuzzer) of the decode path and of the JNI edge of the FAISS
# binding; the test suite's FuzzTest runs the same targets for 30,000 executions each.
#   bench/fuzz.sh [RUNS=1000000] [MAX_SECONDS=7200] [TARGET...]     targets: decode native (default: both)
# Corpora grow in target/fuzz/corpus-*/ (kept between runs), logs in target/fuzz/*.log, findings (crash inputs
# and Java reproducers) in target/fuzz/findings/. Prints libFuzzer's progress and a summary line per target;
# exits non-zero if any target found something.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bin/setup
runs="${1:-1000000}"
seconds="${2:-7200}"
targets=("${@:3}")
[ ${#targets[@]} -gt 0 ] || targets=(decode native)
. bench/classpath.sh
status=0
for t in "${targets[@]}"; do
  case "$t" in
    decode) class=com.listinglens.fuzz.DecodeFuzz; seeds=(test-images core/src/test/fuzz/DecodeFuzz) ;;
    native) class=com.listinglens.fuzz.NativeIndexFuzz; seeds=(core/src/test/fuzz/NativeIndexFuzz) ;;
    *) echo "unknown target '$t' (decode, native)" >&2; exit 2 ;;
  esac
  "$JAVA_HOME/bin/java" @bench/jvm.options ${LENS_JAVA_OPTS:-} -Dlens.shared-dir="${LENS_SHARED_DIR:-../shared}" -cp "$cp" \
    com.listinglens.bench.fuzz.FuzzRun "$class" "$runs" "$seconds" "target/fuzz/corpus-$t" "${seeds[@]}" || status=1
done
exit $status
