#!/usr/bin/env bash
# The plain Python peer (bench/peer/peer.py: FastAPI on uvicorn, PIL, PyTorch 1.13, FAISS flat index) on PORT, for the
# service benches to measure against. Installs the Debian packages it needs when missing (apt-get, as root), builds
# its index when missing (bench/peer/build_index.py: train + iconic, target/peer; its time:
# docs/benchmarks.md#what-the-benches-cost-to-run), starts it (log in target/peer/peer.log), waits until it answers,
# and stops it when this script exits.
#   bench/peer.sh                     serve until interrupted (Ctrl-C)
#   bench/peer.sh COMMAND [ARG...]    run COMMAND with the peer up and LENS_BENCH_URL pointing at it, then stop it:
#     bench/peer.sh bench/open-loop.sh 30
#     bench/peer.sh java bench/ThroughputBench.java http://localhost:8091 ../shared/datasets/grocery/val/Fruit/Banana/Banana_001.jpg 8 15 5
# Environment: LENS_PEER_PORT (8091), PEER_WORKERS (uvicorn workers; default: the core count), PEER_THREADS (torch
# threads per worker, 1), PEER_PRECISION (int8 | fp32), PEER_QUANTIZED_ENGINE (qnnpack), LENS_SHARED_DIR (../shared).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
py=/usr/bin/python3   # Debian's python, which sees the Debian packages (not a pyenv shim)
port="${LENS_PEER_PORT:-8091}"
workers="${PEER_WORKERS:-$(nproc)}"
export PYTHONDONTWRITEBYTECODE=1 LENS_SHARED_DIR="${LENS_SHARED_DIR:-../shared}"

packages=(python3-torch python3-faiss python3-fastapi python3-starlette python3-uvicorn python3-multipart python3-pil
  python3-numpy python3-uvloop)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "peer: installing ${missing[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2
fi

mkdir -p target/peer
if [ ! -f target/peer/index.faiss ] || [ ! -f target/peer/listings.jsonl ]; then
  "$py" bench/peer/build_index.py --out target/peer >&2
fi

url="http://localhost:$port"
if curl -sf "$url/q/health/ready" >/dev/null 2>&1; then
  echo "peer: something already answers on port $port; not starting another" >&2
  exit 1
fi
echo "peer: starting on port $port, $workers worker(s), log target/peer/peer.log" >&2
loop=auto
"$py" -c 'import uvloop' 2>/dev/null && loop=uvloop
"$py" -m uvicorn --app-dir bench/peer peer:app --host 127.0.0.1 --port "$port" --workers "$workers" \
  --http h11 --loop "$loop" --no-access-log > target/peer/peer.log 2>&1 &
peer_pid=$!
trap 'kill $peer_pid 2>/dev/null; wait $peer_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  # ready when it answers and every worker has loaded its model and index
  curl -sf "$url/q/health/ready" >/dev/null 2>&1 && [ "$(grep -c '^peer (pid' target/peer/peer.log)" -ge "$workers" ] && break
  kill -0 $peer_pid 2>/dev/null || { echo "peer: it exited; see target/peer/peer.log" >&2; cat target/peer/peer.log >&2; exit 1; }
  sleep 1
done
curl -sf "$url/q/health/ready" >/dev/null || { echo "peer: not ready after 120 s; see target/peer/peer.log" >&2; exit 1; }
grep '^peer (pid' target/peer/peer.log >&2 || true
export LENS_BENCH_URL="$url" LENS_BENCH_MANAGEMENT_URL="$url"   # the peer answers health on its one port
if [ $# -gt 0 ]; then
  "$@"
else
  echo "peer: ready on $url (Ctrl-C stops it)" >&2
  wait $peer_pid
fi
