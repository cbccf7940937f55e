package com.listinglens.eval;

import com.listinglens.calibration.Calibration;
import com.listinglens.catalog.Listing;
import com.listinglens.pool.Neighbour;
import com.listinglens.suggest.SuggestSettings;
import com.listinglens.suggest.Suggester;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Out-of-sample calibration error without a second catalog (no I/O): the uploads are split in random halves; maps
 * fitted on one half ({@link Calibrator}, from the raw suggestions, as a pool build does) are applied to the other
 * half's suggestions ({@link Suggester} with its minimum confidences, as the service does) and scored, both ways,
 * {@code rounds} times. What a pool calibrated on about half this many uploads would show on uploads it never saw.
 */
public final class CrossFit {

    /**
     * Mean and 90th percentile of a field's calibration error over the rounds, the splits it was measured in, and the
     * floor: the mean error that perfectly calibrated confidences would show on halves this small (outcomes drawn
     * with the measured half's own confidences as probabilities), the part of the error that is sampling noise.
     */
    public record FieldError(double mean, double p90, int measured, double floor) {
    }

    private CrossFit() {
    }

    /** The calibration error of these confidences with outcomes drawn from them (perfect calibration), one draw. */
    static double floor(List<double[]> scored, SplittableRandom random) {
        double[] conf = new double[scored.size()];
        boolean[] right = new boolean[scored.size()];
        for (int i = 0; i < conf.length; i++) {
            conf[i] = scored.get(i)[0];
            right[i] = random.nextDouble() < conf[i];
        }
        return Calibrator.expectedCalibrationError(conf, right, Calibrator.ECE_BINS);
    }

    /**
     * @param truths     the uploads' truth
     * @param neighbours the neighbours the pool found for each upload
     */
    public static Map<String, FieldError> run(List<Listing> truths, List<List<Neighbour>> neighbours, SuggestSettings settings,
                                              int rounds, long seed) {
        if (truths.size() != neighbours.size()) {
            throw new IllegalArgumentException(truths.size() + " truths but " + neighbours.size() + " neighbour lists");
        }
        if (rounds < 1 || truths.size() < 4) {
            throw new IllegalArgumentException("cross-fitting needs at least 1 round and 4 uploads");
        }
        Suggester raw = new Suggester(settings.withoutMinimumConfidence());
        Suggester served = new Suggester(settings);
        int n = truths.size();
        Map<String, List<Double>> errors = new LinkedHashMap<>();
        Map<String, List<Double>> floors = new LinkedHashMap<>();
        SplittableRandom random = new SplittableRandom(seed);
        SplittableRandom draws = new SplittableRandom(seed + 1);
        int[] order = new int[n];
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            int[] a = Arrays.copyOfRange(order, 0, n / 2);
            int[] b = Arrays.copyOfRange(order, n / 2, n);
            for (int[][] split : new int[][][]{{a, b}, {b, a}}) {
                Calibrator calibrator = new Calibrator(settings.weightClasses());
                for (int i : split[0]) {
                    calibrator.add(truths.get(i), raw.suggest(neighbours.get(i)));
                }
                Calibration maps = calibrator.fit("half", "-", split[0].length, "-");
                Scorecard card = new Scorecard(settings.weightClasses());
                for (int i : split[1]) {
                    card.add(truths.get(i), served.suggest(neighbours.get(i), maps));
                }
                card.fields().forEach((field, tally) -> {
                    double ece = tally.expectedCalibrationError(Calibrator.ECE_BINS);
                    if (!Double.isNaN(ece)) {
                        errors.computeIfAbsent(field, f -> new ArrayList<>()).add(ece);
                        floors.computeIfAbsent(field, f -> new ArrayList<>()).add(floor(tally.scored(), draws));
                    }
                });
            }
        }
        Map<String, FieldError> out = new LinkedHashMap<>();
        errors.forEach((field, list) -> {
            double[] sorted = list.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double mean = Arrays.stream(sorted).average().orElse(Double.NaN);
            double p90 = sorted[Math.min(sorted.length - 1, (int) Math.ceil(0.9 * sorted.length) - 1)];
            double floor = floors.get(field).stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            out.put(field, new FieldError(mean, p90, sorted.length, floor));
        });
        return out;
    }
}
