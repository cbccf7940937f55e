package com.listinglens.suggest;

import com.listinglens.calibration.Calibration;
import com.listinglens.calibration.PlattScaling;
import com.listinglens.catalog.Listing;
import com.listinglens.pool.Neighbour;
import com.listinglens.suggest.ListingSuggestion.CategoryLevel;
import com.listinglens.suggest.ListingSuggestion.CategorySuggestion;
import com.listinglens.suggest.ListingSuggestion.Field;
import com.listinglens.suggest.ListingSuggestion.NeighbourView;
import com.listinglens.suggest.ListingSuggestion.PriceBand;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Turns the nearest listings into suggestions, with no I/O: each neighbour votes with weight
 * exp(similarity / temperature) (after Mercari's k-NN listing assistant). A field is suggested only when
 * enough of the vote carries it (support) and agrees on it (confidence); otherwise it is null with a
 * reason, never invented. Confidences are the vote shares, mapped by the pool's {@link Calibration} when it has one.
 */
public final class Suggester {

    private final SuggestSettings settings;

    public Suggester(SuggestSettings settings) {
        this.settings = settings;
    }

    public SuggestSettings settings() {
        return settings;
    }

    /**
     * Merges the neighbours of several photos of one item: a listing found by more than one photo keeps its
     * best similarity; the {@code k} most similar remain, best first.
     */
    public static List<Neighbour> merge(List<List<Neighbour>> perPhoto, int k) {
        Map<String, Neighbour> best = new HashMap<>();
        for (List<Neighbour> list : perPhoto) {
            for (Neighbour n : list) {
                best.merge(n.listing().id(), n, (a, b) -> a.similarity() >= b.similarity() ? a : b);
            }
        }
        return best.values().stream()
                .sorted(Comparator.comparingDouble(Neighbour::similarity).reversed()
                        .thenComparing(n -> n.listing().id()))
                .limit(k)
                .toList();
    }

    /** Suggestions with the raw vote shares as confidences. */
    public ListingSuggestion suggest(List<Neighbour> neighbours) {
        return suggest(neighbours, Calibration.none());
    }

    /**
     * Suggestions whose confidences go through the pool's calibration maps; the minimum confidences apply to the
     * calibrated values (they are probabilities of being right once calibrated).
     */
    public ListingSuggestion suggest(List<Neighbour> neighbours, Calibration calibration) {
        if (neighbours.isEmpty()) {
            String why = "the pool returned no similar listings";
            return new ListingSuggestion(Field.none(why), new CategorySuggestion(null, why), Field.none(why),
                    PriceBand.none(why), Field.none(why), List.of());
        }
        double[] weights = weights(neighbours);
        CategorySuggestion category = category(neighbours, weights, calibration);
        // title, weight class and price band come from the neighbours of the chosen category only (a 1 l milk carton
        // near a banana must not make the banana weigh a kilo); the brand from every neighbour with a brand
        double[] inCategory = inCategory(neighbours, weights, category);
        String scope = category.path() == null ? "" : " in " + String.join(" > ", category.names());
        return new ListingSuggestion(
                vote(neighbours, inCategory, Listing::title, "a title", scope, settings.minSupport(),
                        calibration.field(Calibration.TITLE)),
                category,
                vote(neighbours, weights, Listing::brand, "a brand", "", settings.minBrandSupport(),
                        calibration.field(Calibration.BRAND)),
                priceBand(neighbours, inCategory, scope),
                vote(neighbours, inCategory,
                        l -> l.weightGrams() == null ? null : settings.weightClasses().classify(l.weightGrams()),
                        "a weight", scope, settings.minSupport(), calibration.field(Calibration.WEIGHT_CLASS)),
                neighbours.stream().limit(settings.neighboursShown())
                        .map(n -> new NeighbourView(n.listing().id(), n.listing().title(), n.listing().category(),
                                round(n.similarity(), 4), n.listing().image()))
                        .toList());
    }

    /** exp(s / T), shifted by the best similarity so that large 1/T cannot overflow (shares are unchanged). */
    double[] weights(List<Neighbour> neighbours) {
        double max = neighbours.stream().mapToDouble(Neighbour::similarity).max().orElse(0);
        double[] w = new double[neighbours.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = Math.exp((neighbours.get(i).similarity() - max) / settings.temperature());
        }
        return w;
    }

    private static double total(double[] weights) {
        double t = 0;
        for (double w : weights) {
            t += w;
        }
        return t;
    }

    /**
     * The vote weights of the neighbours whose category lies under the chosen path (0 for the others); every
     * neighbour's weight when no category was chosen.
     */
    static double[] inCategory(List<Neighbour> neighbours, double[] weights, CategorySuggestion category) {
        if (category.path() == null || category.path().isEmpty()) {
            return weights;
        }
        List<String> chosen = category.names();
        double[] out = new double[weights.length];
        for (int i = 0; i < weights.length; i++) {
            List<String> c = neighbours.get(i).listing().category();
            out[i] = c.size() >= chosen.size() && c.subList(0, chosen.size()).equals(chosen) ? weights[i] : 0;
        }
        return out;
    }

    private static int counted(double[] weights) {
        int n = 0;
        for (double w : weights) {
            n += w > 0 ? 1 : 0;
        }
        return n;
    }

    private <T> Field<T> vote(List<Neighbour> neighbours, double[] weights, Function<Listing, T> field, String what,
                              String scope, double minSupport, PlattScaling map) {
        Vote<T> vote = new Vote<>();
        for (int i = 0; i < neighbours.size(); i++) {
            T value = field.apply(neighbours.get(i).listing());
            if (value != null && weights[i] > 0) {
                vote.add(value, weights[i]);
            }
        }
        if (vote.isEmpty()) {
            return Field.none("none of the " + counted(weights) + " similar listings" + scope + " has " + what);
        }
        double support = vote.total() / total(weights);
        if (support < minSupport) {
            return Field.none(String.format(Locale.ROOT, "too few similar listings%s have %s (%.0f %% of the vote, %.0f %% needed)",
                    scope, what, 100 * support, 100 * minSupport));
        }
        Map.Entry<T, Double> winner = vote.winner().orElseThrow();
        double confidence = map.apply(winner.getValue() / vote.total());
        if (confidence < settings.minConfidence()) {
            return Field.none(String.format(Locale.ROOT, "similar listings disagree on %s (best: %s with %.0f %%, %.0f %% needed)",
                    what, describe(winner.getKey()), 100 * confidence, 100 * settings.minConfidence()));
        }
        return Field.of(winner.getKey(), round(confidence, 4));
    }

    private static String describe(Object value) {
        return value instanceof WeightClasses.WeightClass c ? "'" + c.label() + "'" : "'" + value + "'";
    }

    /**
     * The category path is chosen by {@link CategoryVote} (the most-voted whole path, or level by level); each
     * level reports the share of the category vote whose path agrees up to it, and the path stops at the first
     * level whose share is under the minimum.
     */
    private CategorySuggestion category(List<Neighbour> neighbours, double[] weights, Calibration calibration) {
        double all = total(weights);
        double withCategory = 0;
        for (int i = 0; i < neighbours.size(); i++) {
            if (neighbours.get(i).listing().hasCategory()) {
                withCategory += weights[i];
            }
        }
        if (withCategory == 0) {
            return new CategorySuggestion(null, "none of the " + neighbours.size() + " similar listings has a category");
        }
        if (withCategory / all < settings.minSupport()) {
            return new CategorySuggestion(null, String.format(Locale.ROOT,
                    "too few similar listings have a category (%.0f %% of the vote)", 100 * withCategory / all));
        }
        List<String> chosen = settings.categoryVote() == CategoryVote.LEAF
                ? leafVote(neighbours, weights)
                : topDownVote(neighbours, weights);
        List<CategoryLevel> path = new ArrayList<>();
        String stop = null;
        for (int level = 0; level < chosen.size(); level++) {
            List<String> prefix = chosen.subList(0, level + 1);
            double backing = 0;
            for (int i = 0; i < neighbours.size(); i++) {
                List<String> c = neighbours.get(i).listing().category();
                if (c.size() > level && c.subList(0, level + 1).equals(prefix)) {
                    backing += weights[i];
                }
            }
            double confidence = calibration.categoryLevel(level + 1).apply(backing / withCategory);
            if (confidence < settings.minCategoryConfidence()) {
                stop = String.format(Locale.ROOT, "similar listings disagree below level %d (best: '%s' with %.0f %%)",
                        level, chosen.get(level), 100 * confidence);
                break;
            }
            path.add(new CategoryLevel(chosen.get(level), round(confidence, 4)));
        }
        if (path.isEmpty()) {
            return new CategorySuggestion(null, stop == null ? "no category" : stop.replace("below level 0", "on the category"));
        }
        return new CategorySuggestion(List.copyOf(path), stop);
    }

    /** The whole path with the most vote (the nearest neighbour's on a tie). */
    private static List<String> leafVote(List<Neighbour> neighbours, double[] weights) {
        Vote<List<String>> vote = new Vote<>();
        for (int i = 0; i < neighbours.size(); i++) {
            List<String> c = neighbours.get(i).listing().category();
            if (!c.isEmpty()) {
                vote.add(c, weights[i]);
            }
        }
        return vote.winner().map(Map.Entry::getKey).orElse(List.of());
    }

    /** Level by level: the child of the path so far with the most vote. */
    private static List<String> topDownVote(List<Neighbour> neighbours, double[] weights) {
        List<String> chosen = new ArrayList<>();
        for (int level = 0; ; level++) {
            Vote<String> vote = new Vote<>();
            for (int i = 0; i < neighbours.size(); i++) {
                List<String> c = neighbours.get(i).listing().category();
                if (c.size() > level && c.subList(0, level).equals(chosen)) {
                    vote.add(c.get(level), weights[i]);
                }
            }
            var winner = vote.winner();
            if (winner.isEmpty()) {
                return chosen;
            }
            chosen.add(winner.get().getKey());
        }
    }

    private PriceBand priceBand(List<Neighbour> neighbours, double[] weights, String scope) {
        List<Double> prices = new ArrayList<>();
        List<Double> priceWeights = new ArrayList<>();
        for (int i = 0; i < neighbours.size(); i++) {
            Double price = neighbours.get(i).listing().price();
            if (price != null && weights[i] > 0) {
                prices.add(price);
                priceWeights.add(weights[i]);
            }
        }
        if (prices.isEmpty()) {
            return PriceBand.none("none of the " + counted(weights) + " similar listings" + scope + " has a price");
        }
        if (prices.size() < settings.minPriceNeighbours()) {
            return PriceBand.none("only " + prices.size() + " of the similar listings" + scope + " have a price; "
                    + settings.minPriceNeighbours() + " are needed for a band");
        }
        double support = priceWeights.stream().mapToDouble(Double::doubleValue).sum() / total(weights);
        if (support < settings.minSupport()) {
            return PriceBand.none(String.format(Locale.ROOT,
                    "too few similar listings%s have a price (%.0f %% of the vote)", scope, 100 * support));
        }
        double[] v = prices.stream().mapToDouble(Double::doubleValue).toArray();
        double[] w = priceWeights.stream().mapToDouble(Double::doubleValue).toArray();
        return new PriceBand(
                round(Quantiles.weighted(v, w, settings.priceLowQuantile()), 2),
                round(Quantiles.weighted(v, w, settings.priceHighQuantile()), 2),
                round(Quantiles.weighted(v, w, 0.5), 2),
                settings.currency(),
                prices.size(),
                null);
    }

    private static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }
}
