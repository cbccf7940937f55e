package com.listinglens.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.listinglens.config.Settings;
import com.listinglens.calibration.Calibration;
import com.listinglens.catalog.Listing;
import com.listinglens.config.ConfigLoader;
import com.listinglens.config.LensConfig;
import com.listinglens.indexer.EmbeddingPoolBuilder;
import com.listinglens.indexer.EmbeddingSet;
import com.listinglens.indexer.IndexPolicy;
import com.listinglens.indexer.Progress;
import com.listinglens.pool.ListingStore;
import com.listinglens.pool.Manifest;
import com.listinglens.pool.Neighbour;
import com.listinglens.pool.PhotoVectors;
import com.listinglens.pool.Pool;
import com.listinglens.pool.PoolFiles;
import com.listinglens.projection.Projection;
import com.listinglens.suggest.ListingSuggestion;
import com.listinglens.suggest.Suggester;
import com.listinglens.vector.FaissIndex;
import com.listinglens.vector.Metric;
import com.listinglens.vector.SearchParams;
import com.listinglens.vector.SearchResult;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Pool scale (issue 10): a synthetic catalog with the neighbourhood structure of real embeddings, pooled at 1M, 10M and
 * 50M listings through the same builder and Pool code the service runs, measured side by side.
 *
 * <p>The catalog starts with the real grocery pool (its listings and their projected embeddings), padded with synthetic
 * listings: each synthetic "product" is a real listing moved along the directions in which listings of its own category
 * differ (real within-category difference vectors, plus a little isotropic noise), and each product has a few listings
 * (sellers' photos of one item) spread the same way at a smaller scale. Brands follow a Zipf law over 20,000 names,
 * categories the grocery catalog's own skewed frequencies. Queries are the real val uploads (projected with the pool's
 * projection), topped up to 1,000 with fresh synthetic listings that are not in the pool.
 *
 * <pre>bench/pool-scale.sh [sizes, e.g. 1000000,10000000,50000000] [queries]</pre>
 */
public final class PoolScaleBench {

    static final int K = 10;
    static final int PER_PRODUCT = 8;
    static final int BRANDS = 20_000;
    static final int BLOCK = 1 << 20;
    /**
     * Re-ranking settings swept: {refine, exact}; refine 0 is the pool as the service opens it (the configured
     * lens.build.auto.refine and lens.pool.exact-rerank); exact 0: the fp32 rows score every candidate (no 8-bit stage),
     * -1: the configured lens.pool.exact-rerank.
     */
    static final int[][] RERANKS = {{0, -1}, {32, 4}};
    /**
     * Queries run before the sweep, none of them measured ones (fresh synthetic listings): the page cache then holds
     * what steady traffic keeps there, not what the build or the exact search left, nor only the measured queries' pages.
     */
    static final int WARMUP_QUERIES = 2000;
    static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        Path basePool = Path.of(args[0]);
        Path valSet = Path.of(args[1]);
        Path work = Path.of(args[2]);
        String[] sizes = args[3].split(",");
        int queryCount = Integer.parseInt(args[4]);
        Path cppBench = Path.of(args[5]);
        int[] nprobes = Arrays.stream(args[6].split(",")).mapToInt(Integer::parseInt).toArray();
        Files.createDirectories(work);
        LensConfig config = ConfigLoader.load();

        Base base = Base.load(basePool, valSet);
        System.out.printf(Locale.ROOT, "base: %d real listings (dimension %d), %d val uploads, %d categories%n",
                base.n, base.d, base.val.length / base.d, base.byCategory.size());
        List<Map<String, Object>> results = new ArrayList<>();
        for (String s : sizes) {
            long n = Long.parseLong(s.strip());
            results.add(runSize(config, base, basePool, work, n, queryCount, cppBench, nprobes));
            Files.writeString(work.resolve("results.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(results));
        }
        System.out.println();
        System.out.println("=== pool scale summary ===");
        for (Map<String, Object> r : results) {
            System.out.println(JSON.writeValueAsString(r));
        }
    }

    /** The real grocery pool's listings and projected embeddings, the val uploads projected, categories' rows. */
    record Base(int n, int d, float[] vectors, List<Listing> listings, float[] val, float[][] valRaw, List<Listing> valListings,
                Map<List<String>, int[]> byCategory, int[] categoryOfRow, List<List<String>> categories, String space,
                String projectionSha256) {

        static Base load(Path pool, Path valSet) {
            Manifest m = PoolFiles.readManifest(pool);
            Manifest.ProjectionRef ref = m.projection();
            Projection projection = Projection.read(pool.resolve(ref.file()));
            int n = (int) m.listingCount();
            int d = ref.outputDimension();
            float[] vectors = new float[n * d];
            List<Listing> listings = new ArrayList<>();
            try (PhotoVectors photos = PhotoVectors.open(pool.resolve(ref.photoVectors()), n, ref.inputDimension());
                 ListingStore store = ListingStore.open(pool.resolve(PoolFiles.LISTING_STORE))) {
                float[] one = new float[ref.inputDimension()];
                for (int r = 0; r < n; r++) {
                    photos.row(r, one);
                    System.arraycopy(projection.apply(one), 0, vectors, r * d, d);
                    listings.add(store.listing(r));
                }
            }
            float[] val;
            float[][] valRaw;
            List<Listing> valListings = new ArrayList<>();
            try (EmbeddingSet set = EmbeddingSet.open(valSet)) {
                int nv = (int) set.count();
                float[] raw = new float[nv * set.dimension()];
                set.read(0, nv, raw);
                valRaw = new float[nv][];
                for (int q = 0; q < nv; q++) {
                    valRaw[q] = Arrays.copyOfRange(raw, q * set.dimension(), (q + 1) * set.dimension());
                }
                val = new float[nv * d];
                projection.apply(raw, nv, val);
                try (var lines = Files.lines(set.listings())) {
                    lines.forEach(l -> valListings.add(com.listinglens.catalog.CatalogReader.parse(l)));
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            Map<List<String>, List<Integer>> rows = new LinkedHashMap<>();
            for (int r = 0; r < n; r++) {
                rows.computeIfAbsent(listings.get(r).category(), c -> new ArrayList<>()).add(r);
            }
            Map<List<String>, int[]> byCategory = new LinkedHashMap<>();
            List<List<String>> categories = new ArrayList<>(rows.keySet());
            int[] categoryOfRow = new int[n];
            for (int c = 0; c < categories.size(); c++) {
                int[] members = rows.get(categories.get(c)).stream().mapToInt(Integer::intValue).toArray();
                byCategory.put(categories.get(c), members);
                for (int r : members) {
                    categoryOfRow[r] = c;
                }
            }
            return new Base(n, d, vectors, listings, val, valRaw, valListings, byCategory, categoryOfRow, categories, m.model().space(),
                    ref.sha256());
        }
    }

    /** Deterministic synthetic rows: row r's vector and listing depend only on r (and the base). */
    static final class Generator {
        final Base base;
        final double[] brandCdf;
        long product = -1;
        final float[] productVector;
        int productBase;
        String productBrand;

        Generator(Base base) {
            this.base = base;
            this.productVector = new float[base.d];
            brandCdf = new double[BRANDS];
            double sum = 0;
            for (int i = 0; i < BRANDS; i++) {
                sum += 1 / Math.pow(i + 1, 1.1);
                brandCdf[i] = sum;
            }
            for (int i = 0; i < BRANDS; i++) {
                brandCdf[i] /= sum;
            }
        }

        /** Synthetic row {@code s} (from 0), its vector into {@code out}. */
        Listing row(long s, float[] out, int offset) {
            long p = s / PER_PRODUCT;
            int d = base.d;
            if (p != product) {
                product = p;
                SplittableRandom rng = new SplittableRandom(0x5eed_0000L ^ (p * 0x9E3779B97F4A7C15L));
                productBase = rng.nextInt(base.n);
                spread(rng, productBase, base.vectors, productBase * d, productVector, 0, 0.6, 0.02);
                double u = rng.nextDouble();
                productBrand = u < 0.3 ? base.listings.get(productBase).brand() : "Brand " + zipf(rng);
            }
            SplittableRandom rng = new SplittableRandom(0x11_57_1a6L ^ (s * 0xBF58476D1CE4E5B9L));
            spread(rng, productBase, productVector, 0, out, offset, 0.25, 0.01);
            Listing b = base.listings.get(productBase);
            Double price = b.price() == null ? null : Math.round(b.price() * Math.exp(0.3 * rng.nextGaussian()) * 100) / 100.0;
            return new Listing("syn-" + s, "synthetic/" + p + "-" + (s % PER_PRODUCT) + ".jpg",
                    b.title() == null ? null : b.title() + " #" + p, b.category(), productBrand, b.weightGrams(), price, Map.of());
        }

        /**
         * {@code from} moved by alpha~U(0, maxAlpha) times the difference of two real listings of the category of base
         * row {@code row}, plus isotropic noise of {@code sigma} per dimension, normalised.
         */
        void spread(SplittableRandom rng, int row, float[] from, int fromOffset, float[] out, int offset, double maxAlpha, double sigma) {
            int d = base.d;
            int[] members = base.byCategory.get(base.categories.get(base.categoryOfRow[row]));
            int k = members[rng.nextInt(members.length)];
            int l = members[rng.nextInt(members.length)];
            double alpha = rng.nextDouble() * maxAlpha;
            double norm = 0;
            for (int i = 0; i < d; i++) {
                double v = from[fromOffset + i] + alpha * (base.vectors[k * d + i] - base.vectors[l * d + i]) + sigma * rng.nextGaussian();
                out[offset + i] = (float) v;
                norm += v * v;
            }
            float inv = (float) (1 / Math.sqrt(norm));
            for (int i = 0; i < d; i++) {
                out[offset + i] *= inv;
            }
        }

        int zipf(SplittableRandom rng) {
            int at = Arrays.binarySearch(brandCdf, rng.nextDouble());
            return at >= 0 ? at : -at - 1;
        }
    }

    static Map<String, Object> runSize(LensConfig config, Base base, Path basePool, Path work, long n, int queryCount, Path cppBench,
                                       int[] nprobes) throws Exception {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("listings", n);
        System.out.printf(Locale.ROOT, "%n=== %,d listings ===%n", n);
        Path setDir = work.resolve("set-" + n);
        Generator gen = new Generator(base);
        int d = base.d;
        if (!Files.isRegularFile(setDir.resolve(EmbeddingSet.INFO))) {
            long t = System.nanoTime();
            try (EmbeddingSet.Writer w = new EmbeddingSet.Writer(setDir, base.space, "synthetic", d, base.projectionSha256)) {
                Progress progress = new Progress(System.out, "generating", n);
                float[] row = new float[d];
                for (long i = 0; i < n; i++) {
                    Listing l;
                    if (i < base.n) {
                        System.arraycopy(base.vectors, (int) i * d, row, 0, d);
                        l = base.listings.get((int) i);
                    } else {
                        l = gen.row(i - base.n, row, 0);
                    }
                    w.add(l, row, 0);
                    if ((i & 0xFFFF) == 0xFFFF) {
                        progress.advance(0x10000);
                    }
                }
                progress.advance(n & 0xFFFF);
                progress.finish();
                w.finish();
            }
            r.put("generate_s", round((System.nanoTime() - t) / 1e9));
        }
        String factory = config.build().indexFactory();
        String tag = n + "-" + factory.replaceAll("[^A-Za-z0-9]", "_") + "-" + config.build().metric();
        Path poolDir = work.resolve("pool-" + tag);
        Path buildInfo = work.resolve("build-" + tag + ".json");
        if (!PoolFiles.exists(poolDir)) {
            try (EmbeddingSet set = EmbeddingSet.open(setDir)) {
                FaissIndex.setThreads(Runtime.getRuntime().availableProcessors());
                EmbeddingPoolBuilder.Report report = new EmbeddingPoolBuilder(System.out).build(new EmbeddingPoolBuilder.Request(set,
                        poolDir, factory, Settings.indexPolicy(config.build().auto()), Settings.metric(config.build().metric()), basePool, true,
                        config.build().addBatch()));
                Map<String, Object> b = new LinkedHashMap<>();
                b.put("build_s", round(report.seconds()));
                b.put("train_s", round(report.trainSeconds()));
                b.put("add_s", round(report.addSeconds()));
                b.put("sq8_s", round(report.sq8Seconds()));
                b.put("build_rows_per_s", Math.round(n / report.seconds()));
                Files.writeString(buildInfo, JSON.writeValueAsString(b));
            }
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> built = JSON.readValue(Files.readString(buildInfo), Map.class);
        r.putAll(built);
        Manifest manifest = PoolFiles.readManifest(poolDir);
        r.put("factory", manifest.indexFactory());
        r.put("refine_in_manifest", manifest.indexChoice() == null ? 0 : manifest.indexChoice().refine());
        r.put("index_bytes", Files.size(poolDir.resolve(PoolFiles.INDEX)));
        r.put("listings_bytes", Files.size(poolDir.resolve(PoolFiles.LISTING_STORE)));
        r.put("refine_vectors_bytes", Files.exists(poolDir.resolve(PoolFiles.INDEX_VECTORS))
                ? Files.size(poolDir.resolve(PoolFiles.INDEX_VECTORS)) : 0);
        r.put("sq8_vectors_bytes", Files.exists(poolDir.resolve(PoolFiles.INDEX_VECTORS_SQ8))
                ? Files.size(poolDir.resolve(PoolFiles.INDEX_VECTORS_SQ8)) : 0);
        r.put("set_bytes", Files.size(setDir.resolve(EmbeddingSet.VECTORS)) + Files.size(setDir.resolve(EmbeddingSet.LISTINGS)));

        // queries: val uploads, topped up with fresh synthetic listings (rows past the pool's end)
        int nv = base.val.length / d;
        int nq = Math.max(queryCount, nv);
        float[] queries = new float[nq * d];
        System.arraycopy(base.val, 0, queries, 0, nv * d);
        for (int q = nv; q < nq; q++) {
            gen.row(n + 1_000_003L * q, queries, q * d);
        }
        // exact top-K of every query over the same vectors, by blocks
        long t = System.nanoTime();
        int kk = Math.max(K, config.search().k());
        Exact exact = exact(setDir, queries, nq, d, kk);
        r.put("exact_s", round((System.nanoTime() - t) / 1e9));

        // load as the service does: checksums verified, resident memory before and after
        System.gc();
        long rss0 = rssBytes();
        long heap0 = heapUsed();
        t = System.nanoTime();
        // re-ranking is a search parameter: the configured factor (lens.build.auto.refine), whatever the pool was built with
        int refineFactor = config.build().auto().refine();
        Pool pool = Pool.open(poolDir, new Pool.OpenOptions(false, true, base.space, manifest.queryDimension(), refineFactor,
                config.pool().exactRerank()));
        double loadS = (System.nanoTime() - t) / 1e9;
        System.gc();
        long rss1 = rssBytes();
        r.put("load_s", round(loadS));
        r.put("rss_before_load_mib", mib(rss0));
        r.put("rss_after_load_mib", mib(rss1));
        r.put("rss_anon_after_load_mib", mib(status("RssAnon:")));
        r.put("rss_file_after_load_mib", mib(status("RssFile:")));
        r.put("heap_added_by_load_mib", mib(heapUsed() - heap0));
        r.put("native_malloc_mib", mib(FaissIndex.nativeMemoryInUse()));
        System.out.printf(Locale.ROOT, "loaded in %.1f s: RSS %.0f MiB (before %.0f), of it anonymous %.0f / file-backed %.0f MiB,"
                + " heap +%.1f MiB, native malloc %.0f MiB%n", loadS, mib(rss1), mib(rss0), mib(status("RssAnon:")),
                mib(status("RssFile:")), mib(heapUsed() - heap0), mib(FaissIndex.nativeMemoryInUse()));
        FaissIndex.setThreads(1);
        try {
            float[][] qrows = new float[nq][];
            // queries go in through the pool's projection in the service; here they are already projected
            for (int q = 0; q < nq; q++) {
                qrows[q] = Arrays.copyOfRange(queries, q * d, (q + 1) * d);
            }
            int chosen = config.search().nprobe() > 0 ? config.search().nprobe()
                    : manifest.indexChoice() == null ? 0 : manifest.indexChoice().nprobe();
            long tw = System.nanoTime();
            float[] warm = new float[d];
            SearchParams warmParams = chosen == 0 ? SearchParams.DEFAULT : SearchParams.ofNprobe(chosen);
            for (int w = 0; w < WARMUP_QUERIES; w++) {
                gen.row(n + 7_000_003L * (w + 1), warm, 0);
                pool.searchProjected(new float[][]{warm}, K, warmParams);
            }
            double warmS = (System.nanoTime() - tw) / 1e9;
            r.put("warmup_queries", WARMUP_QUERIES);
            r.put("warmup_s", round(warmS));
            System.out.printf(Locale.ROOT, "warm-up: %d other queries in %.1f s%n", WARMUP_QUERIES, warmS);
            List<Map<String, Object>> sweep = new ArrayList<>();
            boolean ivf = manifest.indexFactory().startsWith("IVF");
            int[][] reranks = ivf && manifest.indexChoice() != null && manifest.indexChoice().refine() > 0 ? RERANKS : new int[][]{{0, -1}};
            for (int[] rerank : reranks) {
                Pool p = pool;
                if (rerank[0] != 0) {
                    // one index in memory at a time, as in the service: a second copy would take the page cache's room
                    pool.discard();
                    pool = null;
                    p = Pool.open(poolDir, new Pool.OpenOptions(false, false, base.space, manifest.queryDimension(),
                            rerank[0], rerank[1] < 0 ? config.pool().exactRerank() : rerank[1]));
                }
                try {
                    for (int nprobe : ivf ? nprobes : new int[]{0}) {
                        Map<String, Object> row = measureSearch(p, qrows, exact, nprobe, 1);
                        row.put("agreement", agreement(config, p, base, nv, exact, nprobe));
                        sweep.add(row);
                    }
                } finally {
                    if (pool == null) {
                        p.discard();
                    }
                }
                if (pool == null) {
                    pool = Pool.open(poolDir, new Pool.OpenOptions(false, false, base.space, manifest.queryDimension(), refineFactor,
                            config.pool().exactRerank()));
                }
            }
            r.put("sweep_1_thread", sweep);
            // as the service: lens.search.nprobe when set, else the pool's recommendation
            r.put("nprobe", chosen);
            r.put("refine", pool.refineFactor());
            r.put("exact_rerank", pool.exactFactor());
            r.put("at_nprobe_1_thread", measureSearch(pool, qrows, exact, chosen, 1));
            r.put("at_nprobe_2_threads", measureSearch(pool, qrows, exact, chosen, 2));
            r.put("rss_after_queries_mib", mib(rssBytes()));
            r.put("rss_anon_after_queries_mib", mib(status("RssAnon:")));
            r.put("rss_file_after_queries_mib", mib(status("RssFile:")));
            r.put("listings_resident_mib", mib(mappedRss(poolDir.resolve(PoolFiles.LISTING_STORE))));
            r.put("refine_vectors_resident_mib", mib(mappedRss(poolDir.resolve(PoolFiles.INDEX_VECTORS))));
            r.put("sq8_vectors_resident_mib", mib(mappedRss(poolDir.resolve(PoolFiles.INDEX_VECTORS_SQ8))));
            r.put("agreement", agreement(config, pool, base, nv, exact, chosen));
            r.put("jni", jni(poolDir, queries, nq, d, chosen, cppBench, work));
        } finally {
            if (pool != null) {
                pool.discard();
            }
        }
        System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(r));
        return r;
    }

    /** The exact top-k ids per query over every row of the set, by blocks of flat inner product. */
    record Exact(long[][] ids, float[][] scores) {
    }

    static Exact exact(Path setDir, float[] queries, int nq, int d, int k) {
        FaissIndex.setThreads(Runtime.getRuntime().availableProcessors());
        float[][] best = new float[nq][k];
        long[][] ids = new long[nq][k];
        for (float[] b : best) {
            Arrays.fill(b, Float.NEGATIVE_INFINITY);
        }
        for (long[] i : ids) {
            Arrays.fill(i, -1);
        }
        try (EmbeddingSet set = EmbeddingSet.open(setDir)) {
            long n = set.count();
            Progress progress = new Progress(System.out, "exact search", n);
            float[] block = new float[BLOCK * d];
            for (long from = 0; from < n; from += BLOCK) {
                int b = (int) Math.min(BLOCK, n - from);
                float[] rows = b == BLOCK ? block : new float[b * d];
                set.read(from, b, rows);
                long[] rowIds = new long[b];
                for (int i = 0; i < b; i++) {
                    rowIds[i] = from + i;
                }
                try (FaissIndex flat = FaissIndex.create("IDMap,Flat", d, Metric.INNER_PRODUCT)) {
                    flat.addWithIds(rows, rowIds);
                    SearchResult res = flat.search(queries, nq, Math.min(k, b));
                    for (int q = 0; q < nq; q++) {
                        for (int j = 0; j < Math.min(k, b); j++) {
                            insert(best[q], ids[q], res.score(q, j), res.id(q, j));
                        }
                    }
                }
                progress.advance(b);
            }
            progress.finish();
        }
        return new Exact(ids, best);
    }

    private static void insert(float[] best, long[] ids, float score, long id) {
        int k = best.length;
        if (id < 0 || score <= best[k - 1]) {
            return;
        }
        int at = k - 1;
        while (at > 0 && best[at - 1] < score) {
            best[at] = best[at - 1];
            ids[at] = ids[at - 1];
            at--;
        }
        best[at] = score;
        ids[at] = id;
    }

    /** Latency percentiles and recall@10 of single-query searches through the pool, on {@code threads} threads at once. */
    static Map<String, Object> measureSearch(Pool pool, float[][] qrows, Exact exact, int nprobe, int threads) throws Exception {
        SearchParams params = nprobe == 0 ? SearchParams.DEFAULT : SearchParams.ofNprobe(nprobe);
        int nq = qrows.length;
        // warm-up: one pass over a tenth of the queries
        for (int q = 0; q < nq; q += 10) {
            pool.searchProjected(new float[][]{qrows[q]}, K, params);
        }
        long[] nanos = new long[nq];
        double[] recall = new double[nq];
        ExecutorService ex = Executors.newFixedThreadPool(threads);
        long t0 = System.nanoTime();
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int w = 0; w < threads; w++) {
                int worker = w;
                fs.add(ex.submit(() -> {
                    for (int q = worker; q < nq; q += threads) {
                        long t = System.nanoTime();
                        List<Neighbour> found = pool.searchProjected(new float[][]{qrows[q]}, K, params).get(0);
                        nanos[q] = System.nanoTime() - t;
                        int hit = 0;
                        for (Neighbour nb : found) {
                            long row = pool.listings().row(nb.listing().id());
                            for (int j = 0; j < K; j++) {
                                if (exact.ids()[q][j] == row) {
                                    hit++;
                                    break;
                                }
                            }
                        }
                        recall[q] = hit / (double) K;
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            ex.shutdownNow();
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("nprobe", nprobe);
        row.put("refine", pool.refineFactor());
        row.put("exact_rerank", pool.exactFactor());
        row.put("threads", threads);
        row.put("recall_at_10", round4(Arrays.stream(recall).average().orElse(0)));
        row.put("p50_ms", round(sorted[nq / 2] / 1e6));
        row.put("p99_ms", round(sorted[(int) Math.min(nq - 1, Math.ceil(nq * 0.99) - 1)] / 1e6));
        row.put("queries_per_s", Math.round(nq / wall));
        System.out.printf(Locale.ROOT, "  refine %s (fp32 of %s), nprobe %3d, %d thread(s): recall@10 %.4f, p50 %.2f ms, p99 %.2f ms, %.0f queries/s%n", pool.refineFactor(),
                pool.exactFactor() == 0 ? "all" : pool.exactFactor() + " x k", nprobe,
                threads, (double) row.get("recall_at_10"), (double) row.get("p50_ms"), (double) row.get("p99_ms"), nq / wall);
        return row;
    }

    /** Suggestions from the pool's neighbours against those from the exact neighbours, for every val upload. */
    static Map<String, Object> agreement(LensConfig config, Pool pool, Base base, int nv, Exact exact, int nprobe) {
        Suggester suggester = new Suggester(Settings.suggest(config.suggest()));
        int k = config.search().k();
        SearchParams params = nprobe == 0 ? SearchParams.DEFAULT : SearchParams.ofNprobe(nprobe);
        int same = 0;
        int sameWithPrice = 0;
        int sameNeighbours = 0;
        int sameAtFp16 = 0;
        Path refineFile = pool.dir().resolve(PoolFiles.INDEX_VECTORS);
        PhotoVectors refine = Files.exists(refineFile) ? PhotoVectors.open(refineFile, pool.size(), base.d(), 4) : null;
        for (int q = 0; q < nv; q++) {
            // the service's path: the model's embedding, projected by the pool
            List<Neighbour> approx = pool.search(new float[][]{base.valRaw()[q]}, k, params).get(0);
            List<Neighbour> truth = new ArrayList<>();
            for (int j = 0; j < k; j++) {
                long row = exact.ids()[q][j];
                truth.add(new Neighbour(pool.listing((int) row), exact.scores()[q][j], Float.NaN));
            }
            ListingSuggestion a = suggester.suggest(approx, Calibration.none());
            ListingSuggestion e = suggester.suggest(truth, Calibration.none());
            if (refine != null) {
                // the exact neighbours with their similarities as the re-ranking computes them (fp16 rows)
                List<Neighbour> truth16 = new ArrayList<>();
                float[] pq = Arrays.copyOfRange(base.val(), q * base.d(), (q + 1) * base.d());
                for (Neighbour nb : truth) {
                    truth16.add(new Neighbour(nb.listing(), refine.dot(pool.listings().row(nb.listing().id()), pq), Float.NaN));
                }
                if (sameFields(suggester.suggest(truth16, Calibration.none()), e)) {
                    sameAtFp16++;
                }
            }
            boolean fields = sameFields(a, e);
            if (!fields && System.getenv("LENS_BENCH_DEBUG") != null) {
                System.out.println("DISAGREE q" + q + "\n approx " + approx.stream().map(nb -> nb.listing().id() + ":" + nb.similarity()).toList()
                        + "\n exact  " + truth.stream().map(nb -> nb.listing().id() + ":" + nb.similarity()).toList()
                        + "\n a " + a.title().value() + " " + names(a) + " " + a.brand().value() + " " + a.weightClass().value()
                        + "\n e " + e.title().value() + " " + names(e) + " " + e.brand().value() + " " + e.weightClass().value());
            }
            if (fields) {
                same++;
                if (java.util.Objects.equals(a.priceBand().low(), e.priceBand().low())
                        && java.util.Objects.equals(a.priceBand().high(), e.priceBand().high())) {
                    sameWithPrice++;
                }
            }
            if (approx.stream().map(nb -> nb.listing().id()).toList().equals(truth.stream().map(nb -> nb.listing().id()).toList())) {
                sameNeighbours++;
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("val_uploads", nv);
        out.put("same_title_category_brand_weight", round4(same / (double) nv));
        out.put("same_including_price_band", round4(sameWithPrice / (double) nv));
        out.put("same_neighbour_list", round4(sameNeighbours / (double) nv));
        out.put("exact_neighbours_at_refine_similarity", round4(sameAtFp16 / (double) nv));
        if (refine != null) {
            refine.close();
        }
        System.out.printf(Locale.ROOT, "  suggestions on %d val uploads: %.2f %% agree with exact search (title, category, brand, weight),"
                        + " %.2f %% with the price band too, %.2f %% same %d neighbours%n", nv, 100.0 * same / nv, 100.0 * sameWithPrice / nv,
                100.0 * sameNeighbours / nv, k);
        return out;
    }

    private static boolean sameFields(ListingSuggestion a, ListingSuggestion e) {
        boolean fields = java.util.Objects.equals(a.title().value(), e.title().value());
        fields &= names(a).equals(names(e));
        fields &= java.util.Objects.equals(a.brand().value(), e.brand().value());
        fields &= java.util.Objects.equals(a.weightClass().value(), e.weightClass().value());
        return fields;
    }

    private static List<String> names(ListingSuggestion s) {
        return s.category() == null || s.category().path() == null ? List.of()
                : s.category().path().stream().map(ListingSuggestion.CategoryLevel::name).toList();
    }

    /** JNI overhead: the same single-query searches from Java and from a C++ loop over the same index file. */
    static Map<String, Object> jni(Path poolDir, float[] queries, int nq, int d, int nprobe, Path cppBench, Path work) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        if (!Files.isExecutable(cppBench)) {
            out.put("skipped", "no C++ bench at " + cppBench);
            return out;
        }
        Path qfile = work.resolve("queries.f32");
        ByteBuffer buf = ByteBuffer.allocate(nq * d * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < nq * d; i++) {
            buf.putFloat(queries[i]);
        }
        try (OutputStream o = Files.newOutputStream(qfile)) {
            o.write(buf.array());
        }
        int rounds = 5;
        double javaMean = Double.MAX_VALUE;
        double cppMean = Double.MAX_VALUE;
        try (FaissIndex index = FaissIndex.read(poolDir.resolve(PoolFiles.INDEX), false)) {
            SearchParams params = nprobe == 0 ? SearchParams.DEFAULT : SearchParams.ofNprobe(nprobe);
            float[] one = new float[d];
            for (int q = 0; q < nq; q++) {
                // warm-up pass, as the C++ loop makes one before it times
                System.arraycopy(queries, q * d, one, 0, d);
                index.search(one, 1, K, params);
            }
            for (int round = 0; round < rounds; round++) {
                // alternate the two sides so that drift of the machine hits both
                long t = System.nanoTime();
                for (int q = 0; q < nq; q++) {
                    System.arraycopy(queries, q * d, one, 0, d);
                    index.search(one, 1, K, params);
                }
                javaMean = Math.min(javaMean, (System.nanoTime() - t) / 1e3 / nq);
                Process p = new ProcessBuilder(cppBench.toString(), poolDir.resolve(PoolFiles.INDEX).toString(), qfile.toString(),
                        Integer.toString(d), Integer.toString(K), Integer.toString(nprobe), "1").redirectErrorStream(true).start();
                String text = new String(p.getInputStream().readAllBytes());
                if (p.waitFor() != 0) {
                    out.put("error", text);
                    return out;
                }
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("mean_us=([0-9.]+)").matcher(text);
                if (!m.find()) {
                    out.put("error", text);
                    return out;
                }
                cppMean = Math.min(cppMean, Double.parseDouble(m.group(1)));
            }
        }
        out.put("java_mean_us", round(javaMean));
        out.put("cpp_mean_us", round(cppMean));
        out.put("overhead_pct", round(100 * (javaMean / cppMean - 1)));
        System.out.printf(Locale.ROOT, "  JNI: Java %.1f us per query, C++ %.1f us (best of %d): overhead %.2f %%%n", javaMean, cppMean,
                rounds, 100 * (javaMean / cppMean - 1));
        return out;
    }

    static long rssBytes() throws IOException {
        return status("VmRSS:");
    }

    /**
     * A size line of /proc/self/status in bytes: VmRSS (all resident), RssAnon (heap, native allocations: what the
     * process holds), RssFile (pages of mapped files the kernel may drop and read again under memory pressure).
     */
    static long status(String key) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }

    /** Resident bytes of the mappings of {@code file} (from /proc/self/smaps). */
    static long mappedRss(Path file) throws IOException {
        String name = file.toAbsolutePath().toString();
        long total = 0;
        boolean in = false;
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
            if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
                in = line.endsWith(name);
            } else if (in && line.startsWith("Rss:")) {
                total += Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return total;
    }

    static long heapUsed() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    static double mib(long bytes) {
        return Math.round(bytes / 1048576.0 * 10) / 10.0;
    }

    static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    static double round4(double v) {
        return Math.round(v * 10000) / 10000.0;
    }
}
