#!/usr/bin/env bash
# Redis memory over a day (issue 27): a private redis-server with --maxmemory MAXMEMORY (64mb) and volatile-ttl on a
# free port, then RedisMemoryBench (bench module): HOURS (24) simulated at RATE (20) requests/s, SPEED (720) times
# faster than real time (TTLs divided by it): cached answers, suggestion sessions and search cursors with their TTLs and
# sizes, live changes appended to the change log (CHANGES_PER_HOUR, 1200, half additions of a DIM-1280 embedding),
# a pool build every BUILD_HOURS (4) that folds the log, three replicas that swap to it and refresh their records,
# the log trimmed every simulated minute. Progress every simulated hour; a summary: used_memory peak vs maxmemory,
# evicted keys, the change log's length over time, lost changes (must be 0), reads of evicted entries (misses:
# degraded, not errors). Exits 1 when a bar is missed. TRIM=0 runs it without trimming (the log only grows); PAGE
# (100, lens.live.page-size) is the page a swap replays the log in; SESSION_TTL_HOURS (24) lens.redis.session-ttl.
#   bench/redis-memory.sh [HOURS=24] [RATE=20] [SPEED=720] [MAXMEMORY=64mb] [CHANGES_PER_HOUR=1200] [BUILD_HOURS=4]
#   e.g. bench/redis-memory.sh 6 20 360     # six simulated hours in a minute
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bin/setup >/dev/null
hours="${1:-24}"; rate="${2:-20}"; speed="${3:-720}"; maxmemory="${4:-64mb}"; changes="${5:-1200}"; build_hours="${6:-4}"
. bench/classpath.sh
mkdir -p target/redis-memory
dir="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --save '' --appendonly no \
  --maxmemory "$maxmemory" --maxmemory-policy volatile-ttl > target/redis-memory/redis.log 2>&1 &
redis_pid=$!
cleanup() { kill "$redis_pid" 2>/dev/null || true; wait "$redis_pid" 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
for _ in $(seq 1 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
maxbytes="$(redis-cli -p "$port" config get maxmemory | tail -n 1)"
echo "redis-server $(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/') on port $port: maxmemory $maxbytes bytes, $(redis-cli -p "$port" config get maxmemory-policy | tail -n 1)"
"$JAVA_HOME/bin/java" @bench/jvm.options -Xmx1g ${LENS_JAVA_OPTS:-} -cp "$cp" com.listinglens.bench.RedisMemoryBench 127.0.0.1 "$port" "$maxbytes" "$hours" "$rate" "$speed" \
  "$changes" 1280 "$build_hours" "${THREADS:-4}" "${TRIM:-1}" "${PAGE:-100}" "${SESSION_TTL_HOURS:-24}" | tee target/redis-memory/result.txt
