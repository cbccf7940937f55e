# Sourced by the benches that talk to the service: bench_service URL uses a service already answering there, else
# starts one (bin/serve, its log in target/bench-service.log) on URL's port and stops it when the bench exits.
bench_service() {
  local url="$1"
  if curl -sf "$url/q/health/ready" >/dev/null 2>&1; then
    return 0
  fi
  local port="${url##*:}"
  echo "bench: starting the service on port $port" >&2
  mkdir -p target
  LENS_HTTP_PORT="$port" bin/serve > target/bench-service.log 2>&1 &
  bench_service_pid=$!
  trap 'kill $bench_service_pid 2>/dev/null; wait $bench_service_pid 2>/dev/null || true' EXIT
  for _ in $(seq 1 600); do curl -sf "$url/q/health/ready" >/dev/null 2>&1 && break; sleep 1; done
  curl -sf "$url/q/health/ready" >/dev/null || { echo "bench: service did not become ready; see target/bench-service.log" >&2; exit 1; }
}
