#!/usr/bin/env bash
# The CPU image run as the Helm chart runs it, on a real engine (issue 29), and checked:
#   bench/containers.sh [IMAGE=listing-lens:0.1.0] [STOP_CLIENTS=4]        (bin/images --check builds the image, then runs this)
# On a user-defined network: Redis in its own container (local/redis:7, a password from a file, the append-only file
# on a volume, no capabilities) and the service with a read-only root file system, uid 10001, every capability dropped,
# no new privileges, a memory limit (4 GiB, the chart's), the model version's folder and the folder store mounted
# read-only, /tmp and /var/cache/lens as volumes (the chart's emptyDirs), QUARKUS_SHUTDOWN_TIMEOUT as the chart sets it.
# Checks, each printed as "check: ... ok" (or "FAILED", and exit 1): the time from `docker run` to ready, Docker's
# health status (the image's HEALTHCHECK), the inference path measured at start on the probe photos the model version
# carries (no catalog is mounted, as none is in the chart's pods), who the process runs as and what it may write, a suggestion for a real val
# photo (category and pool version), a search, a hostile upload answered with its RFC 7807 problem, memory in use, and
# `docker stop` while STOP_CLIENTS clients keep posting photos: every request answered or refused whole (none cut
# off mid-answer), the ones in flight when SIGTERM came all answered 200, the container stopped in time and not killed.
# Inputs: LENS_IMAGES_MODEL (a model version's folder; default: the shared model, published into target/images/store
# by bin/lens publish-model with its probe photos) and LENS_IMAGES_STORE (a folder store with tenant default's pool;
# default: target/images/store, the demo pool published into it: bin/test's target/test-pools/demo when there, else
# built).
# The service listens on the network only (no port published: docker-proxy would turn a closed listener into cut
# connections); this script reaches it at the container's address. Logs: target/images/check/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
image="${1:-listing-lens:0.1.0}"
stop_clients="${2:-4}"
shared="$(cd "${LENS_SHARED_DIR:-../shared}" && pwd)"
dir="$PWD/target/images/check"
rm -rf "$dir"; mkdir -p "$dir"
docker_bin=/usr/bin/docker; [ -x "$docker_bin" ] || docker_bin="$(command -v docker)"
docker() { "$docker_bin" "$@"; }
docker image inspect "$image" >/dev/null 2>&1 || { echo "containers: no image $image (bin/images cpu)"; exit 1; }
failed=0
ok() { echo "check: $* ok"; }
bad() { echo "check: $* FAILED"; failed=1; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# ---- the model version's folder and the folder store --------------------------------------------------------------
store="${LENS_IMAGES_STORE:-}"
model="${LENS_IMAGES_MODEL:-}"
if [ -z "$store" ] || [ -z "$model" ]; then
  def="$PWD/target/images/store"
  mkdir -p "$def"
  lens() { LENS_STORAGE_TYPE=directory LENS_STORAGE_DIRECTORY="$def" bin/lens "$@"; }
  if [ -z "$model" ]; then
    model="$def/models/mobilenet_v2/shared-1"
    [ -f "$model/manifest.json" ] || lens publish-model --version shared-1 --no-pointer >&2
  fi
  if [ -z "$store" ]; then
    store="$def"
    if [ ! -f "$store/pools/default/current" ]; then
      if [ -f target/test-pools/demo/manifest.json ]; then lens publish-pool --pool target/test-pools/demo >&2
      else lens build-pool --publish >&2; fi
    fi
  fi
fi
store="$(cd "$store" && pwd)"; model="$(cd "$model" && pwd)"
pool_version="$(sed -n 's/.*"version" *: *"\([^"]*\)".*/\1/p' "$store/pools/default/current")"
model_version="$(sed -n 's/.*"version" *: *"\([^"]*\)".*/\1/p' "$model/manifest.json" | head -n 1)"
[ -n "$pool_version" ] && [ -n "$model_version" ] || { echo "containers: no pool for tenant default in $store, or no model version in $model"; exit 1; }
echo "image $image ($(docker image inspect -f '{{.Size}}' "$image" | awk '{ printf "%.0f MB", $1 / 1e6 }')); model $model_version from $model; pool $pool_version from $store"

# ---- network, Redis, the service ----------------------------------------------------------------------------------
p=lens-check
cleanup() {
  for c in "$p-cpu" "$p-redis"; do docker rm -f -v "$c" >/dev/null 2>&1 || true; done
  docker network rm "$p" >/dev/null 2>&1 || true
}
cleanup
trap 'jobs -p | xargs -r kill 2>/dev/null || true; cleanup' EXIT
docker network create "$p" >/dev/null
password="$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
printf 'requirepass %s\nappendonly yes\ndir /data\nbind 0.0.0.0\nmaxmemory 200mb\nmaxmemory-policy volatile-ttl\n' "$password" > "$dir/redis.conf"
printf 'LENS_REDIS_PASSWORD=%s\n' "$password" > "$dir/service.env"
chmod 644 "$dir/redis.conf"; chmod 600 "$dir/service.env"
docker run -d --name "$p-redis" --network "$p" --read-only --cap-drop ALL --security-opt no-new-privileges \
  --memory 256m --mount type=bind,src="$dir/redis.conf",dst=/etc/redis/lens.conf,readonly --mount type=volume,dst=/data \
  local/redis:7 /etc/redis/lens.conf >/dev/null

t_run=$(now)
docker run -d --name "$p-cpu" --network "$p" \
  --read-only --user 10001:0 --cap-drop ALL --security-opt no-new-privileges --memory 4g --memory-swap 4g \
  --mount type=bind,src="$model",dst=/models,readonly --mount type=bind,src="$store",dst=/store,readonly \
  --mount type=volume,dst=/var/cache/lens --mount type=volume,dst=/tmp \
  -e QUARKUS_SHUTDOWN_TIMEOUT=20s -e LENS_MODEL_VERSION="$model_version" -e LENS_POOL_VERSIONS="default=$pool_version" \
  -e LENS_REDIS_ENABLED=true -e LENS_REDIS_HOST="$p-redis" -e LENS_REDIS_PORT=6379 --env-file "$dir/service.env" \
  --stop-timeout 30 "$image" serve >/dev/null
ip="$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$p-cpu")"
url="http://$ip:8080"
mgmt="http://$ip:9000"   # health, metrics and status: the management port
ready=""
for _ in $(seq 1 1500); do
  [ "$(docker inspect -f '{{.State.Running}}' "$p-cpu")" = true ] || break
  if curl -sf --max-time 2 -o "$dir/ready.json" "$mgmt/q/health/ready"; then ready=$(now); break; fi
  sleep 0.2
done
docker logs "$p-cpu" > "$dir/service.log" 2>&1 || true
if [ -z "$ready" ]; then
  tail -30 "$dir/service.log"; bad "ready"; exit 1
fi
ok "ready in $(secs "$t_run" "$ready") s from docker run ($(tr -d '\n ' < "$dir/ready.json" | grep -o '"tenant.default.pool":"[^"]*"'))"
path="$(tr -d '\n' < "$dir/ready.json" | grep -o '"inferencePathReason": *"[^"]*"' | sed 's/.*: *"//; s/"$//')"
# the start-up probe ran on the model version's own probe photos: a version published without them serves fp32 unmeasured
case "$path" in
  ""|*"could not be checked"*|*"no int8 model"*) bad "inference path measured at start (${path:-no reason in the readiness data}; publish the model version with its probe photos)" ;;
  *) ok "inference path measured at start: $path" ;;
esac
healthy=""
for _ in $(seq 1 120); do
  [ "$(docker inspect -f '{{.State.Health.Status}}' "$p-cpu")" = healthy ] && { healthy=$(now); break; }
  sleep 0.5
done
[ -n "$healthy" ] && ok "healthy (HEALTHCHECK, every 15 s) $(secs "$t_run" "$healthy") s from docker run" || bad "healthy"
# health, metrics and status answer on the management port only (the chart's Service exposes 8080 alone)
split=""
for path in /q/health/ready /q/metrics /v1/status; do
  pub=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$url$path"); man=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$mgmt$path")
  split="$split $path:$pub/$man"
  [ "$pub" = 404 ] && [ "$man" = 200 ] || bad "$path answers $pub on the public port and $man on the management port (want 404/200)"
done
ok "public/management port answers:$split"

# ---- as the chart runs it -----------------------------------------------------------------------------------------
cfg="$(docker inspect -f 'readonly={{.HostConfig.ReadonlyRootfs}} user={{.Config.User}} capdrop={{.HostConfig.CapDrop}} memory={{.HostConfig.Memory}}' "$p-cpu")"
ids="$(docker exec "$p-cpu" id -u):$(docker exec "$p-cpu" id -g)"
capeff="$(docker exec "$p-cpu" sh -c 'sed -n "s/^CapEff:\t*//p" /proc/1/status')"
# the service user's own home: only a read-only root file system keeps it from writing there
probe="$(docker exec "$p-cpu" sh -c 'touch /home/lens/probe 2>&1; touch /tmp/probe && rm /tmp/probe && echo tmp-writable' || true)"
if echo "$probe" | grep -q 'Read-only file system' && echo "$probe" | grep -q tmp-writable; then writable=no; else writable="yes ($probe)"; fi
if [ "$ids" = 10001:0 ] && [ "$capeff" = 0000000000000000 ] && [ "$writable" = no ] \
  && echo "$cfg" | grep -q 'readonly=true' && echo "$cfg" | grep -q 'capdrop=\[ALL\]'; then
  ok "runs as uid:gid $ids, CapEff $capeff, root file system read-only, /tmp a volume ($cfg)"
else
  bad "hardening: uid:gid $ids, CapEff $capeff, root writable $writable, $cfg"
fi
if docker exec "$p-redis" sh -c 'redis-cli ping' 2>/dev/null | grep -q NOAUTH; then ok "redis refuses clients without the password"; else bad "redis password"; fi

# ---- answers ------------------------------------------------------------------------------------------------------
photo="$shared/datasets/grocery/val/Packages/Milk/Arla-Standard-Milk/Arla-Standard-Milk_003.jpg"
code=$(curl -s -o "$dir/suggestion.json" -w '%{http_code}' --max-time 30 -F "photo=@$photo;type=image/jpeg" "$url/v1/suggestions")
if [ "$code" = 200 ] && grep -q '"Packages"' "$dir/suggestion.json" && grep -q "\"version\":\"$pool_version\"" "$dir/suggestion.json"; then
  ok "suggestion for val/Packages/Milk/Arla-Standard-Milk_003.jpg: 200, $(grep -o '"title":{"value":"[^"]*"' "$dir/suggestion.json" | head -1), category Packages, pool $pool_version"
else
  bad "suggestion: $code $(head -c 300 "$dir/suggestion.json")"
fi
code=$(curl -s -o "$dir/search.json" -w '%{http_code}' --max-time 30 --data-binary "@$photo" -H 'Content-Type: image/jpeg' \
  "$url/v1/search?category=Packages/Milk&limit=5")
if [ "$code" = 200 ] && [ "$(grep -o '"id":"' "$dir/search.json" | wc -l)" -eq 5 ] && grep -q '"nextCursor":"[0-9a-f]' "$dir/search.json"; then
  ok "search (category Packages/Milk, limit 5): 200, 5 results, $(grep -o '"matching":[0-9]*' "$dir/search.json"), a cursor kept in Redis"
else
  bad "search: $code $(head -c 300 "$dir/search.json")"
fi
hostile=test-images/hostile/png-claims-30000x30000.png
code=$(curl -s -D "$dir/hostile.headers" -o "$dir/hostile.json" -w '%{http_code}' --max-time 30 --data-binary "@$hostile" \
  -H 'Content-Type: image/png' "$url/v1/suggestions")
if [ "$code" = 413 ] && grep -qi '^content-type: application/problem+json' "$dir/hostile.headers" \
  && grep -q '"type":"urn:listing-lens:problem:photo-too-many-pixels"' "$dir/hostile.json"; then
  ok "hostile upload ($hostile): 413 application/problem+json $(grep -o '"title":"[^"]*"' "$dir/hostile.json")"
else
  bad "hostile upload: $code $(head -c 300 "$dir/hostile.json")"
fi
mem="$(docker stats --no-stream --format '{{.MemUsage}}' "$p-cpu")"
echo "memory in use after the first answers: $mem"

# ---- docker stop under load ---------------------------------------------------------------------------------------
mapfile -t photos < <(find "$shared/datasets/grocery/val" -name '*.jpg' | sort)
client() { # N: posts val photos one after another until the service refuses the connection; one line per request
  local k="$1" out="$dir/stop-client-$1.txt" body="$dir/stop-client-$1.body" start w rc type
  while :; do
    start=$(now)
    set +e
    w=$(curl -s -o "$body" -w '%{http_code} %{time_connect}' --connect-timeout 3 --max-time 60 \
      --data-binary "@${photos[$((k % ${#photos[@]}))]}" -H 'Content-Type: image/jpeg' "$url/v1/suggestions")
    rc=$?
    set -e
    type=-
    [ "${w%% *}" = 200 ] || type="$(sed -n 's/.*"type":"urn:listing-lens:problem:\([^"]*\)".*/\1/p' "$body" 2>/dev/null | head -n 1)"
    echo "$start $(now) $rc $w ${type:--}" >> "$out"
    k=$((k + stop_clients))
    # never connected (refused, no route, connect timeout): the service is gone
    [ "$rc" != 0 ] && [ "${w#* }" = 0.000000 ] && break
  done
}
for i in $(seq 0 $((stop_clients - 1))); do client "$i" & done
# until every client has had answers, so that the service is busy when SIGTERM comes
for _ in $(seq 1 300); do
  n=0; for i in $(seq 0 $((stop_clients - 1))); do [ -s "$dir/stop-client-$i.txt" ] && n=$((n + 1)); done
  [ "$n" = "$stop_clients" ] && break; sleep 0.1
done
sleep 2
t_stop=$(now)
docker stop -t 30 "$p-cpu" >/dev/null
t_stopped=$(now)
wait
docker logs "$p-cpu" > "$dir/service.log" 2>&1 || true
exit_code="$(docker inspect -f '{{.State.ExitCode}} oom={{.State.OOMKilled}}' "$p-cpu")"
cat "$dir"/stop-client-*.txt > "$dir/stop-requests.txt"
# A request sent before SIGTERM must get a whole answer: 200, or the service's own problem (a 503 deadline-exceeded or
# overloaded when the load outruns the cores, as it would without the stop). One sent after it is not admitted:
# Quarkus answers 503 to new requests while it drains, and a connection that comes as the listener closes is refused
# or reset unread (the chart's preStop pause keeps clients off the pod by then). Only a transport error on a request
# sent before SIGTERM is a request cut.
summary="$(awk -v ts="$t_stop" '
  # fields: sent, done, curl exit code, HTTP status, time to connect (0: never connected), problem type (-: none)
  { n++; if ($4 != 200 && $4 != 503 && $3 == 0) other++ }
  $1 < ts && $3 == 0 && $4 == 200 { before200++ }
  $1 < ts && $3 == 0 && $4 == 503 { before503[$6]++ }
  $1 < ts && $3 != 0 { cut++ }
  $1 < ts && $2 > ts { inflight++; if ($3 == 0 && $4 == 200) inflight200++; else if ($3 == 0) inflightProblem++ }
  $1 >= ts && $3 == 0 && $4 == 503 { after503[$6]++ }
  $1 >= ts && $3 != 0 && $5 == 0 { refused++ }
  $1 >= ts && $3 != 0 && $5 != 0 { reset++ }
  END {
    b = ""; for (t in before503) b = b sprintf(" %s:%d", t, before503[t])
    a = ""; for (t in after503) a = a sprintf(" %s:%d", t, after503[t])
    printf "requests=%d before_sigterm_200=%d before_sigterm_503=[%s ] inflight_at_sigterm=%d inflight_200=%d inflight_problem=%d cut=%d after_sigterm_503=[%s ] refused=%d reset_unread=%d other=%d\n",
      n, before200, b, inflight, inflight200, inflightProblem, cut, a, refused, reset, other }' "$dir/stop-requests.txt")"
echo "docker stop under load ($stop_clients clients): stopped in $(secs "$t_stop" "$t_stopped") s, exit $exit_code"
echo "  $summary"
grep -o '"message":"[^"]*\(Waiting for HTTP\|All HTTP requests\|stopped in\)[^"]*"' "$dir/service.log" | sed 's/^/  log: /'
field() { echo "$summary" | sed -n "s/.* $1=\([0-9]*\).*/\1/p"; }
if [ "$(field cut)" = 0 ] && [ "$(field other)" = 0 ] && [ "$(field inflight_at_sigterm)" -gt 0 ] \
  && [ "$(field inflight_at_sigterm)" = "$(( $(field inflight_200) + $(field inflight_problem) ))" ] \
  && ! echo "$exit_code" | grep -q 'oom=true' && ! echo "$exit_code" | grep -q '^137'; then
  ok "stop under load: no request cut, the $(field inflight_at_sigterm) in flight at SIGTERM answered whole ($(field inflight_200) x 200), exit $exit_code"
else
  bad "stop under load: $summary, exit $exit_code"
fi
[ "$failed" = 0 ] && echo "containers: every check passed" || echo "containers: some checks FAILED (logs: $dir)"
exit "$failed"
