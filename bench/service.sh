# Sourced by the benches that talk to the service.
#   bench_service URL   uses a service already answering there, else starts one (bin/serve, its log in
#                       target/bench-service.log) on URL's port, with its management port 1000 above it, and stops it
#                       when the bench exits.
#   bench_management URL  the management URL (health, metrics, /v1/status) of the service on URL: LENS_BENCH_MANAGEMENT_URL
#                       when set (say, http://localhost:9000 for a plain bin/serve), else URL's port + 1000.
bench_management() {
  local url="$1"
  if [ -n "${LENS_BENCH_MANAGEMENT_URL:-}" ]; then echo "$LENS_BENCH_MANAGEMENT_URL"; return; fi
  local port="${url##*:}"
  echo "${url%:*}:$((port + 1000))"
}

bench_service() {
  local url="$1"
  local mgmt
  mgmt=$(bench_management "$url")
  if curl -sf "$mgmt/q/health/ready" >/dev/null 2>&1; then
    return 0
  fi
  local port="${url##*:}"
  echo "bench: starting the service on port $port (management ${mgmt##*:})" >&2
  mkdir -p target
  LENS_HTTP_PORT="$port" LENS_MANAGEMENT_PORT="${mgmt##*:}" bin/serve > target/bench-service.log 2>&1 &
  bench_service_pid=$!
  trap 'kill $bench_service_pid 2>/dev/null; wait $bench_service_pid 2>/dev/null || true' EXIT
  for _ in $(seq 1 600); do curl -sf "$mgmt/q/health/ready" >/dev/null 2>&1 && break; sleep 1; done
  curl -sf "$mgmt/q/health/ready" >/dev/null || { echo "bench: service did not become ready; see target/bench-service.log" >&2; exit 1; }
}
