package com.listinglens.calibration;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The confidence maps of a pool (no I/O): one {@link PlattScaling} per field, fitted when the pool was built on
 * uploads it does not hold (a validation catalog), so that a confidence of 0.8 is right about 80 % of the time.
 * Fields are named as the evaluation names them: {@code category level 1}, {@code category level 2}, ...,
 * {@code title}, {@code brand}, {@code weight class}. A field without a map keeps its raw vote share; a category
 * level deeper than any fitted one takes the deepest level's map.
 *
 * @param catalog   the catalog the maps were fitted on (path as given to the build)
 * @param sha256    its fingerprint, so that an evaluation on the same catalog can say its figures are in-sample
 * @param uploads   uploads it held
 * @param precision the query model precision the uploads were embedded with (the service's)
 * @param fields    field name to map
 * @param eceBefore expected calibration error per field on the calibration uploads with the raw shares
 * @param eceAfter  the same with the maps (in-sample)
 */
public record Calibration(String catalog, String sha256, long uploads, String precision, Map<String, PlattScaling> fields,
                          Map<String, Double> eceBefore, Map<String, Double> eceAfter) {

    public static final String CATEGORY_LEVEL = "category level ";
    public static final String TITLE = "title";
    public static final String BRAND = "brand";
    public static final String WEIGHT_CLASS = "weight class";

    private static final Calibration NONE = new Calibration(null, null, 0, null, Map.of(), Map.of(), Map.of());

    public Calibration {
        fields = fields == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        eceBefore = eceBefore == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(eceBefore));
        eceAfter = eceAfter == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(eceAfter));
        fields.forEach((k, v) -> Objects.requireNonNull(v, "map of " + k));
    }

    /** No maps: every confidence is the raw vote share. */
    public static Calibration none() {
        return NONE;
    }

    @JsonIgnore
    public boolean isNone() {
        return fields.isEmpty();
    }

    /** The map of a field (identity when none was fitted). */
    public PlattScaling field(String name) {
        PlattScaling map = fields.get(name);
        return map == null ? PlattScaling.identity() : map;
    }

    /** The map of category level {@code level} (1-based); a level deeper than the fitted ones takes the deepest. */
    public PlattScaling categoryLevel(int level) {
        if (level < 1) {
            throw new IllegalArgumentException("category levels count from 1, got " + level);
        }
        for (int l = level; l >= 1; l--) {
            PlattScaling map = fields.get(CATEGORY_LEVEL + l);
            if (map != null) {
                return map;
            }
        }
        return PlattScaling.identity();
    }
}
