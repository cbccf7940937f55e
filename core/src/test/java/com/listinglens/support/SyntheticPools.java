package com.listinglens.support;

import com.listinglens.catalog.CatalogReader;
import com.listinglens.catalog.Listing;
import com.listinglens.catalog.ListingJson;
import com.listinglens.pool.Manifest;
import com.listinglens.pool.PoolFiles;
import com.listinglens.vector.FaissIndex;
import com.listinglens.vector.Metric;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Big pools made quickly for memory and load tests: random unit vectors in the model's space and dimension, with
 * the iconic catalog's listings repeated under new ids. Valid in every respect the service checks; their answers
 * just carry no meaning.
 */
public final class SyntheticPools {

    /** The space the configured model and views embed in (the service refuses pools of any other). */
    public static final String SPACE = configuredSpace();
    public static final int DIMENSION = 1280;

    private SyntheticPools() {
    }

    private static String configuredSpace() {
        com.listinglens.config.LensConfig config = com.listinglens.config.ConfigLoader.load();
        return config.model().space() + com.listinglens.config.Settings.scales(config).spaceSuffix();
    }

    /** The pool {@code version} of {@code listings} listings (built once per checkout under target/test-pools). */
    public static synchronized Path build(String version, int listings, long seed) {
        Path dir = Root.target("test-pools", "synthetic-" + version + "-" + listings);
        if (PoolFiles.exists(dir)) {
            if (SPACE.equals(PoolFiles.readManifest(dir).model().space())) {
                return dir;
            }
            // made for another configured space (views changed since): made again
            com.listinglens.indexer.PoolBuilder.deleteTree(dir);
        }
        try {
            Path tmp = Files.createDirectories(dir.resolveSibling(dir.getFileName() + ".tmp-" + System.nanoTime()));
            SplittableRandom random = new SplittableRandom(seed);
            float[] vectors = new float[listings * DIMENSION];
            long[] ids = new long[listings];
            for (int i = 0; i < listings; i++) {
                double norm = 0;
                for (int j = 0; j < DIMENSION; j++) {
                    float v = (float) random.nextDouble(-1, 1);
                    vectors[i * DIMENSION + j] = v;
                    norm += v * v;
                }
                float scale = (float) (1 / Math.sqrt(norm));
                for (int j = 0; j < DIMENSION; j++) {
                    vectors[i * DIMENSION + j] *= scale;
                }
                ids[i] = i;
            }
            try (FaissIndex index = FaissIndex.create("IDMap,Flat", DIMENSION, Metric.INNER_PRODUCT)) {
                index.addWithIds(vectors, ids);
                index.write(tmp.resolve(PoolFiles.INDEX));
            }
            List<Listing> base = CatalogReader.read(TestPools.grocery().resolve("iconic.jsonl")).listings();
            try (BufferedWriter out = Files.newBufferedWriter(tmp.resolve(PoolFiles.LISTINGS), StandardCharsets.UTF_8)) {
                for (int i = 0; i < listings; i++) {
                    Listing l = base.get(i % base.size());
                    out.write(ListingJson.toLine(new Listing(version + "-" + i, l.image(), l.title(), l.category(), l.brand(),
                            l.weightGrams(), l.price(), l.extra())));
                    out.write('\n');
                }
            }
            Manifest manifest = new Manifest(Manifest.FORMAT_VERSION, version,
                    new Manifest.ModelRef("mobilenet_v2", SPACE, "fp32", "synthetic"), DIMENSION, listings, Instant.now(),
                    "IDMap,Flat", "inner_product", List.of(),
                    List.of(PoolFiles.describeFile(tmp.resolve(PoolFiles.INDEX)), PoolFiles.describeFile(tmp.resolve(PoolFiles.LISTINGS))));
            PoolFiles.writeManifest(tmp, manifest);
            Files.move(tmp, dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
