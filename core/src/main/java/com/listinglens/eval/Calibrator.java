package com.listinglens.eval;

import com.listinglens.calibration.Calibration;
import com.listinglens.calibration.PlattScaling;
import com.listinglens.catalog.Listing;
import com.listinglens.suggest.ListingSuggestion;
import com.listinglens.suggest.WeightClasses;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fits a pool's confidence maps (no I/O) from uploads with known truth and the suggestions the pool gave them with
 * raw vote shares and no minimum confidence (so that every level and field that could be answered was).
 *
 * <p>What each map's confidence is the probability of: category level N, that the suggested path down to level N
 * is the true one (a path deeper than the truth is wrong at the levels the truth lacks); title, brand and weight
 * class, that the suggested value equals the true one, over the uploads whose truth has the field. A field with
 * fewer than {@link #MIN_ANSWERS} scored answers keeps its raw shares.
 */
public final class Calibrator {

    /** Fewer answers than this leave a field's confidences as they are. */
    public static final int MIN_ANSWERS = 20;
    /** Bins of the expected calibration error reported with the maps. */
    public static final int ECE_BINS = 10;

    private final WeightClasses weightClasses;
    private final Map<String, List<double[]>> pairs = new LinkedHashMap<>();

    public Calibrator(WeightClasses weightClasses) {
        this.weightClasses = weightClasses;
    }

    /** One upload: its truth and the raw suggestion. */
    public void add(Listing truth, ListingSuggestion raw) {
        List<ListingSuggestion.CategoryLevel> levels = raw.category().path() == null ? List.of() : raw.category().path();
        List<String> trueCategory = truth.category();
        if (!trueCategory.isEmpty()) {
            for (int level = 0; level < levels.size(); level++) {
                boolean right = trueCategory.size() > level
                        && raw.category().names().subList(0, level + 1).equals(trueCategory.subList(0, level + 1));
                pair(Calibration.CATEGORY_LEVEL + (level + 1), levels.get(level).confidence(), right);
            }
        }
        if (truth.title() != null && raw.title().value() != null) {
            pair(Calibration.TITLE, raw.title().confidence(), truth.title().equals(raw.title().value()));
        }
        if (truth.brand() != null && raw.brand().value() != null) {
            pair(Calibration.BRAND, raw.brand().confidence(), truth.brand().equals(raw.brand().value()));
        }
        if (truth.weightGrams() != null && raw.weightClass().value() != null) {
            pair(Calibration.WEIGHT_CLASS, raw.weightClass().confidence(),
                    raw.weightClass().value().index() == weightClasses.classify(truth.weightGrams()).index());
        }
    }

    private void pair(String field, Double confidence, boolean right) {
        if (confidence != null && Double.isFinite(confidence)) {
            pairs.computeIfAbsent(field, f -> new ArrayList<>()).add(new double[]{confidence, right ? 1 : 0});
        }
    }

    /** Scored answers per field so far. */
    public Map<String, Integer> answers() {
        Map<String, Integer> out = new LinkedHashMap<>();
        pairs.forEach((f, p) -> out.put(f, p.size()));
        return out;
    }

    /** The maps, with the calibration error before and after on the same uploads. */
    public Calibration fit(String catalog, String sha256, long uploads, String precision) {
        Map<String, PlattScaling> maps = new LinkedHashMap<>();
        Map<String, Double> before = new LinkedHashMap<>();
        Map<String, Double> after = new LinkedHashMap<>();
        pairs.forEach((field, p) -> {
            if (p.size() < MIN_ANSWERS) {
                return;
            }
            double[] conf = new double[p.size()];
            boolean[] right = new boolean[p.size()];
            for (int i = 0; i < conf.length; i++) {
                conf[i] = p.get(i)[0];
                right[i] = p.get(i)[1] > 0;
            }
            PlattScaling map = PlattScaling.fit(conf, right);
            double[] mapped = new double[conf.length];
            for (int i = 0; i < conf.length; i++) {
                mapped[i] = map.apply(conf[i]);
            }
            maps.put(field, map);
            before.put(field, round(expectedCalibrationError(conf, right, ECE_BINS)));
            after.put(field, round(expectedCalibrationError(mapped, right, ECE_BINS)));
        });
        return new Calibration(catalog, sha256, uploads, precision, maps, before, after);
    }

    /** Expected calibration error: |accuracy - mean confidence| per equal-width bin, weighted by the bin's share. */
    public static double expectedCalibrationError(double[] confidence, boolean[] right, int bins) {
        if (confidence.length == 0) {
            return Double.NaN;
        }
        double[] conf = new double[bins];
        double[] acc = new double[bins];
        int[] count = new int[bins];
        for (int i = 0; i < confidence.length; i++) {
            int b = Math.min(bins - 1, Math.max(0, (int) Math.floor(confidence[i] * bins)));
            conf[b] += confidence[i];
            acc[b] += right[i] ? 1 : 0;
            count[b]++;
        }
        double ece = 0;
        for (int b = 0; b < bins; b++) {
            if (count[b] > 0) {
                ece += Math.abs(acc[b] - conf[b]) / confidence.length;
            }
        }
        return ece;
    }

    private static double round(double v) {
        return Math.round(v * 1e4) / 1e4;
    }
}
