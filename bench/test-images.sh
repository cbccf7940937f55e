#!/usr/bin/env bash
# The image fixtures of test-images/ written again from their generators (the core's test classes TestImageFixtures and
# HostileUploads, through the bench module's TestImages), or the hostile uploads' table of test-images/README.md
# printed. The bundled OpenCV encodes deterministically: regenerating writes byte-identical files
# (UploadFixturesTest.committedFixtureIsWhatTheGeneratorMakes checks the committed ones).
#   bench/test-images.sh [DIR=test-images]
#   bench/test-images.sh --hostile-table
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bin/setup >/dev/null
. bench/classpath.sh
exec "$JAVA_HOME/bin/java" @bench/jvm.options ${LENS_JAVA_OPTS:-} -cp "$cp" com.listinglens.bench.image.TestImages "$@"
