package com.listinglens.eval;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ReliabilityTest {

    private static FieldOutcome answer(double confidence, boolean right) {
        return new FieldOutcome("t", right ? "t" : "u", confidence, right);
    }

    @Test
    void binsAreClosedBelowAndOpenAboveExceptTheLast() {
        assertThat(Reliability.binOf(0.0, 10)).isZero();
        assertThat(Reliability.binOf(0.0999, 10)).isZero();
        assertThat(Reliability.binOf(0.1, 10)).isEqualTo(1);
        assertThat(Reliability.binOf(0.5, 10)).isEqualTo(5);
        assertThat(Reliability.binOf(0.8999, 10)).isEqualTo(8);
        assertThat(Reliability.binOf(0.9, 10)).isEqualTo(9);
        assertThat(Reliability.binOf(1.0, 10)).as("1.0 in the last bin").isEqualTo(9);
        assertThat(Reliability.binOf(1.2, 10)).as("above 1 clamps").isEqualTo(9);
        assertThat(Reliability.binOf(-0.1, 10)).as("below 0 clamps").isZero();
        assertThat(Reliability.binOf(0.75, 4)).isEqualTo(3);
        assertThat(Reliability.binOf(0.7499, 4)).isEqualTo(2);
        assertThat(Reliability.binOf(0.3, 1)).isZero();
    }

    @Test
    void eachBinHasItsRangeCountMeanConfidenceAndAccuracy() {
        Reliability r = Reliability.of(List.of(answer(0.85, true), answer(0.85, true), answer(0.81, false), answer(0.89, true),
                answer(0.55, false), answer(1.0, true)), 10);
        assertThat(r.bins()).hasSize(10);
        Reliability.Bin eight = r.bins().get(8);
        assertThat(eight.low()).isEqualTo(0.8);
        assertThat(eight.high()).isEqualTo(0.9);
        assertThat(eight.count()).isEqualTo(4);
        assertThat(eight.right()).isEqualTo(3);
        assertThat(eight.meanConfidence()).isCloseTo(0.85, within(1e-12));
        assertThat(eight.accuracy()).isEqualTo(0.75);
        assertThat(eight.gap()).isCloseTo(0.10, within(1e-12));
        assertThat(r.bins().get(5).accuracy()).isZero();
        assertThat(r.bins().get(9).count()).isEqualTo(1);
        assertThat(r.bins().get(9).high()).isEqualTo(1.0);
        assertThat(r.binned()).isEqualTo(6);
        // ECE: (4 * 0.10 + 1 * 0.55 + 1 * 0) / 6
        assertThat(r.ece()).isCloseTo((0.4 + 0.55) / 6, within(1e-12));
    }

    @Test
    void emptyBinsAreThereButEmpty() {
        Reliability r = Reliability.of(List.of(answer(0.95, true)), 10);
        for (int b = 0; b < 9; b++) {
            Reliability.Bin bin = r.bins().get(b);
            assertThat(bin.isEmpty()).isTrue();
            assertThat(bin.count()).isZero();
            assertThat(bin.meanConfidence()).isNaN();
            assertThat(bin.accuracy()).isNaN();
            assertThat(bin.gap()).isNaN();
        }
        assertThat(r.ece()).isCloseTo(0.05, within(1e-12));
        Reliability none = Reliability.of(List.of(), 10);
        assertThat(none.bins()).hasSize(10).allMatch(Reliability.Bin::isEmpty);
        assertThat(none.ece()).isNaN();
        assertThat(none.evaluated()).isZero();
    }

    @Test
    void abstentionsAndAnswersWithoutConfidenceAreCountedButNotBinned() {
        List<FieldOutcome> outcomes = List.of(answer(0.9, true), new FieldOutcome("t", null, null, false),
                new FieldOutcome("t", null, null, false), new FieldOutcome("t", "t", null, true),
                new FieldOutcome("t", "u", Double.NaN, false));
        Reliability r = Reliability.of(outcomes, 10);
        assertThat(r.binned()).isEqualTo(1);
        assertThat(r.abstained()).isEqualTo(2);
        assertThat(r.unscored()).isEqualTo(2);
        assertThat(r.evaluated()).isEqualTo(5);
        assertThat(r.ece()).as("as the scorecard: only answers with a confidence").isCloseTo(0.1, within(1e-12));
    }

    @Test
    void itsEceIsTheScorecardsEce() {
        SplittableRandom random = new SplittableRandom(7);
        Scorecard card = new Scorecard(new com.listinglens.suggest.WeightClasses(List.of(100)));
        for (int i = 0; i < 500; i++) {
            double c = random.nextInt(21) / 20.0; // lands on bin edges often
            boolean right = random.nextDouble() < c * 0.9;
            boolean answered = random.nextDouble() > 0.1;
            card.add(new UploadOutcome("u" + i, "i.jpg", java.util.Map.of("brand",
                    new FieldOutcome("B", answered ? (right ? "B" : "X") : null, answered ? c : null, answered && right))));
        }
        for (int bins : new int[]{1, 5, 10, 15}) {
            Reliability r = Reliability.of(card.outcomes("brand"), bins);
            assertThat(r.ece()).isCloseTo(card.field("brand").expectedCalibrationError(bins), within(1e-12));
            assertThat(r.bins().stream().mapToInt(Reliability.Bin::count).sum()).isEqualTo(r.binned());
            assertThat(r.binned() + r.abstained()).isEqualTo(500);
        }
    }

    @Test
    void arraysAndOutcomesGiveTheSameDiagram() {
        double[] conf = {0.2, 0.4, 0.6, 0.6, 1.0};
        boolean[] right = {false, true, true, false, true};
        List<FieldOutcome> outcomes = new ArrayList<>();
        for (int i = 0; i < conf.length; i++) {
            outcomes.add(answer(conf[i], right[i]));
        }
        assertThat(Reliability.of(outcomes, 5)).isEqualTo(Reliability.of(conf, right, 5));
        assertThat(Reliability.of(conf, right, 5).ece())
                .isCloseTo(Calibrator.expectedCalibrationError(conf, right, 5), within(1e-12));
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> Reliability.of(List.of(), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Reliability.of(new double[2], new boolean[1], 10)).isInstanceOf(IllegalArgumentException.class);
    }
}
