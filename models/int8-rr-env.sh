# Sourced by bin/serve and the benches that time the model: points LENS_MODEL_INT8_RR_PATH at the shared model's int8
# variant with 7-bit activations (target/models/mobilenet_v2_embed_int8_rr.pt), which the service's start-up probe
# then measures beside the other inference paths (int8-rr/<engine>; docs/every-cpu.md). On a CPU without AVX-512 VNNI,
# where that variant is the fast exact int8 path, it is made first when missing (models/int8-rr.sh, once, a few
# minutes). Only for the shared model: nothing is set when another model is configured by environment
# (LENS_MODEL_FP32_PATH, LENS_MODEL_SOURCE), and an explicit LENS_MODEL_INT8_RR_PATH is left as it is.
if [ -z "${LENS_MODEL_INT8_RR_PATH:-}" ] && [ -z "${LENS_MODEL_FP32_PATH:-}${LENS_MODEL_SOURCE:-}" ]; then
  lens_rr=target/models/mobilenet_v2_embed_int8_rr.pt
  if [ ! -f "$lens_rr" ] && ! grep -qw avx512_vnni /proc/cpuinfo; then
    models/int8-rr.sh "$lens_rr" >/dev/null || echo "no 7-bit int8 model: int8 runs on the shared model's paths only" >&2
  fi
  if [ -f "$lens_rr" ]; then export LENS_MODEL_INT8_RR_PATH="$PWD/$lens_rr"; fi
  unset lens_rr
fi
