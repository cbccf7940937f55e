#!/bin/sh
# Entrypoint of the Listing Lens images. All configuration comes from the environment (every application.properties
# key as a variable: lens.storage.type -> LENS_STORAGE_TYPE); this script only checks that what the configuration
# names is there, so that a pod with a missing volume or bucket fails at once with a clear message, then starts:
#   serve (default)        the service (java $JAVA_OPTS $LENS_JAVA_OPTS -jar $LENS_APP_DIR/quarkus-run.jar)
#   lens COMMAND ARGS...   a command-line tool (the commands of bin/lens: `lens --help` lists them)
# The same script starts the service on a development machine with the image's variables (DockerfileTest does).
set -eu

die() {
  echo "lens-entrypoint: $*" >&2
  exit 64
}

app_dir="${LENS_APP_DIR:-/app}"
if [ -n "${JAVA_HOME:-}" ]; then java="$JAVA_HOME/bin/java"; else java="java"; fi
command -v "$java" >/dev/null 2>&1 || die "no java found (JAVA_HOME='${JAVA_HOME:-}')"
[ -f "$app_dir/quarkus-run.jar" ] || die "no application at LENS_APP_DIR=$app_dir (quarkus-run.jar missing)"

check_config() {
  case "${LENS_MODEL_SOURCE:-files}" in
    directory)
      dir="${LENS_MODEL_DIRECTORY:-}"
      [ -n "$dir" ] || die "LENS_MODEL_SOURCE=directory needs LENS_MODEL_DIRECTORY (the model version's folder)"
      [ -f "$dir/manifest.json" ] || die "no model at LENS_MODEL_DIRECTORY=$dir: mount one model version's folder there \
(manifest.json and its TorchScript files, as bin/lens publish-model writes them), or set LENS_MODEL_SOURCE=store"
      ;;
    store | files) ;;
    *) die "LENS_MODEL_SOURCE must be directory, store or files, not '${LENS_MODEL_SOURCE}'" ;;
  esac
  case "${LENS_STORAGE_TYPE:-directory}" in
    directory | dir | local)
      store="${LENS_STORAGE_DIRECTORY:-store}"
      [ -d "$store" ] || die "no folder store at LENS_STORAGE_DIRECTORY=$store: mount the pools volume there, or set \
LENS_STORAGE_TYPE=s3 and LENS_STORAGE_S3_BUCKET"
      ;;
    s3)
      [ -n "${LENS_STORAGE_S3_BUCKET:-}" ] || die "LENS_STORAGE_TYPE=s3 needs LENS_STORAGE_S3_BUCKET"
      ;;
    *) die "LENS_STORAGE_TYPE must be directory or s3, not '${LENS_STORAGE_TYPE}'" ;;
  esac
  cache="${LENS_STORAGE_CACHE_DIR:-cache}"
  mkdir -p "$cache" 2>/dev/null || true
  [ -w "$cache" ] || die "LENS_STORAGE_CACHE_DIR=$cache is not writable by uid $(id -u) (downloaded pool versions go there)"
}

mode="${1:-serve}"
case "$mode" in
  serve)
    check_config
    # shellcheck disable=SC2086 # JAVA_OPTS and LENS_JAVA_OPTS are lists of options
    exec "$java" ${JAVA_OPTS:-} ${LENS_JAVA_OPTS:-} -jar "$app_dir/quarkus-run.jar"
    ;;
  lens)
    shift
    # shellcheck disable=SC2086
    exec "$java" ${JAVA_OPTS:-} ${LENS_JAVA_OPTS:-} -cp "$app_dir/app/*:$app_dir/lib/main/*:$app_dir/lib/boot/*" \
      com.listinglens.cli.LensCli "$@"
    ;;
  *)
    die "unknown command '$mode' (serve, or lens COMMAND ARGS...)"
    ;;
esac
