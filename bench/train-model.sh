#!/usr/bin/env bash
# The full catalog training run (bin/lens train-model, docs/training.md) and everything it is judged by, side by side
# in one run on one machine:
#   1. train-model with its defaults on the train catalog (never val): fp32, QAT int8 (7-bit), fp16, check-model;
#   2. pools of the stock model (two views 224+320, as bin/serve builds) and of the trained model (its one view), each
#      with its LDA projection and confidence maps fitted on val;
#   3. bin/lens evaluate on val for both (int8 queries on the engine auto picks, and fp32), with --cross-fit 50 (the
#      calibration error out of sample), the trained run drawn beside the stock one (--compare: accuracy against
#      coverage, reliability diagrams, most confused categories);
#   4. the trained model's int8 against its fp32 on every quantized engine libtorch offers here: check-model (cosine,
#      neighbour overlap) and leaf accuracy;
#   5. raw model throughput (bench ModelThroughput) of the stock model at its two views and the trained one at its one.
# Takes about 90 minutes on 2 cores. The CPU's flags are printed first.
#   bench/train-model.sh [OUT=target/models/trained] [--skip-training]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bin/setup >/dev/null
out="${1:-target/models/trained}"
skip="${2:-}"
shared="${LENS_SHARED_DIR:-../shared}"
val="$shared/datasets/grocery/val.jsonl"
mkdir -p target/train-bench
log=target/train-bench
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(nproc) cores; flags: $(grep -m1 '^flags' /proc/cpuinfo | grep -o -w -E 'avx2|avx512f|avx512_vnni|avx_vnni|amx_int8' | sort -u | xargs)" | tee $log/cpu.txt

if [ "$skip" != "--skip-training" ]; then
  echo "== 1. train-model" >&2
  start=$(date +%s)
  bin/lens train-model --out "$out" | tee $log/train.txt
  echo "training wall time: $(( ($(date +%s) - start) / 60 )) min" | tee -a $log/train.txt
fi
report="$out/training.json"
field() { python3 -c "import json,sys; print(json.load(open('$report'))$1)"; }
name=$(field "['name']"); space=$(field "['space']"); view=$(field "['views'][0]")
trained() {
  env LENS_MODEL_NAME="$name" LENS_MODEL_SPACE="$space" LENS_MODEL_VIEWS="$view" \
  LENS_MODEL_FP32_PATH="$out/${name}_fp32.pt" LENS_MODEL_INT8_PATH="$out/${name}_int8.pt" \
  LENS_MODEL_FP16_PATH="$out/${name}_fp16.pt" "$@"
}

echo "== 2. pools" >&2
bin/lens build-pool --out target/train-bench/pool-stock --replace 2>&1 | tail -n 3
trained bin/lens build-pool --out target/train-bench/pool-trained --replace 2>&1 | tail -n 3

echo "== 3. evaluation on val" >&2
for p in int8 fp32; do
  bin/lens evaluate --catalog "$val" --pool target/train-bench/pool-stock --precision $p --cross-fit 50 \
    --label stock-$p --results $log/stock-$p.json --plot $log/stock-$p.png | tee $log/eval-stock-$p.txt
  # the trained model's run, with the stock run beside it in the figures and the table
  trained bin/lens evaluate --catalog "$val" --pool target/train-bench/pool-trained --precision $p --cross-fit 50 \
    --label trained-$p --results $log/trained-$p.json --compare $log/stock-$p.json --plot $log/trained-vs-stock-$p.png \
    | tee $log/eval-trained-$p.txt
done

echo "== 4. the trained int8 against its fp32, per quantized engine" >&2
for e in fbgemm qnnpack onednn x86; do
  if ! trained LENS_MODEL_QUANTIZED_ENGINE=$e bin/lens check-model --views "$view" > $log/check-$e.txt 2>&1; then
    echo "engine $e: $(tail -n 1 $log/check-$e.txt)"
    continue
  fi
  echo "engine $e: $(grep -E 'cosine|overlap' $log/check-$e.txt | tr '\n' ' ')"
  trained LENS_MODEL_QUANTIZED_ENGINE=$e bin/lens evaluate --catalog "$val" --pool target/train-bench/pool-trained \
    --precision int8 --label trained-int8-$e --results $log/trained-int8-$e.json --plot $log/trained-int8-$e.png \
    > $log/eval-trained-int8-$e.txt 2>/dev/null
  echo "engine $e: $(grep -i -E '^category leaf|^category\.leaf|leaf' $log/eval-trained-int8-$e.txt | head -n 1)"
done

echo "== 5. raw model throughput" >&2
. bench/classpath.sh
photo="$shared/datasets/grocery/val/Fruit/Banana/Banana_001.jpg"
run_raw() { "$JAVA_HOME/bin/java" @bench/jvm.options ${LENS_JAVA_OPTS:-} -cp "$cp" com.listinglens.bench.ModelThroughput "$photo" 20; }
run_raw | tee $log/raw-stock.txt
trained run_raw | tee $log/raw-trained.txt

echo "== summary" >&2
cat $log/cpu.txt
grep -E 'fine-tuning|stopped|space' $log/train.txt 2>/dev/null || true
for f in stock-int8 trained-int8 stock-fp32 trained-fp32; do
  echo "-- $f"; sed -n '/^field /,$p' $log/eval-$f.txt | grep -v '^accuracy against' || true
done
grep -h 'raw model' $log/raw-stock.txt | sed 's/^/stock (views 224+320): /'
grep -h 'raw model' $log/raw-trained.txt | sed "s/^/trained (view $view): /"
