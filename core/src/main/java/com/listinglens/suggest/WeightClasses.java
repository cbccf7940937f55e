package com.listinglens.suggest;

import java.util.ArrayList;
import java.util.List;

/**
 * Shipping weight classes from ascending upper bounds in grams: bounds 250, 500, 1000 give the classes
 * "<= 250 g", "<= 500 g", "<= 1 kg" and "> 1 kg".
 */
public final class WeightClasses {

    /** One class: weights in (minGrams, maxGrams]; maxGrams null for the last, open class. */
    public record WeightClass(int index, String label, Integer minGrams, Integer maxGrams) {
    }

    private final List<WeightClass> classes;

    public WeightClasses(List<Integer> upperBoundsGrams) {
        if (upperBoundsGrams == null || upperBoundsGrams.isEmpty()) {
            throw new IllegalArgumentException("at least one weight class bound is required");
        }
        List<WeightClass> list = new ArrayList<>();
        Integer previous = null;
        for (int i = 0; i < upperBoundsGrams.size(); i++) {
            Integer bound = upperBoundsGrams.get(i);
            if (bound == null || bound <= 0 || (previous != null && bound <= previous)) {
                throw new IllegalArgumentException("weight class bounds must be positive and strictly ascending: " + upperBoundsGrams);
            }
            list.add(new WeightClass(i, "<= " + grams(bound), previous, bound));
            previous = bound;
        }
        list.add(new WeightClass(upperBoundsGrams.size(), "> " + grams(previous), previous, null));
        this.classes = List.copyOf(list);
    }

    public List<WeightClass> all() {
        return classes;
    }

    /** The class of a weight in grams (must be > 0 and finite). */
    public WeightClass classify(double grams) {
        if (!(grams > 0) || Double.isInfinite(grams)) {
            throw new IllegalArgumentException("weight must be a positive number of grams, got " + grams);
        }
        for (WeightClass c : classes) {
            if (c.maxGrams() == null || grams <= c.maxGrams()) {
                return c;
            }
        }
        throw new AssertionError("the last class is open");
    }

    static String grams(int grams) {
        if (grams >= 1000 && grams % 1000 == 0) {
            return grams / 1000 + " kg";
        }
        if (grams >= 1000 && grams % 100 == 0) {
            return (grams / 1000) + "." + (grams % 1000) / 100 + " kg";
        }
        return grams + " g";
    }
}
