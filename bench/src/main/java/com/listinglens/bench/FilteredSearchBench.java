package com.listinglens.bench;

import com.listinglens.catalog.Listing;
import com.listinglens.catalog.ListingJson;
import com.listinglens.pool.ListingFilter;
import com.listinglens.pool.Manifest;
import com.listinglens.pool.Pool;
import com.listinglens.pool.PoolFiles;
import com.listinglens.vector.FaissIndex;
import com.listinglens.vector.Metric;
import com.listinglens.vector.SearchParams;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Filtered image search on a large synthetic pool: N listings (default 1,000,000) of clustered unit vectors in the
 * model's dimension, in 100 categories of 1 % each, searched through the same Pool code the service runs, with
 * filters keeping 100 %, 10 %, 1 % and 0.1 % of the pool. Prints per filter: results returned (k asked), how often
 * the search widened, and latency percentiles; one table per index factory, side by side.
 *
 * <pre>bench/filtered-search.sh [listings] [queries] [factory ...]</pre>
 */
public final class FilteredSearchBench {

    static final int D = 1280;
    static final int K = 10;
    static final int CLUSTERS = 2000;

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int queries = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        List<String> factories = args.length > 2 ? Arrays.asList(args).subList(2, args.length) : List.of("IDMap,SQ8", "IVF1024,SQ8");
        Path root = Path.of("target/bench-pools").toAbsolutePath();
        FaissIndex.setThreads(1);
        System.out.printf(Locale.ROOT, "filtered search bench: %,d listings of dimension %d, %d queries, k=%d, 1 search thread%n",
                n, D, queries, K);
        List<String[]> rows = new ArrayList<>();
        for (String factory : factories) {
            Path dir = root.resolve(factory.replaceAll("[^A-Za-z0-9]", "_") + "-" + n);
            if (!PoolFiles.exists(dir)) {
                build(dir, factory, n);
            }
            long t0 = System.nanoTime();
            Pool pool = Pool.open(dir, new Pool.OpenOptions(false, false, null, 0));
            System.out.printf(Locale.ROOT, "%s: opened in %.1f s, native memory in use %.0f MB%n", factory, (System.nanoTime() - t0) / 1e9,
                    FaissIndex.nativeMemoryInUse() / 1e6);
            try {
                rows.addAll(measure(pool, factory, n, queries));
            } finally {
                pool.discard();
            }
        }
        System.out.println();
        System.out.printf("%-14s %-22s %9s %8s %9s %9s %9s %9s%n", "index", "filter", "matching", "results", "widened",
                "p50 ms", "p99 ms", "max ms");
        for (String[] r : rows) {
            System.out.printf("%-14s %-22s %9s %8s %9s %9s %9s %9s%n", (Object[]) r);
        }
    }

    static List<String[]> measure(Pool pool, String factory, int n, int queries) {
        record Case(String name, ListingFilter filter) {
        }
        List<Case> cases = List.of(
                new Case("none (100 %)", ListingFilter.NONE),
                new Case("top category (10 %)", new ListingFilter(List.of("T3"), Set.of(), null, null, Set.of())),
                new Case("category (1 %)", new ListingFilter(List.of("T3", "C37"), Set.of(), null, null, Set.of())),
                new Case("category+price (0.1 %)", new ListingFilter(List.of("T3", "C37"), Set.of(), 10.0, 19.99, Set.of())));
        SplittableRandom random = new SplittableRandom(42);
        float[][] qs = new float[queries][];
        for (int i = 0; i < queries; i++) {
            int c = random.nextInt(CLUSTERS);
            qs[i] = vector(new float[][]{center(c)}, random, 0);
        }
        List<String[]> out = new ArrayList<>();
        for (Case c : cases) {
            // warm-up
            for (int i = 0; i < Math.min(20, queries); i++) {
                pool.search(new float[][]{qs[i]}, K, SearchParams.DEFAULT, c.filter());
            }
            double[] ms = new double[queries];
            long minResults = Long.MAX_VALUE;
            long widened = 0;
            long matching = 0;
            for (int i = 0; i < queries; i++) {
                long t0 = System.nanoTime();
                Pool.Found f = pool.search(new float[][]{qs[i]}, K, SearchParams.DEFAULT, c.filter());
                ms[i] = (System.nanoTime() - t0) / 1e6;
                minResults = Math.min(minResults, f.rows().get(0).size());
                widened += f.widened() ? 1 : 0;
                matching = f.matching();
                for (var nb : f.rows().get(0)) {
                    if (!c.filter().matches(nb.listing())) {
                        throw new IllegalStateException("a result does not pass the filter: " + nb.listing());
                    }
                }
            }
            Arrays.sort(ms);
            out.add(new String[]{factory, c.name(), String.format(Locale.ROOT, "%,d", matching), "min " + minResults,
                    widened + "/" + queries, fmt(ms[ms.length / 2]), fmt(ms[(int) Math.min(ms.length - 1, Math.ceil(ms.length * 0.99) - 1)]),
                    fmt(ms[ms.length - 1])});
            System.out.printf(Locale.ROOT, "  %s / %s: p50 %.2f ms, %d widened, fewest results %d%n", factory, c.name(),
                    ms[ms.length / 2], widened, minResults);
        }
        return out;
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static float[] center(int c) {
        SplittableRandom r = new SplittableRandom(1_000_003L * c + 17);
        float[] v = new float[D];
        for (int j = 0; j < D; j++) {
            v[j] = (float) r.nextGaussian();
        }
        return v;
    }

    static void build(Path dir, String factory, int n) throws IOException {
        long t0 = System.nanoTime();
        Path tmp = dir.resolveSibling(dir.getFileName() + ".tmp");
        Files.createDirectories(tmp);
        int chunk = 20_000;
        float[][] centers = new float[CLUSTERS][];
        for (int c = 0; c < CLUSTERS; c++) {
            centers[c] = center(c);
        }
        try (FaissIndex index = FaissIndex.create(factory, D, Metric.INNER_PRODUCT);
             BufferedWriter listings = Files.newBufferedWriter(tmp.resolve(PoolFiles.LISTINGS), StandardCharsets.UTF_8)) {
            SplittableRandom random = new SplittableRandom(7);
            if (!index.isTrained()) {
                int sample = Math.min(n, 50_000);
                float[] train = new float[sample * D];
                for (int i = 0; i < sample; i++) {
                    System.arraycopy(vector(centers, random, random.nextInt(CLUSTERS)), 0, train, i * D, D);
                }
                System.out.printf(Locale.ROOT, "%s: training on %,d vectors...%n", factory, sample);
                index.train(train, sample);
            }
            SplittableRandom meta = new SplittableRandom(11);
            for (int from = 0; from < n; from += chunk) {
                int m = Math.min(chunk, n - from);
                float[] v = new float[m * D];
                long[] ids = new long[m];
                for (int i = 0; i < m; i++) {
                    int row = from + i;
                    System.arraycopy(vector(centers, random, random.nextInt(CLUSTERS)), 0, v, i * D, D);
                    ids[i] = row;
                    int cat = meta.nextInt(100);
                    Listing l = new Listing("S" + row, "synthetic/" + row + ".jpg", "listing " + row,
                            List.of("T" + (cat / 10), "C" + cat), "B" + meta.nextInt(50), null,
                            Math.round(meta.nextDouble(0, 100) * 100) / 100.0, null);
                    listings.write(ListingJson.toLine(l));
                    listings.write('\n');
                }
                index.addWithIds(v, ids);
                if ((from / chunk) % 10 == 0 || from + m == n) {
                    System.out.printf(Locale.ROOT, "%s: %,d / %,d listings indexed (%.0f s)%n", factory, from + m, n,
                            (System.nanoTime() - t0) / 1e9);
                }
            }
            index.write(tmp.resolve(PoolFiles.INDEX));
        }
        Manifest manifest = new Manifest(Manifest.FORMAT_VERSION, "bench-" + n, new Manifest.ModelRef("synthetic", "synthetic", "fp32", "none"),
                D, n, Instant.now(), factory, "inner_product", List.of(),
                List.of(PoolFiles.describeFile(tmp.resolve(PoolFiles.INDEX)), PoolFiles.describeFile(tmp.resolve(PoolFiles.LISTINGS))));
        PoolFiles.writeManifest(tmp, manifest);
        Files.move(tmp, dir);
        System.out.printf(Locale.ROOT, "%s: pool of %,d built in %.0f s%n", factory, n, (System.nanoTime() - t0) / 1e9);
    }

    /** A unit vector near {@code centers[c]}. */
    static float[] vector(float[][] centers, SplittableRandom r, int c) {
        float[] v = centers[c].clone();
        double norm = 0;
        for (int j = 0; j < D; j++) {
            v[j] += (float) (0.8 * r.nextGaussian());
            norm += v[j] * v[j];
        }
        float s = (float) (1 / Math.sqrt(norm));
        for (int j = 0; j < D; j++) {
            v[j] *= s;
        }
        return v;
    }
}
