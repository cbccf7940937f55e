package com.listinglens.training;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A seeded, stratified split of a training catalog into the photos trained on and the photos held out to stop early
 * on: per class, {@code round(fraction * n)} photos are held out, but never all of a class's photos (a class of one
 * photo is trained on only). The same labels, fraction and seed always give the same split.
 *
 * <pre>{@code
 * TrainingSplit split = TrainingSplit.of(classOfEachPhoto, 0.1, 7);
 * split.train();    // indices into the catalog, sorted
 * split.holdout();
 * }</pre>
 */
public record TrainingSplit(List<Integer> train, List<Integer> holdout) {

    public TrainingSplit {
        train = List.copyOf(train);
        holdout = List.copyOf(holdout);
    }

    /** @param classes the class of each photo (index i is photo i) */
    public static TrainingSplit of(int[] classes, double fraction, long seed) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("holdout fraction must be in [0, 1); got " + fraction);
        }
        Map<Integer, List<Integer>> byClass = new TreeMap<>();
        for (int i = 0; i < classes.length; i++) {
            byClass.computeIfAbsent(classes[i], k -> new ArrayList<>()).add(i);
        }
        List<Integer> train = new ArrayList<>();
        List<Integer> holdout = new ArrayList<>();
        for (Map.Entry<Integer, List<Integer>> e : byClass.entrySet()) {
            List<Integer> members = new ArrayList<>(e.getValue());
            Collections.shuffle(members, new Random(seed * 1_000_003L + e.getKey()));
            int held = (int) Math.min(members.size() - 1L, Math.round(fraction * members.size()));
            holdout.addAll(members.subList(0, Math.max(0, held)));
            train.addAll(members.subList(Math.max(0, held), members.size()));
        }
        Collections.sort(train);
        Collections.sort(holdout);
        return new TrainingSplit(train, holdout);
    }
}
