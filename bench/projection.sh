#!/usr/bin/env bash
# The learned projection measured on val: kNN suggestions (k = lens.search.k, the configured vote) from the pool
# (train + iconic, fp32) for the val uploads (int8, one photo at a time, as the service embeds them), with no
# projection and with LDA learned from the pool's leaf categories (output dimensions x shrinkages), each at several
# vote temperatures; prints leaf / level 2 / brand / weight-class accuracy and coverage, and the best configuration.
# Then, side by side with LDA-80 s=0.1 (--tta-projection) and no projection, at the configured T and k: test-time
# augmentation of the queries (mean of photo + mirror image, photo + two 90 % corner crops, all four), the pool without
# the iconic catalogue (--drop-catalog), the pool's rows as photo + mirror image (fp32), LDA learned with the mirror
# images as extra rows; leaf / level 2 / brand / weight, leaf ECE and accuracy at 90 % coverage, leaf answers won and
# lost against the same uploads, and the per-query cost of the views (--no-tta skips it all).
# With --scales 224,320: multi-scale embeddings (each crop size alone, and the mean of all), with the leaf's expected
# calibration error as voted and after Platt scaling cross-fitted on val halves, and the embedding time per upload.
# With --pool-scales (groups of those crop sizes): a pool of each group's mean views, queried by the same mean and by
# each single view (a cheaper query against the richer pool), LDA learned from the pool rows alone and with the views'.
#   bench/projection.sh [--dims 40,64,80] [--shrinkage 1e-4,1e-3,1e-2,0.1] [--temperatures 0.02,0.05,0.1] [--k N]
#                       [--no-tta] [--tta-projection 80,0.1] [--tta-crop 0.9] [--no-pool-flip] [--tta-cost 100]
#                       [--scales 224,320] [--pool-scales 224+320/192+256] [--calibration-splits 50] [--help]
# Data from ${LENS_SHARED_DIR:-../shared} (lens.shared-dir); embeddings are cached in target/projection-experiment
# (the first run embeds 2 x 2,721 + 5 x 296 photos; later runs only learn and search; run times:
# docs/benchmarks.md#what-the-benches-cost-to-run), with results.csv, tta.csv and best.llpj.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bin/setup >/dev/null
. bench/classpath.sh
exec "$JAVA_HOME/bin/java" @bench/jvm.options ${LENS_JAVA_OPTS:-} -cp "$cp" \
  com.listinglens.bench.eval.ProjectionExperiment "$@"
