package com.listinglens.training;

import com.listinglens.catalog.Listing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The classes a catalog's listings fall into: the leaf category (the whole category path) and the category's second
 * level (its first two elements; the coarse class), each with a dense index in sorted order so that the same catalog
 * always gives the same indices.
 *
 * <pre>{@code
 * TrainingLabels labels = TrainingLabels.of(catalog.listings());
 * int leaf = labels.leafOf(listing);       // 0 .. labels.leafNames().size() - 1
 * int coarse = labels.coarseOf(listing);
 * }</pre>
 * Listings without a category cannot be trained on: {@link #usable} says which are.
 */
public final class TrainingLabels {

    private final Map<String, Integer> leaf;
    private final Map<String, Integer> coarse;

    private TrainingLabels(Map<String, Integer> leaf, Map<String, Integer> coarse) {
        this.leaf = leaf;
        this.coarse = coarse;
    }

    /** The labels of these listings (those without a category are left out). */
    public static TrainingLabels of(List<Listing> listings) {
        TreeMap<String, Integer> leaf = new TreeMap<>();
        TreeMap<String, Integer> coarse = new TreeMap<>();
        for (Listing l : listings) {
            if (usable(l)) {
                leaf.put(leafKey(l), 0);
                coarse.put(coarseKey(l), 0);
            }
        }
        if (leaf.size() < 2) {
            throw new IllegalArgumentException("training needs listings of at least 2 leaf categories; found " + leaf.size());
        }
        number(leaf);
        number(coarse);
        return new TrainingLabels(leaf, coarse);
    }

    private static void number(TreeMap<String, Integer> m) {
        int i = 0;
        for (Map.Entry<String, Integer> e : m.entrySet()) {
            e.setValue(i++);
        }
    }

    /** Whether a listing has the category path training needs. */
    public static boolean usable(Listing l) {
        return l.hasCategory() && l.category().stream().noneMatch(c -> c == null || c.isBlank());
    }

    static String leafKey(Listing l) {
        return String.join("/", l.category());
    }

    static String coarseKey(Listing l) {
        return String.join("/", l.category().subList(0, Math.min(2, l.category().size())));
    }

    public int leafOf(Listing l) {
        Integer i = leaf.get(leafKey(l));
        if (i == null) {
            throw new IllegalArgumentException("listing " + l.id() + ": leaf category " + leafKey(l) + " is not among the training labels");
        }
        return i;
    }

    public int coarseOf(Listing l) {
        Integer i = coarse.get(coarseKey(l));
        if (i == null) {
            throw new IllegalArgumentException("listing " + l.id() + ": category " + coarseKey(l) + " is not among the training labels");
        }
        return i;
    }

    public List<String> leafNames() {
        return new ArrayList<>(leaf.keySet());
    }

    public List<String> coarseNames() {
        return new ArrayList<>(coarse.keySet());
    }
}
