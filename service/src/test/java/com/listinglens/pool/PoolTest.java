package com.listinglens.pool;

import com.listinglens.config.Settings;
import com.listinglens.catalog.CatalogReader;
import com.listinglens.catalog.Listing;
import com.listinglens.cli.LensCli;
import com.listinglens.config.ConfigLoader;
import com.listinglens.config.LensConfig;
import com.listinglens.embedding.DjlEmbedder;
import com.listinglens.embedding.Embedder;
import com.listinglens.image.DecodedImage;
import com.listinglens.image.ImageDecoder;
import com.listinglens.image.ImageSettings;
import com.listinglens.image.Preprocessor;
import com.listinglens.indexer.PoolBuilder;
import com.listinglens.indexer.PoolBuildReport;
import com.listinglens.indexer.PoolBuildRequest;
import com.listinglens.support.TestPools;
import com.listinglens.vector.Metric;
import com.listinglens.vector.SearchParams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Pool builds, manifests, checks and swaps, on the real model and real photos. */
class PoolTest {

    private static LensConfig config;
    private static Embedder embedder;
    private static ImageDecoder decoder;
    private static Preprocessor preprocessor;
    private static List<String> iconicLines;

    @TempDir
    static Path dir;

    @BeforeAll
    static void load() throws Exception {
        config = ConfigLoader.load();
        embedder = new DjlEmbedder(Settings.model(config.model(), "int8"));
        ImageSettings image = Settings.image(config.image());
        decoder = new ImageDecoder(image);
        preprocessor = new Preprocessor(image);
        iconicLines = Files.readAllLines(TestPools.grocery().resolve("iconic.jsonl")).subList(0, 6);
    }

    @AfterAll
    static void close() throws Exception {
        embedder.close();
    }

    private static Path catalog(String name, List<String> lines) throws Exception {
        Path file = dir.resolve(name);
        Files.write(file, lines, StandardCharsets.UTF_8);
        return file;
    }

    private static PoolBuildReport build(Path catalog, Path out, ByteArrayOutputStream log) {
        PoolBuilder builder = new PoolBuilder(decoder, preprocessor, embedder, 4, 2,
                new PrintStream(log, true, StandardCharsets.UTF_8));
        return builder.build(PoolBuildRequest.of(List.of(catalog), out, "IDMap,Flat", Metric.INNER_PRODUCT,
                config.model().name(), config.model().space()).imageRoot(TestPools.grocery()));
    }

    private static float[] embed(Listing listing) throws Exception {
        try (DecodedImage image = decoder.decode(Files.readAllBytes(TestPools.grocery().resolve(listing.image())))) {
            return embedder.embed(List.of(preprocessor.toTensor(image)))[0];
        }
    }

    @Test
    void buildReportsBadLinesAndUnreadablePhotosAndWritesAConsistentPool() throws Exception {
        List<String> lines = new ArrayList<>(iconicLines);
        lines.add(2, "{\"id\": \"broken\", ");
        lines.add("{\"id\": \"ghost\", \"image\": \"no/such/photo.jpg\", \"title\": \"Ghost\"}");
        lines.add("{\"title\": \"no id\", \"image\": \"x.jpg\"}");
        Path catalog = catalog("mixed.jsonl", lines);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Path out = dir.resolve("pool-a");

        PoolBuildReport report = build(catalog, out, log);

        String printed = log.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains(catalog + ":3: not valid JSON");
        assertThat(printed).contains(catalog + ":9: missing required field 'id'");
        assertThat(printed).contains(catalog + ":8: photo").contains("no/such/photo.jpg");
        assertThat(printed).contains("embedding [");
        assertThat(report.rejectedLines()).isEqualTo(2);
        assertThat(report.unreadableImages()).isEqualTo(1);

        Manifest m = PoolFiles.readManifest(out);
        assertThat(m.formatVersion()).isEqualTo(Manifest.FORMAT_VERSION);
        assertThat(m.listingCount()).isEqualTo(6);
        assertThat(m.dimension()).isEqualTo(1280);
        assertThat(m.model().space()).isEqualTo(config.model().space());
        assertThat(m.model().sha256()).isEqualTo(embedder.info().sha256());
        assertThat(m.model().precision()).isEqualTo("int8");
        assertThat(m.indexFactory()).isEqualTo("IDMap,Flat");
        assertThat(m.builtAt()).isNotNull();
        assertThat(m.sources()).singleElement().satisfies(s -> {
            assertThat(s.lines()).isEqualTo(9);
            assertThat(s.accepted()).isEqualTo(6);
            assertThat(s.rejected()).isEqualTo(2);
            assertThat(s.unreadableImages()).isEqualTo(1);
            assertThat(s.sha256()).isEqualTo(PoolFiles.sha256(catalog));
        });
        assertThat(Files.list(dir).map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".building-"));

        // every listing finds itself first
        try (PoolManager manager = new PoolManager()) {
            manager.swap(Pool.open(out, new Pool.OpenOptions(false, true, config.model().space(), 1280)));
            Pool pool = manager.acquire();
            try {
                for (int i = 0; i < pool.size(); i++) {
                    Listing listing = pool.listing(i);
                    List<Neighbour> found = pool.search(new float[][]{embed(listing)}, 3, SearchParams.DEFAULT).get(0);
                    assertThat(found.get(0).listing()).isEqualTo(listing);
                    assertThat(found.get(0).similarity()).isGreaterThan(0.999f);
                    assertThat(found).hasSize(3);
                }
            } finally {
                manager.release(pool);
            }
        }
        // an existing pool is not overwritten unless asked
        assertThatThrownBy(() -> build(catalog, out, new ByteArrayOutputStream()))
                .isInstanceOf(PoolException.class).hasMessageContaining("--replace");
    }

    @Test
    void openRefusesPoolsThatDoNotFit() throws Exception {
        Path out = dir.resolve("pool-b");
        build(catalog("small.jsonl", iconicLines.subList(0, 3)), out, new ByteArrayOutputStream());

        assertThatThrownBy(() -> Pool.open(out, new Pool.OpenOptions(false, true, "another-space", 1280)))
                .isInstanceOf(PoolException.class).hasMessageContaining("another-space");
        assertThatThrownBy(() -> Pool.open(out, new Pool.OpenOptions(false, true, null, 512)))
                .isInstanceOf(PoolException.class).hasMessageContaining("dimension");
        assertThatThrownBy(() -> Pool.open(dir.resolve("nowhere"), new Pool.OpenOptions(false, true, null, 0)))
                .isInstanceOf(PoolException.class).hasMessageContaining("manifest.json is missing");

        // a listing edited after the build: same size, other bytes -> checksum refuses it
        Path listings = out.resolve(PoolFiles.LISTING_STORE);
        byte[] bytes = Files.readAllBytes(listings);
        int at = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("iconic-") + 7;
        bytes[at] = (byte) (bytes[at] == 'x' ? 'y' : 'x');
        Files.write(listings, bytes);
        assertThatThrownBy(() -> Pool.open(out, new Pool.OpenOptions(false, true, null, 0)))
                .isInstanceOf(PoolException.class).hasMessageContaining("sha-256");

        // a truncated index is refused before FAISS reads it
        Path index = out.resolve(PoolFiles.INDEX);
        byte[] indexBytes = Files.readAllBytes(index);
        Files.write(index, java.util.Arrays.copyOf(indexBytes, indexBytes.length / 2));
        assertThatThrownBy(() -> Pool.open(out, new Pool.OpenOptions(false, false, null, 0)))
                .isInstanceOf(PoolException.class).hasMessageContaining("wrong size");
    }

    @Test
    void aSwappedOutPoolLivesUntilItsLastUserReleasesIt() throws Exception {
        Path a = dir.resolve("pool-c");
        Path b = dir.resolve("pool-d");
        build(catalog("c.jsonl", iconicLines.subList(0, 2)), a, new ByteArrayOutputStream());
        build(catalog("d.jsonl", iconicLines.subList(2, 5)), b, new ByteArrayOutputStream());
        Listing first = CatalogReader.parse(iconicLines.get(0));
        float[] query = embed(first);
        Pool.OpenOptions options = new Pool.OpenOptions(false, true, null, 0);

        PoolManager manager = new PoolManager();
        assertThatThrownBy(manager::acquire).isInstanceOf(PoolException.class);
        manager.swap(Pool.open(a, options));
        Pool inFlight = manager.acquire();
        assertThat(inFlight.refCount()).isEqualTo(2);

        manager.swap(Pool.open(b, options));
        // the request that started on pool a still searches it
        assertThat(inFlight.search(new float[][]{query}, 1, SearchParams.DEFAULT).get(0).get(0).listing().id())
                .isEqualTo(first.id());
        Pool now = manager.acquire();
        assertThat(now.size()).isEqualTo(3);
        manager.release(now);

        manager.release(inFlight);
        assertThat(inFlight.refCount()).isZero();
        assertThatThrownBy(() -> inFlight.search(new float[][]{query}, 1, SearchParams.DEFAULT))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> manager.release(inFlight)).isInstanceOf(IllegalStateException.class);
        manager.close();
        assertThat(manager.isLoaded()).isFalse();
    }

    @Test
    void theCommandLineFailsClearlyOnAMissingCatalog() {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = LensCli.execute("build-pool", "--catalog", dir.resolve("missing.jsonl").toString(),
                    "--out", dir.resolve("never").toString());
        } finally {
            System.setErr(err);
        }
        assertThat(code).isNotZero();
        assertThat(captured.toString(StandardCharsets.UTF_8)).contains("missing.jsonl does not exist");
        assertThat(dir.resolve("never")).doesNotExist();
    }
}
