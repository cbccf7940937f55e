package com.listinglens.eval;

import com.listinglens.calibration.Calibration;
import com.listinglens.cli.EvaluateCommand;
import com.listinglens.config.ConfigLoader;
import com.listinglens.config.LensConfig;
import com.listinglens.pool.Manifest;
import com.listinglens.pool.PoolFiles;
import com.listinglens.support.TestPools;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The quality bars of issue 8, end to end on real parts: the 296 val uploads against the demo pool as bin/serve builds
 * it (train + iconic embedded in fp32 at crops 224 and 320, LDA-80 learned from the pool's leaf categories, confidence
 * maps fitted on val), queried with the int8 model as the service does.
 *
 * <p>The accuracy floors sit one point under the bars (leaf 80 %, level 2 90 %, brand 90 %): docs/quality.md
 * reports the measured figures (leaf 80.4 to 80.7 %, level 2 90.5 to 90.9 %, brand 91 to 92 % on the two CPUs seen,
 * whose int8 kernels differ), and one upload is 0.34 points of leaf accuracy, so the floors catch a regression without
 * failing on a kernel's rounding. Calibration is judged out of sample: maps fitted on random halves of val and measured
 * on the other halves must come within 0.03 of the error that sampling alone gives perfectly calibrated confidences.
 */
class EvaluationBarTest {

    @Test
    void valQualityMeetsTheBars() throws Exception {
        Path pool = TestPools.demo();
        LensConfig config = ConfigLoader.load();
        Path val = TestPools.grocery().resolve("val.jsonl");

        Manifest manifest = PoolFiles.readManifest(pool);
        assertThat(manifest.projection()).isNotNull();
        assertThat(manifest.projection().photoVectors()).isNotNull();
        Calibration maps = manifest.calibrationOrNone();
        assertThat(maps.sha256()).isEqualTo(PoolFiles.sha256(val));
        assertThat(maps.uploads()).isEqualTo(296);
        assertThat(maps.fields()).containsKeys("category level 1", "category level 2", "category level 3", "title", "brand",
                "weight class");
        // the raw shares are over-confident at the leaf: the map softens them
        assertThat(maps.categoryLevel(3).apply(0.95)).isLessThan(0.9);

        EvaluateCommand.Evaluation one = EvaluateCommand.run(config, val, pool, null, "int8", 1);
        Scorecard card = one.card();
        System.out.print(card.table());
        assertThat(card.uploads()).isEqualTo(296);
        assertThat(card.field("category leaf").evaluated()).isEqualTo(296);
        assertThat(card.field("category leaf").accuracy()).isGreaterThanOrEqualTo(0.79);
        assertThat(card.field("category level 2").accuracy()).isGreaterThanOrEqualTo(0.89);
        assertThat(card.field("brand").accuracy()).isGreaterThanOrEqualTo(0.89);
        assertThat(card.field("weight class").accuracy()).isGreaterThanOrEqualTo(0.85);
        // in sample, the maps leave little error (they were fitted on these uploads)
        assertThat(card.field("category leaf").expectedCalibrationError(10)).isLessThanOrEqualTo(0.05);

        Map<String, CrossFit.FieldError> crossFit = one.crossFit(config, 20);
        crossFit.forEach((f, e) -> System.out.printf("%-18s ECE out of sample %.3f (p90 %.3f, floor %.3f)%n", f, e.mean(), e.p90(), e.floor()));
        for (String field : new String[]{"category leaf", "category level 2", "brand", "weight class"}) {
            CrossFit.FieldError e = crossFit.get(field);
            assertThat(e.mean()).as("%s: calibration error out of sample against its sampling floor %.3f", field, e.floor())
                    .isLessThanOrEqualTo(e.floor() + 0.03);
        }

        // several photos of one item, fused by the configured fusion (mean of embeddings), do better than one
        Scorecard two = EvaluateCommand.evaluate(config, val, pool, null, "int8", 2);
        System.out.print(two.table());
        assertThat(two.uploads()).isEqualTo(125);
        assertThat(two.field("category leaf").accuracy()).isGreaterThan(card.field("category leaf").accuracy() + 0.03);
    }
}
