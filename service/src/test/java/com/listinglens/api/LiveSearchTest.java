package com.listinglens.api;

import com.listinglens.support.Management;
import com.listinglens.cli.LensCli;
import com.listinglens.pool.Manifest;
import com.listinglens.pool.PoolFiles;
import com.listinglens.support.LiveResource;
import com.listinglens.support.Ready;
import com.listinglens.support.TestPools;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import com.listinglens.config.ConfigLoader;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Image search and live changes end to end on the real model, the real demo pool (train + iconic), the real native
 * library and a real Redis: filters, pages, duplicate flags, removals that never come back, additions found at once,
 * the batch file, and the next build folding the log.
 */
@QuarkusTest
@QuarkusTestResource(value = LiveResource.class, restrictToAnnotatedClass = true)
class LiveSearchTest {

    static final String MILK_TRAIN = "train/Packages/Milk/Arla-Standard-Milk/Arla-Standard-Milk_001.jpg";
    static final String MILK_TRAIN_ID = "train-01479";

    @BeforeEach
    void ready() throws Exception {
        Ready.await();
    }

    static byte[] photo(String path) throws Exception {
        return Files.readAllBytes(TestPools.grocery().resolve(path));
    }

    static Response search(byte[] photo, Map<String, Object> fields) {
        RequestSpecification r = given().multiPart("photo", "p.jpg", photo, "image/jpeg");
        for (Map.Entry<String, Object> f : fields.entrySet()) {
            if (f.getValue() instanceof List<?> values) {
                for (Object v : values) {
                    r = r.multiPart(f.getKey(), v.toString());
                }
            } else {
                r = r.multiPart(f.getKey(), f.getValue().toString());
            }
        }
        return r.post("/v1/search");
    }

    static Response suggest(byte[] photo) {
        return given().multiPart("photo", "p.jpg", photo, "image/jpeg").post("/v1/suggestions");
    }

    static RequestSpecification admin() {
        return given().header("Authorization", "Bearer " + LiveResource.TOKEN);
    }

    @Test
    void findsSimilarListingsWithFiltersPagesAndPhotos() throws Exception {
        byte[] milk = photo("val/Packages/Milk/Arla-Standard-Milk/Arla-Standard-Milk_002.jpg");
        Response all = search(milk, Map.of("limit", 10));
        assertThat(all.statusCode()).as(all.asString()).isEqualTo(200);
        List<Float> sims = all.jsonPath().getList("results.similarity", Float.class);
        assertThat(sims).hasSize(10).isSortedAccordingTo((a, b) -> Float.compare(b, a));
        assertThat(all.jsonPath().getLong("matching")).isGreaterThan(2000);
        assertThat(all.jsonPath().getList("results.category[0]", String.class).get(0)).isEqualTo("Packages");
        String url = all.jsonPath().getString("results[0].imageUrl");
        assertThat(url).startsWith("/v1/images/");
        Response image = given().get(url);
        assertThat(image.statusCode()).isEqualTo(200);
        assertThat(image.contentType()).isEqualTo("image/jpeg");
        assertThat(given().get("/v1/images/../../etc/passwd").statusCode()).isEqualTo(404);
        assertThat(given().get("/v1/images/%2e%2e/%2e%2e/%2e%2e/etc/passwd").statusCode()).isEqualTo(404);
        // encoded slashes get past the HTTP layer's normalisation to ImageResource, whose containment refuses them
        var encoded = given().urlEncodingEnabled(false).get("/v1/images/..%2F..%2F..%2Fetc%2Fpasswd.jpg");
        assertThat(encoded.statusCode()).isEqualTo(404);
        assertThat(encoded.jsonPath().getString("type")).as("refused by the resource itself").endsWith("unknown-image");

        // filters: every result passes them, and a selective one still fills the page
        Response fruit = search(milk, Map.of("category", "Fruit/Apple", "limit", 20));
        assertThat(fruit.jsonPath().getList("results.category", List.class)).hasSize(20)
                .allSatisfy(c -> assertThat(c.subList(0, 2)).isEqualTo(List.of("Fruit", "Apple")));
        long apples = fruit.jsonPath().getLong("matching");
        assertThat(apples).isBetween(20L, 2000L);
        Response leaf = search(milk, Map.of("category", "Vegetables/Zucchini", "limit", 100));
        long zucchini = leaf.jsonPath().getLong("matching");
        assertThat(zucchini).isBetween(1L, 99L);
        assertThat(leaf.jsonPath().getList("results")).hasSize((int) zucchini);
        assertThat(leaf.jsonPath().getString("note")).contains("only " + zucchini);
        assertThat(leaf.jsonPath().getString("nextCursor")).isNull();
        Response none = search(milk, Map.of("category", "Nothing/Here"));
        assertThat(none.jsonPath().getList("results")).isEmpty();
        assertThat(none.jsonPath().getString("note")).contains("no listing");
        String topId = all.jsonPath().getString("results[0].id");
        Response excluded = search(milk, Map.of("exclude", topId + ",nobody", "limit", 10));
        assertThat(excluded.jsonPath().getList("results.id", String.class)).doesNotContain(topId);
        assertThat(excluded.jsonPath().getList("results.id", String.class).subList(0, 9))
                .isEqualTo(all.jsonPath().getList("results.id", String.class).subList(1, 10));
        Response priced = search(milk, Map.of("minPrice", 1000));
        assertThat(priced.jsonPath().getLong("matching")).as("the catalog has no prices; live additions cost less").isZero();

        // pages: a cursor continues where the page ended, with nothing repeated or skipped
        Response page1 = search(milk, Map.of("limit", 4));
        String cursor = page1.jsonPath().getString("nextCursor");
        assertThat(cursor).isNotNull();
        Response page2 = given().queryParam("cursor", cursor).get("/v1/search");
        assertThat(page2.statusCode()).as(page2.asString()).isEqualTo(200);
        assertThat(page2.jsonPath().getInt("offset")).isEqualTo(4);
        List<String> both = new ArrayList<>(page1.jsonPath().getList("results.id", String.class));
        both.addAll(page2.jsonPath().getList("results.id", String.class));
        List<String> ten = all.jsonPath().getList("results.id", String.class);
        assertThat(both).isEqualTo(ten.subList(0, 8));
        Response page3 = given().queryParam("cursor", page2.jsonPath().getString("nextCursor")).queryParam("limit", 2).get("/v1/search");
        assertThat(page3.jsonPath().getList("results.id", String.class)).isEqualTo(ten.subList(8, 10));

        // bad requests are problems, not crashes
        assertProblem(given().queryParam("cursor", "nonsense").get("/v1/search"), 400, "bad-search");
        assertProblem(given().queryParam("cursor", "0123456789abcdef0123456789abcdef.4").get("/v1/search"), 404, "unknown-search");
        assertProblem(given().queryParam("cursor", cursor).header("X-Tenant", "elsewhere").get("/v1/search"), 404, "unknown-tenant");
        assertProblem(search(milk, Map.of("offset", 990, "limit", 20)), 400, "bad-search");
        assertProblem(search(milk, Map.of("limit", "ten")), 400, "bad-search");
        assertProblem(search(milk, Map.of("minPrice", 5, "maxPrice", 1)), 400, "bad-search");
        assertProblem(given().multiPart("limit", "3").post("/v1/search"), 400, "no-photo");
        assertProblem(given().multiPart("photo", "p.jpg", "not a photo".getBytes(StandardCharsets.UTF_8), "image/jpeg")
                .post("/v1/search"), 415, null);
    }

    static void assertProblem(Response r, int status, String type) {
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        if (type != null) {
            assertThat(r.jsonPath().getString("type")).endsWith(type);
        }
    }

    @Test
    void removedListingsNeverAppearAgainAndAddedOnesAreFoundAtOnce() throws Exception {
        byte[] own = photo(MILK_TRAIN);
        // the listing's own photo finds it first, flagged as a duplicate, in search and in suggestions
        Response before = search(own, Map.of("limit", 20));
        assertThat(before.jsonPath().getString("results[0].id")).isEqualTo(MILK_TRAIN_ID);
        assertThat(before.jsonPath().getBoolean("results[0].nearDuplicate")).isTrue();
        // the flag follows the photos' own similarity (the model's embeddings), not the projected one the pool ranks by
        List<Float> sims = before.jsonPath().getList("results.photoSimilarity", Float.class);
        List<Float> ranked = before.jsonPath().getList("results.similarity", Float.class);
        List<Boolean> flags = before.jsonPath().getList("results.nearDuplicate", Boolean.class);
        for (int i = 0; i < sims.size(); i++) {
            assertThat(flags.get(i)).as("result " + i + " at " + sims.get(i)).isEqualTo(sims.get(i) >= (float) ConfigLoader.load().search().duplicateSimilarity());
        }
        // in the projected space photos of one product are far more alike than the photos themselves
        assertThat(ranked.get(1)).isGreaterThan(sims.get(1));
        assertThat(flags).contains(false);
        Response suggested = suggest(own);
        assertThat(suggested.jsonPath().getList("duplicates.id", String.class)).contains(MILK_TRAIN_ID);
        assertThat(suggest(own).jsonPath().getBoolean("cached")).isTrue();

        // removed: gone from search, from suggestions (the cached answer included), from every filter
        assertThat(admin().delete("/admin/tenants/default/listings/nobody-" + System.nanoTime()).statusCode()).isEqualTo(404);
        assertThat(given().delete("/admin/tenants/default/listings/" + MILK_TRAIN_ID).statusCode()).isEqualTo(401);
        Response removed = admin().delete("/admin/tenants/default/listings/" + MILK_TRAIN_ID);
        assertThat(removed.statusCode()).as(removed.asString()).isEqualTo(200);
        assertThat(removed.jsonPath().getInt("removed")).isEqualTo(1);
        for (Map<String, Object> filters : List.of(Map.<String, Object>of("limit", 100), Map.<String, Object>of("category", "Packages/Milk", "limit", 100),
                Map.<String, Object>of("category", "Packages/Milk/Arla-Standard-Milk", "limit", 100))) {
            Response after = search(own, filters);
            assertThat(after.jsonPath().getList("results.id", String.class)).doesNotContain(MILK_TRAIN_ID);
        }
        Response again = suggest(own);
        assertThat(again.jsonPath().getBoolean("cached")).as("an answer holding a removed listing is not served from the cache").isFalse();
        assertThat(again.jsonPath().getList("neighbours.id", String.class)).doesNotContain(MILK_TRAIN_ID);
        assertThat(again.jsonPath().getList("duplicates.id", String.class)).doesNotContain(MILK_TRAIN_ID);
        assertThat(admin().delete("/admin/tenants/default/listings/" + MILK_TRAIN_ID).statusCode()).as("already gone").isEqualTo(404);

        // added from a photo no listing has: the top hit for that photo as soon as the call returns
        byte[] upload = photo("val/Packages/Juice/Bravo-Apple-Juice/Bravo-Apple-Juice_001.jpg");
        String id = "live-" + System.nanoTime();
        String listing = "{\"id\":\"" + id + "\",\"image\":\"https://cdn.example/" + id + ".jpg\",\"title\":\"Apple juice 1 l\","
                + "\"category\":[\"Packages\",\"Juice\",\"Bravo-Apple-Juice\"],\"brand\":\"Bravo\",\"weight_grams\":1000,\"price\":2.5}";
        assertThat(given().multiPart("listing", listing).multiPart("photo", "p.jpg", upload, "image/jpeg")
                .post("/admin/tenants/default/listings").statusCode()).isEqualTo(401);
        long t0 = System.nanoTime();
        Response added = admin().multiPart("listing", listing).multiPart("photo", "p.jpg", upload, "image/jpeg")
                .post("/admin/tenants/default/listings");
        assertThat(added.statusCode()).as(added.asString()).isEqualTo(201);
        Response found = search(upload, Map.of("limit", 5));
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(found.jsonPath().getString("results[0].id")).isEqualTo(id);
        assertThat(found.jsonPath().getBoolean("results[0].nearDuplicate")).isTrue();
        assertThat(found.jsonPath().getString("results[0].imageUrl")).isEqualTo("https://cdn.example/" + id + ".jpg");
        assertThat(found.jsonPath().getDouble("results[0].price")).isEqualTo(2.5);
        System.out.printf("added listing found as top hit %.2f s after the add request started%n", seconds);
        Response filtered = search(upload, Map.of("brand", "bravo", "minPrice", 2, "maxPrice", 3));
        assertThat(filtered.jsonPath().getList("results.id", String.class)).containsExactly(id);
        assertThat(suggest(upload).jsonPath().getList("duplicates.id", String.class)).contains(id);

        // bad additions change nothing
        assertProblem(admin().multiPart("listing", "{\"id\":\"x\"}").multiPart("photo", "p.jpg", upload, "image/jpeg")
                .post("/admin/tenants/default/listings"), 400, "bad-listing");
        assertProblem(admin().multiPart("listing", listing.replace(id, id + "-bad")).multiPart("photo", "p.jpg",
                "nope".getBytes(StandardCharsets.UTF_8), "image/jpeg").post("/admin/tenants/default/listings"), 415, null);
        assertThat(search(upload, Map.of("limit", 5)).jsonPath().getList("results.id", String.class)).doesNotContain(id + "-bad");

        Response health = Management.given().get("/q/health/ready");
        assertThat(health.jsonPath().getString("checks[0].data.'tenant.default.live'")).contains("added").contains("removed");
    }

    private static double batchLinesCounted() {
        String metrics = Management.given().get("/q/metrics").asString();
        return metrics.lines().filter(l -> l.startsWith("lens_admin_batch_lines_total")).mapToDouble(l ->
                Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /**
     * A batch is read as it streams in, not buffered whole: its first line is read and checked (the line counter
     * moves) while the client has not sent the second one yet. The second line is bad, so nothing is applied.
     */
    @Test
    void aBatchIsReadLineByLineAsItsBodyArrives() throws Exception {
        double before = batchLinesCounted();
        try (java.net.Socket socket = new java.net.Socket("localhost", RestAssured.port)) {
            socket.setSoTimeout(60_000);
            var out = socket.getOutputStream();
            out.write(("POST /admin/tenants/default/changes HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + LiveResource.TOKEN
                    + "\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            // line 1, then blank lines past the server's 10 KB input buffer (beyond it the body is handed on as a stream)
            chunk(out, "{\"op\":\"remove\",\"id\":\"iconic-00003\"}\n" + "\n".repeat(16 * 1024));
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (batchLinesCounted() < before + 1 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(batchLinesCounted()).as("line 1 read before line 2 was sent").isEqualTo(before + 1);
            chunk(out, "{\"op\":\"frobnicate\"}\n");
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 400").contains("bad-changes").contains("line 16386");
        }
        byte[] pink = photo("iconic-images-and-descriptions/Fruit/Apple/Pink-Lady/Pink-Lady_Iconic.jpg");
        assertThat(search(pink, Map.of("limit", 3)).jsonPath().getString("results[0].id")).as("nothing applied").isEqualTo("iconic-00003");
    }

    private static void chunk(java.io.OutputStream out, String text) throws java.io.IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        out.write((Integer.toHexString(b.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(b);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Test
    void aBatchFileLandsWholeOrNotAtAllAndTheNextBuildFoldsTheLog(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        String a = "batch-a-" + System.nanoTime();
        Path grocery = TestPools.grocery();
        Path file = tmp.resolve("changes.jsonl");
        Files.writeString(file, String.join("\n",
                "{\"op\":\"add\",\"listing\":{\"id\":\"" + a + "\",\"image\":\"x/" + a + ".jpg\",\"title\":\"Oat drink\","
                        + "\"category\":[\"Packages\",\"Oat-Milk\"]},\"photo\":\"" + grocery.resolve("val/Packages/Oat-Milk/Oatly-Oat-Milk/Oatly-Oat-Milk_001.jpg") + "\"}",
                "{\"op\":\"remove\",\"id\":\"iconic-00002\"}", ""));
        String url = "http://localhost:" + RestAssured.port;
        Path bad = tmp.resolve("bad.jsonl");
        Files.writeString(bad, "{\"op\":\"remove\",\"id\":\"iconic-00003\"}\n{\"op\":\"add\",\"listing\":{\"id\":\"z\",\"image\":\"z.jpg\"},"
                + "\"photo\":\"missing.jpg\"}\n");
        assertThat(LensCli.execute("changes", bad.toString(), "--url", url, "--token", LiveResource.TOKEN)).isEqualTo(1);
        assertThat(LensCli.execute("changes", file.toString(), "--url", url, "--token", "wrong")).isEqualTo(1);
        assertThat(LensCli.execute("changes", file.toString(), "--url", url, "--token", LiveResource.TOKEN, "--batch-size", "1")).isZero();

        byte[] oat = photo("val/Packages/Oat-Milk/Oatly-Oat-Milk/Oatly-Oat-Milk_001.jpg");
        assertThat(search(oat, Map.of("limit", 3)).jsonPath().getString("results[0].id")).isEqualTo(a);
        // each iconic photo finds its own listing first unless it was removed
        byte[] granny = photo("iconic-images-and-descriptions/Fruit/Apple/Granny-Smith/Granny-Smith_Iconic.jpg");
        byte[] pink = photo("iconic-images-and-descriptions/Fruit/Apple/Pink-Lady/Pink-Lady_Iconic.jpg");
        assertThat(search(granny, Map.of("limit", 50)).jsonPath().getList("results.id", String.class)).doesNotContain("iconic-00002");
        assertThat(search(pink, Map.of("limit", 3)).jsonPath().getString("results[0].id")).isEqualTo("iconic-00003");

        // a bad line in a batch refuses the whole batch
        String body = "{\"op\":\"remove\",\"id\":\"iconic-00003\"}\n{\"op\":\"frobnicate\"}\n";
        Response refused = admin().contentType("application/x-ndjson").body(body.getBytes(StandardCharsets.UTF_8)).post("/admin/tenants/default/changes");
        assertProblem(refused, 400, "bad-changes");
        assertThat(refused.jsonPath().getString("detail")).contains("line 2");
        assertThat(search(pink, Map.of("limit", 3)).jsonPath().getString("results[0].id")).isEqualTo("iconic-00003");

        // the next build (from the iconic catalog alone, to be quick) folds the log: the addition is in its index,
        // the removal out of its listings, and the manifest says how far the log is folded
        System.setProperty("lens.redis.port", Integer.toString(LiveResource.server().port()));
        try {
            Path out = tmp.resolve("pool");
            assertThat(LensCli.execute("build-pool", "--catalog", grocery.resolve("iconic.jsonl").toString(), "--out", out.toString(),
                    "--tenant", "default")).isZero();
            Manifest m = PoolFiles.readManifest(out);
            assertThat(m.live()).isNotNull();
            assertThat(m.live().added()).isGreaterThanOrEqualTo(1);
            assertThat(m.live().removed()).isGreaterThanOrEqualTo(1);
            List<String> listings;
            try (var store = com.listinglens.pool.ListingStore.open(out.resolve(PoolFiles.LISTING_STORE))) {
                listings = java.util.stream.LongStream.range(0, store.rows()).mapToObj(r -> store.listing(r).id()).toList();
            }
            assertThat(listings).contains(a).doesNotContain("iconic-00002").contains("iconic-00003");
            assertThat(m.listingCount()).isEqualTo(listings.size());
            Path plain = tmp.resolve("plain");
            assertThat(LensCli.execute("build-pool", "--catalog", grocery.resolve("iconic.jsonl").toString(), "--out", plain.toString(),
                    "--tenant", "default", "--no-live")).isZero();
            assertThat(PoolFiles.readManifest(plain).live()).isNull();
            // one photo per category: no projection can be learned from that, so the pool stays in the model's space
            assertThat(PoolFiles.readManifest(plain).projection()).isNull();
        } finally {
            System.clearProperty("lens.redis.port");
        }
    }
}
