#!/usr/bin/env bash
# Makes the shared MobileNetV2's int8 variant with 7-bit activations (models/quantize_int8.py, Debian's PyTorch 1.13)
# at OUT when it is not there yet, and prints OUT. That variant is exact on FBGEMM's AVX2 kernels, so on CPUs without
# AVX-512 VNNI (where the shared int8 model is exact only on QNNPACK, the slow engine there) the service can serve
# int8 fast; its start-up probe measures it beside the other paths (docs/every-cpu.md). Calibrated on 400 photos of
# the build catalogs (train + iconic, never val), seed 7: the same file on every machine up to float rounding. Takes
# about 4-8 minutes on 2 cores; progress on stderr.
#   models/int8-rr.sh [OUT=target/models/mobilenet_v2_embed_int8_rr.pt]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out="${1:-target/models/mobilenet_v2_embed_int8_rr.pt}"
shared="${LENS_SHARED_DIR:-../shared}"
if [ -f "$out" ]; then
  echo "$out"
  exit 0
fi
if ! /usr/bin/python3 -c 'import torch, PIL' 2>/dev/null; then
  echo "int8-rr: Debian's python3-torch and python3-pil are needed (bin/setup installs them)" >&2
  exit 1
fi
mkdir -p "$(dirname "$out")"
echo "int8-rr: making $out from the shared fp32 model (once; about 4-8 minutes)" >&2
/usr/bin/python3 models/quantize_int8.py --fp32 "$shared/models/mobilenet_v2/mobilenet_v2_embed_fp32.pt" \
  --catalog "$shared/datasets/grocery/train.jsonl" --catalog "$shared/datasets/grocery/iconic.jsonl" \
  --photos 400 --seed 7 --threads "$(nproc)" --out "$out.tmp" >&2
mv "$out.tmp" "$out"
echo "$out"
