#!/usr/bin/env bash
# Blue-green rehearsal on a real engine (issue 29), what helm/listing-lens does with its two Deployments and the stable
# Service's selector, here with containers and a local proxy:
#   bench/blue-green.sh [REQUESTS=3000] [CLIENTS=2] [IMAGE=listing-lens:0.1.0]
# Two containers of the CPU image, run as bench/containers.sh runs one (read-only root, uid 10001, no capabilities,
# 4 GiB each, the model folder and the folder store read-only), each pinned to its own pool version
# (LENS_POOL_VERSIONS, as the chart pins a colour): blue the store's current pool, green another version; one Redis
# with a password shared by both, on one user-defined network. Debian's HAProxy in front, on 127.0.0.1:18090 (the
# stable Service), routes to the colour a map names (use_backend from a map file, changed at run time through its admin
# socket with `set map`: no reload, no restart, like a selector change). Under steady load (bench/BlueGreenBench.java,
# CLIENTS closed-loop clients posting val photos in turn) it switches blue -> green after a third of the requests and
# back to blue (the rollback) after two thirds, and checks every answer's pool version. Both colours share the two
# cores with the proxy and the client: the default 2 clients stay under what they serve within the service's 500 ms
# deadline (lens.request.deadline) on the uncached first pass; more clients overload them and the deadline's 503s
# (not the switch) miss the bar. Before the load each colour is checked through its own address, as the release does
# through the preview Service.
# Bars: zero non-2xx answers and transport errors, every request sent after a switch answered by the new colour's pool
# version, no answer naming the other colour's version. Inputs as bench/containers.sh (LENS_IMAGES_MODEL,
# LENS_IMAGES_STORE); LENS_BLUE_POOL / LENS_GREEN_POOL name the versions (default: the current one, and the newest
# other one in the store; when there is none, green's pool is built from train.jsonl alone and published without
# moving the pointer). Work and logs: target/images/blue-green/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bin/setup >/dev/null
requests="${1:-3000}"
clients="${2:-2}"
image="${3:-listing-lens:0.1.0}"
shared="$(cd "${LENS_SHARED_DIR:-../shared}" && pwd)"
dir="$PWD/target/images/blue-green"
rm -rf "$dir"; mkdir -p "$dir"
docker_bin=/usr/bin/docker; [ -x "$docker_bin" ] || docker_bin="$(command -v docker)"
docker() { "$docker_bin" "$@"; }
docker image inspect "$image" >/dev/null 2>&1 || { echo "blue-green: no image $image (bin/images cpu)"; exit 1; }
docker image inspect local/redis:7 >/dev/null 2>&1 || { echo "blue-green: no image local/redis:7 (bin/images cpu)"; exit 1; }
command -v haproxy >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends haproxy >/dev/null
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(nproc) cores; flags: $(grep -m1 '^flags' /proc/cpuinfo | grep -o -w -E 'avx2|avx512f|avx512_vnni' | sort -u | xargs)"

# ---- the model folder, the store, two pool versions ---------------------------------------------------------------
def="$PWD/target/images/store"
lens() { LENS_STORAGE_TYPE=directory LENS_STORAGE_DIRECTORY="$def" bin/lens "$@"; }
model="${LENS_IMAGES_MODEL:-$def/models/mobilenet_v2/shared-1}"
store="${LENS_IMAGES_STORE:-$def}"
mkdir -p "$def"
[ -f "$model/manifest.json" ] || lens publish-model --version shared-1 --no-pointer >&2
if [ ! -f "$store/pools/default/current" ]; then
  if [ -f target/test-pools/demo/manifest.json ]; then lens publish-pool --pool target/test-pools/demo >&2
  else lens build-pool --publish >&2; fi
fi
version_of() { sed -n 's/.*"version" *: *"\([^"]*\)".*/\1/p' "$1" | head -n 1; }
blue="${LENS_BLUE_POOL:-$(version_of "$store/pools/default/current")}"
green="${LENS_GREEN_POOL:-$(ls "$store/pools/default" | grep -v -x -e current -e "$blue" | sort | tail -n 1 || true)}"
if [ -z "$green" ]; then
  echo "blue-green: building green's pool (train.jsonl alone), published without moving the pointer" >&2
  LENS_STORAGE_TYPE=directory LENS_STORAGE_DIRECTORY="$store" bin/lens build-pool \
    --catalog "$shared/datasets/grocery/train.jsonl" --out "$dir/../green-pool" --replace >&2
  LENS_STORAGE_TYPE=directory LENS_STORAGE_DIRECTORY="$store" bin/lens publish-pool --pool "$dir/../green-pool" --no-pointer >&2
  green="$(version_of "$dir/../green-pool/manifest.json")"
fi
model_version="$(version_of "$model/manifest.json")"
echo "blue: pool $blue; green: pool $green; model $model_version; image $image"

# ---- Redis, blue, green, the proxy --------------------------------------------------------------------------------
p=lens-bg
haproxy_pid=""
cleanup() {
  [ -z "$haproxy_pid" ] || kill "$haproxy_pid" 2>/dev/null || true
  for c in "$p-blue" "$p-green" "$p-redis"; do docker rm -f -v "$c" >/dev/null 2>&1 || true; done
  docker network rm "$p" >/dev/null 2>&1 || true
}
cleanup
trap cleanup EXIT
docker network create "$p" >/dev/null
password="$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
printf 'requirepass %s\nappendonly yes\ndir /data\nbind 0.0.0.0\nmaxmemory 200mb\nmaxmemory-policy volatile-ttl\n' "$password" > "$dir/redis.conf"
printf 'LENS_REDIS_PASSWORD=%s\n' "$password" > "$dir/service.env"
chmod 644 "$dir/redis.conf"; chmod 600 "$dir/service.env"
docker run -d --name "$p-redis" --network "$p" --read-only --cap-drop ALL --security-opt no-new-privileges \
  --memory 256m --mount type=bind,src="$dir/redis.conf",dst=/etc/redis/lens.conf,readonly --mount type=volume,dst=/data \
  local/redis:7 /etc/redis/lens.conf >/dev/null
start_colour() { # COLOUR POOL_VERSION
  docker run -d --name "$p-$1" --network "$p" --label listing-lens.io/color="$1" \
    --read-only --user 10001:0 --cap-drop ALL --security-opt no-new-privileges --memory 4g --memory-swap 4g \
    --mount type=bind,src="$model",dst=/models,readonly --mount type=bind,src="$store",dst=/store,readonly \
    --mount type=volume,dst=/var/cache/lens --mount type=volume,dst=/tmp \
    -e QUARKUS_SHUTDOWN_TIMEOUT=20s -e LENS_MODEL_VERSION="$model_version" -e LENS_POOL_VERSIONS="default=$2" \
    -e LENS_REDIS_ENABLED=true -e LENS_REDIS_HOST="$p-redis" -e LENS_REDIS_PORT=6379 --env-file "$dir/service.env" \
    --stop-timeout 30 "$image" serve >/dev/null
}
t_run=$(now)
start_colour blue "$blue"
start_colour green "$green"
ip() { docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$p-$1"; }
for c in blue green; do
  for _ in $(seq 1 1500); do
    curl -sf --max-time 2 -o "$dir/ready-$c.json" "http://$(ip "$c"):9000/q/health/ready" && break
    [ "$(docker inspect -f '{{.State.Running}}' "$p-$c")" = true ] || { docker logs "$p-$c" 2>&1 | tail -30; echo "blue-green: $c exited"; exit 1; }
    sleep 0.2
  done
  grep -q "$( [ "$c" = blue ] && echo "$blue" || echo "$green")" "$dir/ready-$c.json" || { echo "blue-green: $c is not serving its pool"; exit 1; }
  echo "$c ready $(secs "$t_run" "$(now)") s after both were started"
done
# the release's step 3 (helm/listing-lens/README.md): each colour checked through its own address (the preview
# Service) before it takes traffic, which also warms it: 16 val photos each
mapfile -t warm < <(find "$shared/datasets/grocery/val" -name '*.jpg' | sort | awk 'NR % 18 == 1' | head -n 16)
for c in blue green; do
  for f in "${warm[@]}"; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 --data-binary "@$f" -H 'Content-Type: image/jpeg' "http://$(ip "$c"):8080/v1/suggestions")
    [ "$code" = 200 ] || { echo "blue-green: $c answered $code to a check through its own address"; exit 1; }
  done
done
echo "both colours checked through their own addresses (${#warm[@]} val photos each, all 200)"
echo "active blue" > "$dir/colours.map"
cat > "$dir/haproxy.cfg" <<EOF
global
  stats socket $dir/haproxy.sock mode 600 level admin
  maxconn 512
defaults
  mode http
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  option httpchk GET /q/health/ready
frontend stable
  bind 127.0.0.1:18090
  # the stable Service: its selector is the map's 'active' entry (set map ... active green|blue)
  use_backend %[str(active),map($dir/colours.map,blue)]
backend blue
  server blue $(ip blue):8080 check port 9000 inter 2s
backend green
  server green $(ip green):8080 check port 9000 inter 2s
EOF
haproxy -c -q -f "$dir/haproxy.cfg"
haproxy -db -f "$dir/haproxy.cfg" > "$dir/haproxy.log" 2>&1 &
haproxy_pid=$!
for _ in $(seq 1 50); do curl -sf --max-time 2 -o /dev/null http://127.0.0.1:18090/ && break; sleep 0.1; done

# ---- load and two switches ----------------------------------------------------------------------------------------
"$JAVA_HOME/bin/java" bench/BlueGreenBench.java http://127.0.0.1:18090 "$dir/haproxy.sock" "$dir/colours.map" "$blue" "$green" \
  "$shared/datasets/grocery/val" "$requests" "$clients" "$dir/requests.csv" | tee "$dir/result.txt"
status=${PIPESTATUS[0]}
for c in blue green; do
  docker logs "$p-$c" > "$dir/$c.log" 2>&1 || true
  echo "$c: $(docker stats --no-stream --format '{{.MemUsage}}' "$p-$c") memory; $(grep -c 'ERROR' "$dir/$c.log" || true) ERROR lines in its log"
done
exit "$status"
