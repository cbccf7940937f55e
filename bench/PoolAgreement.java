import com.listinglens.catalog.CatalogReader;
import com.listinglens.catalog.Listing;
import com.listinglens.config.ConfigLoader;
import com.listinglens.config.LensConfig;
import com.listinglens.config.Settings;
import com.listinglens.embedding.DjlEmbedder;
import com.listinglens.embedding.Embedder;
import com.listinglens.indexer.PhotoEmbedding;
import com.listinglens.pool.Neighbour;
import com.listinglens.pool.Pool;
import com.listinglens.pool.PoolFiles;
import com.listinglens.vector.SearchParams;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Do two pools answer the same? The val uploads (embedded as the service embeds them, with the configured model and
 * views) searched in both pools: how many get the same top-10 listing ids (as sets, as SparkPoolJobTest compares the
 * Spark job's pool with the single-machine builder's), and the same first neighbour. Prints both pools' versions and
 * listing counts, and "RESULT same_top10=N of M"; exits 1 below MIN (default 0.99).
 *   java -cp CLASSPATH bench/PoolAgreement.java POOL_A POOL_B [VAL.jsonl] [MIN]
 */
public final class PoolAgreement {

    public static void main(String[] args) throws Exception {
        Path a = Path.of(args[0]);
        Path b = Path.of(args[1]);
        LensConfig config = ConfigLoader.load();
        Path valFile = args.length > 2 ? Path.of(args[2]) : config.sharedDir().resolve("datasets/grocery/val.jsonl");
        double min = args.length > 3 ? Double.parseDouble(args[3]) : 0.99;
        Path root = valFile.toAbsolutePath().getParent();
        List<Listing> val = CatalogReader.read(valFile).listings();
        float[][] queries = new float[val.size()][];
        try (Embedder embedder = new DjlEmbedder(Settings.model(config.model(), config.model().precision()));
             PhotoEmbedding photos = new PhotoEmbedding(Settings.decoder(config.image()), Settings.scales(config), embedder,
                     config.model().batchSize(), config.build().decodeThreads())) {
            int[] i = {0};
            photos.embed(val, l -> root.resolve(l.image()), new PhotoEmbedding.Sink<>() {
                @Override
                public void embedded(Listing item, float[] embedding) {
                    queries[i[0]++] = embedding;
                }

                @Override
                public void unusable(Listing item, Throwable cause) {
                    throw new IllegalStateException("val photo " + item.image() + " unusable", cause);
                }
            }, null);
            Pool p = Settings.openPool(config, a, embedder);
            Pool q = Settings.openPool(config, b, embedder);
            int same = 0;
            int sameFirst = 0;
            try {
                List<List<Neighbour>> x = p.search(queries, 10, SearchParams.DEFAULT);
                List<List<Neighbour>> y = q.search(queries, 10, SearchParams.DEFAULT);
                for (int k = 0; k < queries.length; k++) {
                    if (ids(x.get(k)).equals(ids(y.get(k)))) {
                        same++;
                    }
                    if (!x.get(k).isEmpty() && !y.get(k).isEmpty() && x.get(k).get(0).listing().id().equals(y.get(k).get(0).listing().id())) {
                        sameFirst++;
                    }
                }
            } finally {
                p.discard();
                q.discard();
            }
            for (Path pool : List.of(a, b)) {
                var m = PoolFiles.parseManifest(Files.readAllBytes(pool.resolve("manifest.json")), pool.toString());
                System.out.printf(Locale.ROOT, "pool %s: version %s, %d listings, %s%n", pool, m.poolVersion(), m.listingCount(), m.indexFactory());
            }
            double agreement = (double) same / queries.length;
            System.out.printf(Locale.ROOT, "RESULT same_top10=%d of %d (%.2f %%), same_first=%d%n", same, queries.length, 100 * agreement, sameFirst);
            System.exit(agreement >= min ? 0 : 1);
        }
    }

    private static Set<String> ids(List<Neighbour> found) {
        Set<String> ids = new HashSet<>();
        found.forEach(nb -> ids.add(nb.listing().id()));
        return ids;
    }
}
