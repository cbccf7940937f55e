package com.listinglens.eval;

import com.listinglens.calibration.Calibration;
import com.listinglens.calibration.PlattScaling;
import com.listinglens.catalog.Listing;
import com.listinglens.suggest.ListingSuggestion;
import com.listinglens.suggest.ListingSuggestion.CategoryLevel;
import com.listinglens.suggest.ListingSuggestion.CategorySuggestion;
import com.listinglens.suggest.ListingSuggestion.Field;
import com.listinglens.suggest.ListingSuggestion.PriceBand;
import com.listinglens.suggest.WeightClasses;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class CalibratorTest {

    private static final WeightClasses CLASSES = new WeightClasses(List.of(250, 500, 1000, 2000, 5000));

    private static Listing truth(List<String> category, String brand) {
        return new Listing("t", "t.jpg", "title", category, brand, 900.0, null, null);
    }

    private static ListingSuggestion suggestion(List<String> path, double[] confidences, String brand, double brandConfidence) {
        List<CategoryLevel> levels = new ArrayList<>();
        for (int i = 0; i < path.size(); i++) {
            levels.add(new CategoryLevel(path.get(i), confidences[i]));
        }
        return new ListingSuggestion(Field.none("-"), new CategorySuggestion(levels, null),
                brand == null ? Field.none("-") : Field.of(brand, brandConfidence), PriceBand.none("-"), Field.none("-"), List.of());
    }

    @Test
    void overConfidentSharesAreSoftenedAndTheErrorFalls() {
        // vote shares of 0.9 to 1.0 that are right only 60 % of the time
        Random random = new Random(7);
        Calibrator c = new Calibrator(CLASSES);
        for (int i = 0; i < 400; i++) {
            double share = 0.9 + 0.1 * random.nextDouble();
            boolean right = random.nextDouble() < 0.6;
            List<String> path = right ? List.of("Fruit", "Apple") : List.of("Fruit", "Pear");
            c.add(truth(List.of("Fruit", "Apple"), "Arla"), suggestion(path, new double[]{1.0, share}, right ? "Arla" : "Oatly", share));
        }
        Calibration maps = c.fit("val.jsonl", "abc", 400, "int8");
        assertThat(maps.uploads()).isEqualTo(400);
        assertThat(maps.fields()).containsKeys("category level 1", "category level 2", "brand");
        PlattScaling level2 = maps.categoryLevel(2);
        assertThat(level2.apply(0.95)).isCloseTo(0.6, within(0.05));
        assertThat(maps.eceBefore().get("category level 2")).isGreaterThan(0.3);
        assertThat(maps.eceAfter().get("category level 2")).isLessThan(0.06);
        // level 1 is always right with share 1.0: the map keeps it near certain
        assertThat(maps.categoryLevel(1).apply(1.0)).isGreaterThan(0.95);
        // a deeper level than any fitted takes the deepest map
        assertThat(maps.categoryLevel(3)).isEqualTo(level2);
    }

    @Test
    void aPathDeeperThanTheTruthIsWrongAtTheLevelsTheTruthLacks() {
        Calibrator c = new Calibrator(CLASSES);
        c.add(truth(List.of("Fruit", "Apple"), null), suggestion(List.of("Fruit", "Apple", "Green"), new double[]{1, 1, 0.8}, null, 0));
        c.add(truth(List.of("Fruit", "Apple"), null), suggestion(List.of("Fruit", "Pear"), new double[]{1, 0.7}, null, 0));
        assertThat(c.answers()).containsEntry("category level 1", 2).containsEntry("category level 2", 2)
                .containsEntry("category level 3", 1);
        // too few answers for any map
        Calibration maps = c.fit("v", "s", 2, "int8");
        assertThat(maps.isNone()).isTrue();
        assertThat(maps.categoryLevel(3).apply(0.8)).isCloseTo(0.8, within(1e-9));
    }

    @Test
    void expectedCalibrationErrorWeighsEachBinByItsShare() {
        double[] conf = {0.95, 0.95, 0.95, 0.95, 0.15};
        boolean[] right = {true, true, true, false, false};
        // bin 9: accuracy 0.75 vs 0.95 (4/5 of answers), bin 1: 0 vs 0.15 (1/5)
        assertThat(Calibrator.expectedCalibrationError(conf, right, 10)).isCloseTo(0.8 * 0.2 + 0.2 * 0.15, within(1e-9));
        assertThat(Calibrator.expectedCalibrationError(new double[0], new boolean[0], 10)).isNaN();
    }
}
