package com.listinglens.app;

import com.listinglens.support.Management;
import com.listinglens.catalog.CatalogReader;
import com.listinglens.catalog.Listing;
import com.listinglens.pool.Manifest;
import com.listinglens.pool.PoolFiles;
import com.listinglens.storage.Pointer;
import com.listinglens.storage.Publisher;
import com.listinglens.support.Ready;
import com.listinglens.support.S3TenantsResource;
import com.listinglens.support.TestPools;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service on a real S3 protocol server: model and pools from the bucket, two tenants served side by side,
 * broken versions refused while the old one serves, and an outage of the store ridden out.
 */
@QuarkusTest
@QuarkusTestResource(value = S3TenantsResource.class, restrictToAnnotatedClass = true)
class S3PoolSyncTest {

    private static final String[] PHOTOS = {"val/Fruit/Banana/Banana_001.jpg", "val/Packages/Milk/Arla-Standard-Milk/Arla-Standard-Milk_002.jpg",
            "val/Vegetables/Tomato/Beef-Tomato/Beef-Tomato_001.jpg", "val/Fruit/Apple/Golden-Delicious/Golden-Delicious_001.jpg"};

    @BeforeEach
    void ready() throws InterruptedException {
        Ready.await();
    }

    private static byte[] photo(String path) throws Exception {
        return Files.readAllBytes(TestPools.grocery().resolve(path));
    }

    private static Set<String> ids(Path pool) {
        try (var store = com.listinglens.pool.ListingStore.open(pool.resolve(PoolFiles.LISTING_STORE))) {
            return java.util.stream.LongStream.range(0, store.rows()).mapToObj(r -> store.listing(r).id()).collect(Collectors.toSet());
        }
    }

    private static String version(Path pool) {
        return PoolFiles.readManifest(pool).poolVersion();
    }

    private static Object health(String key) {
        return Management.given().get("/q/health/ready").jsonPath().getMap("checks[0].data").get(key);
    }

    private static Response suggest(String tenant, byte[] photo) {
        return given().header("X-Tenant", tenant).multiPart("photo", "p.jpg", photo, "image/jpeg").post("/v1/suggestions");
    }

    @Test
    void modelAndPoolsComeFromTheBucket() {
        assertThat(health("store").toString()).startsWith("s3://" + S3TenantsResource.BUCKET);
        assertThat(health("model").toString()).contains("v1");
        assertThat(health("tenant.alpha.pool")).isEqualTo(version(S3TenantsResource.alpha()));
        // beta's version may have been moved on by another test of this class
        assertThat(health("tenant.beta.pool")).isNotNull();
        assertThat(health("tenant.alpha.sync")).isEqualTo("fresh");
    }

    @Test
    void aTenantNeverSeesAnotherTenantsListings() throws Exception {
        Set<String> alpha = ids(S3TenantsResource.alpha());
        Set<String> beta = ids(S3TenantsResource.beta());
        assertThat(alpha).isNotEmpty().doesNotContainAnyElementsOf(beta);
        for (String path : PHOTOS) {
            byte[] p = photo(path);
            Response a = suggest("alpha", p);
            assertThat(a.statusCode()).as(a.asString()).isEqualTo(200);
            List<String> aIds = a.jsonPath().getList("neighbours.id");
            assertThat(aIds).isNotEmpty().allMatch(alpha::contains).noneMatch(beta::contains);
            assertThat(a.jsonPath().getString("pool.version")).isEqualTo(version(S3TenantsResource.alpha()));

            Response b = given().multiPart("photo", "p.jpg", p, "image/jpeg").post("/v1/tenants/beta/suggestions");
            assertThat(b.statusCode()).as(b.asString()).isEqualTo(200);
            List<String> bIds = b.jsonPath().getList("neighbours.id");
            assertThat(bIds).isNotEmpty().allMatch(beta::contains).noneMatch(alpha::contains);
        }
    }

    @Test
    void unknownOrMissingTenantsAreRefused() throws Exception {
        byte[] p = photo(PHOTOS[0]);
        Response header = suggest("gamma", p);
        assertThat(header.statusCode()).isEqualTo(404);
        assertThat(header.contentType()).startsWith("application/problem+json");
        assertThat(header.jsonPath().getString("type")).endsWith("unknown-tenant");
        Response path = given().multiPart("photo", "p.jpg", p, "image/jpeg").post("/v1/tenants/gamma/suggestions");
        assertThat(path.statusCode()).isEqualTo(404);
        Response none = given().multiPart("photo", "p.jpg", p, "image/jpeg").post("/v1/suggestions");
        assertThat(none.statusCode()).isEqualTo(400);
        assertThat(none.jsonPath().getString("type")).endsWith("no-tenant");
        Response check = given().header("X-Tenant", "gamma").contentType("application/json").body("{\"weightClass\":\"<= 1 kg\"}")
                .post("/v1/suggestions/0123456789abcdef0123456789abcdef/shipping-check");
        assertThat(check.statusCode()).isEqualTo(404);
        assertThat(given().header("Authorization", "Bearer " + S3TenantsResource.TOKEN).post("/admin/pools/gamma/reload").statusCode())
                .isEqualTo(404);
        assertThat(given().post("/admin/pools/alpha/reload").statusCode()).isEqualTo(401);
        Response reload = given().header("Authorization", "Bearer " + S3TenantsResource.TOKEN).post("/admin/pools/alpha/reload");
        assertThat(reload.statusCode()).as(reload.asString()).isEqualTo(200);
        assertThat(reload.jsonPath().getString("tenants[0].action")).isEqualTo("UNCHANGED");
    }

    /** Uploads the files of {@code pool} as beta's version {@code version}, with the manifest and files bent as given. */
    private static void publishBeta(String version, UnaryOperator<String> manifestJson, String brokenFile, UnaryOperator<byte[]> breakFile)
            throws Exception {
        var store = S3TenantsResource.store();
        var layout = S3TenantsResource.LAYOUT;
        Path pool = S3TenantsResource.beta();
        Manifest m = PoolFiles.readManifest(pool);
        Manifest renamed = new Manifest(m.formatVersion(), version, m.model(), m.dimension(), m.listingCount(), m.builtAt(),
                m.indexFactory(), m.metric(), m.sources(), m.files());
        byte[] manifest = manifestJson.apply(new String(PoolFiles.manifestBytes(renamed), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        String folder = layout.poolVersion("beta", version);
        for (Manifest.FileRef f : m.files()) {
            byte[] bytes = Files.readAllBytes(pool.resolve(f.name()));
            if (f.name().equals(brokenFile)) {
                bytes = breakFile.apply(bytes);
            }
            store.write(folder + f.name(), bytes);
        }
        store.write(folder + "manifest.json", manifest);
        store.write(layout.poolPointer("beta"), Pointer.of(version, Publisher.sha256(manifest), Instant.now()).toJson());
    }

    private static void awaitRefusal(String version, String reason) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            Object refused = health("tenant.beta.refused");
            if (refused != null && refused.toString().startsWith(version + " (" + reason + ")")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("beta's version " + version + " was not refused for " + reason + ": " + Management.given().get("/q/health/ready").asString());
    }

    @Test
    void brokenVersionsAreRefusedWhileTheOldOneServes() throws Exception {
        String serving = version(S3TenantsResource.beta());
        assertThat(health("tenant.beta.pool")).isEqualTo(serving);
        assertThat(health("tenant.beta.refused")).isNull();
        byte[] p = photo(PHOTOS[1]);
        record Case(String version, String reason, UnaryOperator<String> manifest, String file, UnaryOperator<byte[]> bytes) {
        }
        List<Case> cases = List.of(
                new Case("beta-checksum", "checksum-mismatch", UnaryOperator.identity(), PoolFiles.INDEX, b -> {
                    byte[] c = b.clone();
                    c[c.length / 2] ^= 0x5a;
                    return c;
                }),
                new Case("beta-truncated", "truncated", UnaryOperator.identity(), PoolFiles.INDEX, b -> Arrays.copyOf(b, b.length - 4096)),
                new Case("beta-space", "other-embedding-space",
                        j -> j.replace("\"imagenet-mobilenet_v2-gap1280", "\"clip-vit-b32"), null, UnaryOperator.identity()),
                new Case("beta-format", "unknown-format", j -> j.replaceFirst("\"formatVersion\" : " + Manifest.FORMAT_VERSION,
                        "\"formatVersion\" : " + (Manifest.FORMAT_VERSION + 1)), null,
                        UnaryOperator.identity()));
        for (Case c : cases) {
            publishBeta(c.version(), c.manifest(), c.file(), c.bytes());
            awaitRefusal(c.version(), c.reason());
            assertThat(health("tenant.beta.pool")).isEqualTo(serving);
            Response still = suggest("beta", p);
            assertThat(still.statusCode()).isEqualTo(200);
            assertThat(still.jsonPath().getString("pool.version")).isEqualTo(serving);
            assertThat(Management.given().get("/q/metrics").asString())
                    .contains("lens_pool_refusals_total{reason=\"" + c.reason() + "\",tenant=\"beta\"}");
            Response forced = given().header("Authorization", "Bearer " + S3TenantsResource.TOKEN).post("/admin/pools/beta/reload");
            assertThat(forced.statusCode()).isEqualTo(409);
            assertThat(forced.jsonPath().getString("detail")).contains(c.reason()).contains(serving + " keeps serving");
        }
        // no download of a refused version stays in the cache
        try (var cached = Files.list(S3TenantsResource.cacheDir().resolve("pools/beta"))) {
            assertThat(cached.map(f -> f.getFileName().toString()).toList()).containsExactly(serving);
        }
        // a sound version is taken again, and the refusal is cleared
        publishBeta("beta-good", UnaryOperator.identity(), null, UnaryOperator.identity());
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!"beta-good".equals(health("tenant.beta.pool")) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(health("tenant.beta.pool")).isEqualTo("beta-good");
        assertThat(health("tenant.beta.refused")).isNull();
        assertThat(suggest("beta", p).jsonPath().getString("pool.version")).isEqualTo("beta-good");
        assertThat(health("tenant.alpha.pool")).isEqualTo(version(S3TenantsResource.alpha()));
    }

    @Test
    void anUnreachableStoreTurnsHealthStaleWhileServingGoesOn() throws Exception {
        var server = S3TenantsResource.server();
        byte[] p = photo(PHOTOS[2]);
        server.stop();
        try {
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (!"stale".equals(health("tenant.alpha.sync")) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            Response health = Management.given().get("/q/health/ready");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health("tenant.alpha.sync")).isEqualTo("stale");
            assertThat(health("tenant.alpha.storeError")).isNotNull();
            for (String tenant : List.of("alpha", "beta")) {
                assertThat(suggest(tenant, p).statusCode()).isEqualTo(200);
            }
            assertThat(Management.given().get("/q/metrics").asString()).contains("lens_pool_stale{tenant=\"alpha\"} 1.0")
                    .contains("lens_storage_failures_total{tenant=\"alpha\"}");
            Response reload = given().header("Authorization", "Bearer " + S3TenantsResource.TOKEN).post("/admin/pools/reload");
            assertThat(reload.statusCode()).isEqualTo(503);
        } finally {
            server.start();
        }
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!"fresh".equals(health("tenant.alpha.sync")) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(health("tenant.alpha.sync")).isEqualTo("fresh");
        assertThat(health("tenant.alpha.storeError")).isNull();
    }
}
