#!/usr/bin/env bash
# Hostile clients and a memory limit, one run (issue 27's bar): the service (bin/serve) in a cgroup of LIMIT_GB
# (v1 memory.limit_in_bytes or v2 memory.max; root needed), then for SECONDS at once: ADMIN (64) unauthenticated
# posts announcing 60 MB bodies, BOMBS (16) clients posting 40-megapixel GIF, PNG and WebP bombs, and NORMAL (8)
# clients posting a 1024-px JPEG (bench/HostileBench.java, loopback only). Prints the CPU flags first, progress every
# 10 s, and a summary: statuses per kind, body bytes the admin posts got in, normal p50/p99, the service's peak RSS
# (VmHWM) against the limit, the cgroup's OOM kills, and whether the service is still alive; exits 1 when a bar is
# missed (a crash, an OOM kill, RSS over the limit, a normal answer other than 200 or 503 with Retry-After).
#   bench/hostile.sh [SECONDS=60] [LIMIT_GB=4] [ADMIN=64] [BOMBS=16] [NORMAL=8]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bin/setup >/dev/null
secs="${1:-60}"; limit_gb="${2:-4}"; admin="${3:-64}"; bombs="${4:-16}"; normal="${5:-8}"
port=8087
url="http://127.0.0.1:$port"
mgmt="http://127.0.0.1:$((port + 1000))"   # health on the management port
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(nproc) cores; flags: $(grep -m1 '^flags' /proc/cpuinfo | grep -o -w -E 'avx2|avx512f|avx512_vnni|avx_vnni' | sort -u | xargs)"
mkdir -p target/hostile
py=/usr/bin/python3
"$py" -c 'import PIL' 2>/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pil >/dev/null
"$py" - target/hostile "${LENS_SHARED_DIR:-../shared}/datasets/grocery/val/Fruit/Banana/Banana_001.jpg" <<'PY'
import sys
from PIL import Image
out, photo = sys.argv[1], sys.argv[2]
w, h = 8000, 5000  # 40 megapixels, lens.image.max-pixels
img = Image.new("RGB", (w, h), (200, 180, 40))
for x in range(0, w, 400):  # a few stripes: still a few hundred KB encoded
    img.paste((30, 30, 30), (x, 0, x + 3, h))
img.save(f"{out}/bomb.png", optimize=True)
img.convert("P", palette=Image.ADAPTIVE, colors=4).save(f"{out}/bomb.gif")
img.save(f"{out}/bomb.webp", lossless=True, quality=0)
Image.open(photo).convert("RGB").resize((1024, 1024)).save(f"{out}/normal.jpg", quality=90)
PY
ls -la target/hostile/ | awk 'NR>1 {print "  " $5 " bytes " $9}'
# the cgroup
if [ -d /sys/fs/cgroup/memory ] && [ ! -f /sys/fs/cgroup/cgroup.controllers ]; then
  cg=/sys/fs/cgroup/memory/lens-hostile-$$; mkdir "$cg"; echo $((limit_gb << 30)) > "$cg/memory.limit_in_bytes"
  ooms() { sed -n 's/^oom_kill //p' "$cg/memory.oom_control"; }; peak() { cat "$cg/memory.max_usage_in_bytes"; }
else
  cg=/sys/fs/cgroup/lens-hostile-$$; mkdir "$cg"; echo $((limit_gb << 30)) > "$cg/memory.max"
  ooms() { sed -n 's/^oom_kill //p' "$cg/memory.events"; }; peak() { cat "$cg/memory.peak" 2>/dev/null || echo 0; }
fi
echo "service in cgroup $cg, limit $limit_gb GiB"
( echo "$BASHPID" > "$cg/cgroup.procs"; LENS_HTTP_PORT=$port LENS_MANAGEMENT_PORT=$((port + 1000)) exec bin/serve ) > target/hostile/service.log 2>&1 &
serve_pid=$!
cleanup() { kill "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true; sleep 1; rmdir "$cg" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 1 600); do curl -sf "$mgmt/q/health/ready" >/dev/null 2>&1 && break; sleep 1; done
curl -sf "$mgmt/q/health/ready" >/dev/null || { echo "hostile: the service did not become ready (target/hostile/service.log)"; exit 1; }
java_pid=""
for p in $(cat "$cg/cgroup.procs"); do tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | grep -q quarkus-run.jar && java_pid=$p; done
grep -m1 "photo decodes may hold" target/hostile/service.log | sed 's/^.*photo decodes/service: photo decodes/' || true
"$JAVA_HOME/bin/java" bench/HostileBench.java "$url" "$secs" "$admin" "$bombs" "$normal" target/hostile/normal.jpg \
  target/hostile/bomb.gif target/hostile/bomb.png target/hostile/bomb.webp | tee target/hostile/result.txt
alive=no; [ -n "$java_pid" ] && kill -0 "$java_pid" 2>/dev/null && curl -sf "$mgmt/q/health/live" >/dev/null && alive=yes
hwm_kb=$(sed -n 's/^VmHWM:\s*\([0-9]*\) kB/\1/p' "/proc/$java_pid/status" 2>/dev/null || echo 0)
oom=$(ooms); cg_peak=$(peak)
echo "service alive and live after the run: $alive"
echo "peak RSS (VmHWM) $((hwm_kb / 1024)) MB, cgroup peak $((cg_peak >> 20)) MB, limit $((limit_gb << 10)) MB; OOM kills in the cgroup: ${oom:-0}"
bad=$(sed -n 's/^RESULT .*normal_bad=\([0-9]*\).*/\1/p' target/hostile/result.txt)
verdict=0
[ "$alive" = yes ] || { echo "BAR MISSED: the service died"; verdict=1; }
[ "${oom:-0}" = 0 ] || { echo "BAR MISSED: OOM kills"; verdict=1; }
[ "$((hwm_kb * 1024))" -lt "$((limit_gb << 30))" ] || { echo "BAR MISSED: RSS reached the limit"; verdict=1; }
[ "${bad:-1}" = 0 ] || { echo "BAR MISSED: $bad normal requests were neither 200 nor 503 with Retry-After"; verdict=1; }
[ $verdict = 0 ] && echo "all bars held: no crash, no OOM, RSS under the limit, every normal request 200 or 503 with Retry-After"
exit $verdict
