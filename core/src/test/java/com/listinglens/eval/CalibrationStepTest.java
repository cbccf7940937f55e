package com.listinglens.eval;

import com.listinglens.config.Settings;
import com.listinglens.eval.CalibrationStep;
import com.listinglens.config.ConfigLoader;
import com.listinglens.config.LensConfig;
import com.listinglens.pool.PoolException;
import com.listinglens.support.TestPools;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The build step that fits a pool's confidence maps, on the real model and a real pool. */
class CalibrationStepTest {

    @Test
    void uploadsThePoolHoldsCannotCalibrateIt() throws Exception {
        Path pool = TestPools.iconic("iconic-a", 0, 40);
        LensConfig config = ConfigLoader.load();
        Path catalog = Files.createTempFile("lens-calibration-", ".jsonl");
        List<String> lines = Files.readAllLines(TestPools.grocery().resolve("iconic.jsonl")).subList(30, 50);
        Files.write(catalog, lines);
        CalibrationStep step = new CalibrationStep(config, Settings.model(config.model(), "int8"), catalog, TestPools.grocery(),
                System.err);
        assertThatThrownBy(() -> step.calibrate(pool)).isInstanceOf(PoolException.class)
                .hasMessageContaining("which the pool holds too");
    }

    @Test
    void theCatalogSettingNamesAFileOrNone() {
        assertThat(CalibrationStep.catalog("none")).isEmpty();
        assertThat(CalibrationStep.catalog(" ")).isEmpty();
        assertThat(CalibrationStep.catalog(TestPools.grocery().resolve("val.jsonl").toString())).isPresent();
        assertThatThrownBy(() -> CalibrationStep.catalog("/nowhere/val.jsonl")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not exist");
    }
}
