package com.listinglens.indexer;

import com.listinglens.vector.Metric;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A build request: the required parts first, each optional part added by its own wither, the others kept. */
class PoolBuildRequestTest {

    @Test
    void ofGivesTheDefaultsAndEachWitherSetsOnlyItsPart() {
        PoolBuildRequest base = PoolBuildRequest.of(List.of(Path.of("c.jsonl")), Path.of("out"), "auto", Metric.L2, "m", "space");
        assertThat(base.imageRoot()).isNull();
        assertThat(base.replace()).isFalse();
        assertThat(base.live()).isNull();
        assertThat(base.projection()).isNull();
        assertThat(base.calibrator()).isNull();

        PoolBuildRequest.ProjectionSpec lda = new PoolBuildRequest.ProjectionSpec("lda", 80, 0.1);
        PoolBuildRequest.PoolCalibrator calibrator = pool -> null;
        PoolBuildRequest full = base.imageRoot(Path.of("photos")).replacing(true).learning(lda).calibratedBy(calibrator);
        assertThat(full.imageRoot()).isEqualTo(Path.of("photos"));
        assertThat(full.replace()).isTrue();
        assertThat(full.projection()).isEqualTo(lda);
        assertThat(full.calibrator()).isSameAs(calibrator);
        assertThat(full).extracting(PoolBuildRequest::catalogs, PoolBuildRequest::output, PoolBuildRequest::indexFactory,
                PoolBuildRequest::metric, PoolBuildRequest::modelName, PoolBuildRequest::modelSpace)
                .containsExactly(List.of(Path.of("c.jsonl")), Path.of("out"), "auto", Metric.L2, "m", "space");
        // a wither leaves the others as they were
        assertThat(full.replacing(false)).isEqualTo(new PoolBuildRequest(full.catalogs(), full.imageRoot(), full.output(),
                full.indexFactory(), full.metric(), full.modelName(), full.modelSpace(), false, null, lda, calibrator));
        assertThat(full.learning(null).projection()).isNull();
        assertThat(full.learning(null).calibrator()).isSameAs(calibrator);
    }
}
