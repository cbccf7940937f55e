package com.listinglens.indexer;

import com.listinglens.calibration.Calibration;
import com.listinglens.live.Change;
import com.listinglens.pool.ChangeId;
import com.listinglens.vector.Metric;

import java.nio.file.Path;
import java.util.List;

/**
 * What a pool build makes ({@link PoolBuilder#build}, and the Spark job through {@link PoolBuilder#finish}): the
 * catalogs, the output folder, the index and metric, the model's name and embedding space; then, each optional, the
 * photos' root (null: each catalog's own folder), whether a pool at the output is replaced, the live changes folded
 * in, the projection learned and what fits the confidence maps.
 * <pre>
 * PoolBuildRequest.of(catalogs, out, "auto", Metric.INNER_PRODUCT, "mobilenet_v2", space).replacing(true).learning(lda)
 * </pre>
 */
public record PoolBuildRequest(List<Path> catalogs, Path imageRoot, Path output, String indexFactory, Metric metric,
                               String modelName, String modelSpace, boolean replace, LiveChanges live,
                               ProjectionSpec projection, PoolCalibrator calibrator) {

    /**
     * A build of {@code catalogs} into {@code output} with this index and metric, in this model's space; photos under
     * each catalog's folder, no pool replaced, no live change folded, no projection learned, no confidence maps: the
     * withers below add each.
     */
    public static PoolBuildRequest of(List<Path> catalogs, Path output, String indexFactory, Metric metric, String modelName,
                                      String modelSpace) {
        return new PoolBuildRequest(catalogs, null, output, indexFactory, metric, modelName, modelSpace, false, null, null, null);
    }

    /** Photos under {@code root} (null: each catalog's folder). */
    public PoolBuildRequest imageRoot(Path root) {
        return new PoolBuildRequest(catalogs, root, output, indexFactory, metric, modelName, modelSpace, replace, live, projection,
                calibrator);
    }

    /** Whether a pool already at the output is replaced (else the build refuses to start). */
    public PoolBuildRequest replacing(boolean yes) {
        return new PoolBuildRequest(catalogs, imageRoot, output, indexFactory, metric, modelName, modelSpace, yes, live, projection,
                calibrator);
    }

    /** The live changes to fold in (null: none). */
    public PoolBuildRequest folding(LiveChanges changes) {
        return new PoolBuildRequest(catalogs, imageRoot, output, indexFactory, metric, modelName, modelSpace, replace, changes,
                projection, calibrator);
    }

    /** The projection to learn (null: none). */
    public PoolBuildRequest learning(ProjectionSpec spec) {
        return new PoolBuildRequest(catalogs, imageRoot, output, indexFactory, metric, modelName, modelSpace, replace, live, spec,
                calibrator);
    }

    /** What fits the confidence maps (null: none). */
    public PoolBuildRequest calibratedBy(PoolCalibrator c) {
        return new PoolBuildRequest(catalogs, imageRoot, output, indexFactory, metric, modelName, modelSpace, replace, live,
                projection, c);
    }

    /**
     * Live changes to fold into the build, in log order, as far as {@code through}: removals drop listings, additions
     * join with the embeddings the service computed (their photos are not needed again).
     */
    public record LiveChanges(List<Change> changes, ChangeId through) {
    }

    /**
     * A projection to learn from the pool's own leaf categories: {@code method} "lda", at most {@code dimension}
     * output dimensions (and at most classes - 1), within-class scatter shrunk by {@code shrinkage}.
     */
    public record ProjectionSpec(String method, int dimension, double shrinkage) {
        public ProjectionSpec {
            if (!"lda".equals(method)) {
                throw new IllegalArgumentException("unknown projection method '" + method + "' (known: lda)");
            }
            if (dimension < 1) {
                throw new IllegalArgumentException("projection dimension must be >= 1");
            }
        }
    }

    /**
     * Fits the confidence maps of a freshly written pool (its directory, complete but not yet in place): queries it
     * with uploads it does not hold. The maps go into the manifest before the pool is moved into place.
     */
    @FunctionalInterface
    public interface PoolCalibrator {
        Calibration calibrate(Path pool) throws Exception;
    }
}
