#!/usr/bin/env bash
# The Spark image builds a pool (issue 29): the job (com.listinglens.spark.SparkPoolJob) in local mode inside
# listing-lens-spark, on the grocery catalog (train.jsonl + iconic.jsonl, photos and model from ../shared mounted
# read-only at /shared), publishing to a folder store mounted at /store; then the pool it made against
# bin/lens build-pool's pool of the same catalogs on val: the same top-10 listing ids for at least 99 % of the val
# uploads (bench/PoolAgreement.java, the comparison SparkPoolJobTest makes on the host).
#   bench/spark-image.sh [IMAGE=listing-lens-spark:0.1.0] [MASTER=local[2]]        (bin/images --check-spark)
# The container: uid 185, read-only root file system, no capabilities, 8 GiB, no network; /tmp and the work
# folder as volumes. Spark's launcher scripts are not in an image built with SPARK_SOURCE=context (Spark's jars from
# Maven), so the job starts with java -cp, as bin/spark-pool starts it on the host. LENS_SINGLE_POOL: the pool to
# compare with (default: bin/lens build-pool --out target/images/single-pool, built once). Work: target/images/spark/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bin/setup >/dev/null
image="${1:-listing-lens-spark:0.1.0}"
master="${2:-local[2]}"
shared="$(cd "${LENS_SHARED_DIR:-../shared}" && pwd)"
dir="$PWD/target/images/spark"
store="$dir/store"
rm -rf "$store" "$dir/run.log"; mkdir -p "$store"
docker_bin=/usr/bin/docker; [ -x "$docker_bin" ] || docker_bin="$(command -v docker)"
docker() { "$docker_bin" "$@"; }
docker image inspect "$image" >/dev/null 2>&1 || { echo "spark-image: no image $image (bin/images spark)"; exit 1; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(nproc) cores; flags: $(grep -m1 '^flags' /proc/cpuinfo | grep -o -w -E 'avx2|avx512f|avx512_vnni' | sort -u | xargs)"

# the folder store is written by the container's user (185)
chown 185:0 "$store"
mapfile -t jvm_options < <(grep -v '^#' spark/jvm.options | sed '/^$/d')
name=lens-spark-check
docker rm -f -v "$name" >/dev/null 2>&1 || true
t0=$(now)
set +e
docker run --name "$name" --network none --hostname localhost --read-only --cap-drop ALL --security-opt no-new-privileges --memory 8g \
  --mount type=bind,src="$shared",dst=/shared,readonly --mount type=bind,src="$store",dst=/store \
  --mount type=volume,dst=/tmp --mount type=volume,dst=/opt/spark/work-dir \
  -e LENS_SHARED_DIR=/shared -e LENS_STORAGE_TYPE=directory -e LENS_STORAGE_DIRECTORY=/store \
  -e LENS_STORAGE_CACHE_DIR=/tmp/lens-cache \
  --entrypoint /opt/java/bin/java "$image" \
  -Xmx5g -Dspark.master="$master" -Dspark.ui.enabled=false -Dspark.driver.host=127.0.0.1 -Dspark.driver.bindAddress=127.0.0.1 "${jvm_options[@]}" \
  -cp '/opt/spark/jars/*:/opt/listing-lens/lib/*:/opt/listing-lens/listing-lens-spark.jar' com.listinglens.spark.SparkPoolJob \
  --catalog /shared/datasets/grocery/train.jsonl --catalog /shared/datasets/grocery/iconic.jsonl \
  --out /opt/spark/work-dir/pool --work /opt/spark/work-dir/work --publish --tenant default > "$dir/run.log" 2>&1
rc=$?
set -e
t1=$(now)
docker rm -v "$name" >/dev/null 2>&1 || true
grep -v -E '^\s*$| INFO ' "$dir/run.log" | tail -8 | sed 's/^/  job: /'
[ "$rc" = 0 ] || { echo "spark-image: the job failed (exit $rc; log: $dir/run.log)"; exit 1; }
version="$(sed -n 's/.*"version" *: *"\([^"]*\)".*/\1/p' "$store/pools/default/current")"
[ -n "$version" ] && [ -f "$store/pools/default/$version/manifest.json" ] || { echo "spark-image: nothing published in $store"; exit 1; }
echo "spark job in $image ($master): pool $version built and published to the folder store in $(secs "$t0" "$t1") s"

# ---- against bin/lens build-pool's pool of the same catalogs ------------------------------------------------------
single="${LENS_SINGLE_POOL:-target/images/single-pool}"
if [ ! -f "$single/manifest.json" ]; then
  echo "spark-image: bin/lens build-pool --out $single (the same catalogs, for the comparison)" >&2
  t2=$(now)
  bin/lens build-pool --catalog "$shared/datasets/grocery/train.jsonl" --catalog "$shared/datasets/grocery/iconic.jsonl" \
    --out "$single" --replace --no-live >&2
  echo "bin/lens build-pool: $(secs "$t2" "$(now)") s"
fi
. bench/classpath.sh
"$JAVA_HOME/bin/java" -Dai.djl.offline=true -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  --enable-native-access=ALL-UNNAMED -cp "$cp" bench/PoolAgreement.java \
  "$single" "$store/pools/default/$version" "$shared/datasets/grocery/val.jsonl" 0.99 | tee "$dir/agreement.txt"
