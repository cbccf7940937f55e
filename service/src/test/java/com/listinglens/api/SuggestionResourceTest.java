package com.listinglens.api;

import com.listinglens.support.Management;
import com.listinglens.support.DemoPoolResource;
import com.listinglens.support.Images;
import com.listinglens.support.Ready;
import com.listinglens.support.RedisResource;
import com.listinglens.support.TestPools;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

/** The service over HTTP, on the real model and the real demo pool. */
@QuarkusTest
@QuarkusTestResource(value = DemoPoolResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = RedisResource.class, restrictToAnnotatedClass = true)
class SuggestionResourceTest {

    private static final Path BANANA = TestPools.grocery().resolve("val/Fruit/Banana/Banana_001.jpg");

    @BeforeEach
    void waitUntilReady() throws InterruptedException {
        Ready.await();
    }

    private static Response post(String fileName, byte[] bytes, String mime) {
        return given().multiPart("photo", fileName, bytes, mime).post("/v1/suggestions");
    }

    @Test
    void aPhonePhotoGetsRealSuggestions() throws Exception {
        assertThat(BANANA).exists();
        Response r = post("banana.jpg", Files.readAllBytes(BANANA), "image/jpeg");
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
        List<String> path = r.jsonPath().getList("category.path.name");
        assertThat(path).startsWith("Fruit", "Banana");
        List<Float> confidences = r.jsonPath().getList("category.path.confidence");
        assertThat(confidences).allSatisfy(c -> assertThat(c).isBetween(0f, 1f));
        assertThat(r.jsonPath().getString("title.value")).isNotBlank();
        // bananas have no brand in the catalog: null with a reason, never invented
        assertThat(r.jsonPath().getString("brand.value")).isNull();
        assertThat(r.jsonPath().getString("brand.reason")).isNotBlank();
        assertThat(r.jsonPath().getString("priceBand.low")).isNull();
        assertThat(r.jsonPath().getString("priceBand.reason")).contains("price");
        assertThat(r.jsonPath().getString("colour.name")).isNotBlank();
        assertThat(r.jsonPath().getList("neighbours")).hasSize(10);
        assertThat(r.jsonPath().getString("neighbours[0].id")).startsWith("train-");
        assertThat(r.jsonPath().getFloat("neighbours[0].similarity")).isBetween(0.3f, 1.0f);
        assertThat(r.jsonPath().getString("model.precision")).isEqualTo("int8");
        assertThat(r.jsonPath().getString("model.sha256")).hasSize(64);
        assertThat(r.jsonPath().getString("pool.version")).isNotBlank();
        assertThat(r.jsonPath().getLong("pool.listings")).isGreaterThan(2700);
        assertThat(r.jsonPath().getDouble("timings.totalMs")).isPositive();
        assertThat(r.jsonPath().getDouble("timings.embedMs")).isPositive();
    }

    @Test
    void severalPhotosOfOneItemAreMerged() throws Exception {
        byte[] a = Files.readAllBytes(BANANA);
        byte[] b = Files.readAllBytes(TestPools.grocery().resolve("val/Fruit/Banana/Banana_002.jpg"));
        Response r = given().multiPart("photo", "a.jpg", a, "image/jpeg").multiPart("photo", "b.jpg", b, "image/jpeg")
                .post("/v1/suggestions");
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
        assertThat(r.jsonPath().getList("category.path.name")).startsWith("Fruit", "Banana");
        List<String> ids = r.jsonPath().getList("neighbours.id");
        assertThat(ids).doesNotHaveDuplicates();
    }

    private static void assertProblem(Response r, int status, String typePart) {
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.jsonPath().getInt("status")).isEqualTo(status);
        assertThat(r.jsonPath().getString("type")).contains(typePart);
        assertThat(r.jsonPath().getString("title")).isNotBlank();
        assertThat(r.jsonPath().getString("detail")).isNotBlank();
    }

    /**
     * Every hostile upload in test-images/hostile (HostileUploads), to both photo endpoints: each answered with its
     * 4xx and an RFC 7807 body, not one 5xx; every supported variant (CMYK, grey, 16-bit, BMP, GIF, ...) answered
     * 200; and the service still answers a real photo afterwards.
     */
    @Test
    void everyHostileUploadIsRefusedWithAProblemAndNoneIsA5xx() throws Exception {
        int refused = 0;
        for (com.listinglens.image.HostileUploads.Case c : com.listinglens.image.HostileUploads.all()) {
            byte[] bytes = com.listinglens.image.TestImageFixtures.read("hostile/" + c.file());
            for (String endpoint : List.of("/v1/suggestions", "/v1/search")) {
                Response r = given().multiPart("photo", c.file(), bytes, "application/octet-stream").post(endpoint);
                assertThat(r.statusCode()).as("%s %s (%s): %s", endpoint, c.file(), c.what(), r.asString())
                        .isEqualTo(c.status());
                assertProblem(r, c.status(), c.slug());
                if (c.status() == 415) {
                    assertThat(r.jsonPath().getList("accepted", String.class))
                            .containsExactly("image/jpeg", "image/png", "image/webp", "image/bmp", "image/gif");
                }
                refused++;
            }
        }
        assertThat(refused).isGreaterThanOrEqualTo(60);
        for (com.listinglens.image.TestImageFixtures.Variant v : com.listinglens.image.TestImageFixtures.VARIANTS) {
            Response r = post(v.file(), com.listinglens.image.TestImageFixtures.read(v.file()), v.format().mediaType());
            assertThat(r.statusCode()).as("%s: %s", v.file(), r.asString()).isEqualTo(200);
        }
        // another photo than the other tests' (a cached answer there would hide their timings)
        Path kiwi = TestPools.grocery().resolve("val/Fruit/Kiwi/Kiwi_001.jpg");
        assertThat(post("kiwi.jpg", Files.readAllBytes(kiwi), "image/jpeg").statusCode()).isEqualTo(200);
    }

    @Test
    void badUploadsGetProblemsAndTheServiceKeepsServing() throws Exception {
        byte[] jpeg = Files.readAllBytes(BANANA);

        Response emptyBody = given().post("/v1/suggestions");
        assertThat(emptyBody.statusCode()).as(emptyBody.asString()).isIn(400, 415);
        assertProblem(emptyBody, emptyBody.statusCode(), "urn:listing-lens:problem:");
        assertProblem(given().contentType("application/json").body("{}").post("/v1/suggestions"), 415, "photo-unsupported-format");
        assertProblem(given().contentType("multipart/form-data; boundary=x").body(new byte[0]).post("/v1/suggestions"), 400, "malformed-request");
        assertProblem(given().multiPart("image", "a.jpg", jpeg, "image/jpeg").post("/v1/suggestions"), 400, "no-photo");
        assertProblem(post("notes.txt", "this is not a photo\n".getBytes(), "text/plain"), 415, "photo-unsupported-format");
        assertProblem(post("cut.jpg", Arrays.copyOf(jpeg, jpeg.length / 2), "image/jpeg"), 422, "photo-corrupt");
        assertProblem(post("empty.jpg", new byte[0], "image/jpeg"), 400, "photo-empty");
        assertProblem(post("huge.png", Images.pngHeader(30000, 30000), "image/png"), 413, "photo-too-many-pixels");
        byte[] big = new byte[25 * 1024 * 1024];
        new Random(7).nextBytes(big);
        big[0] = (byte) 0xFF;
        big[1] = (byte) 0xD8;
        assertProblem(post("big.jpg", big, "image/jpeg"), 413, "photo-too-large");
        // a bad photo among good ones names the bad one
        Response mixed = given().multiPart("photo", "a.jpg", jpeg, "image/jpeg")
                .multiPart("photo", "b.jpg", new byte[0], "image/jpeg").post("/v1/suggestions");
        assertProblem(mixed, 400, "photo-empty");
        assertThat(mixed.jsonPath().getString("detail")).startsWith("photo 2");

        assertThat(post("banana.jpg", jpeg, "image/jpeg").statusCode()).isEqualTo(200);
    }

    @Test
    void healthMetricsAndOpenApi() {
        Management.given().get("/q/health/ready").then().statusCode(200).body(containsString("model-and-pool"));
        Management.given().get("/q/health/live").then().statusCode(200);
        given().get("/q/openapi").then().statusCode(200).body(containsString("/v1/suggestions"));
        given().get("/q/openapi").then().statusCode(200).body(containsString("deadline-exceeded"))
                .body(containsString("HEIC"));
        String metrics = Management.given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("lens_suggest_stage_seconds_bucket{").contains("jvm_memory_used_bytes").contains("lens_native_memory")
                .containsPattern("lens_model_version\\{[^}]*precision=\"int8\"[^}]*\\} 1\\.0")
                .containsPattern("lens_pool_version\\{[^}]*tenant=\"default\"[^}]*\\} 1\\.0")
                .contains("lens_cache_requests_total");
    }

    /**
     * Health, metrics and the status (JSON and page) name tenants, versions and the inference path: they answer on the
     * management port only, and the public port knows none of them (nor does its API document).
     */
    @Test
    void statusHealthAndMetricsAreOnTheManagementPortOnly() {
        for (String path : List.of("/q/health", "/q/health/ready", "/q/health/live", "/q/metrics", "/v1/status", "/status")) {
            assertThat(given().get(path).statusCode()).as("public " + path).isEqualTo(404);
            assertThat(Management.given().get(path).statusCode()).as("management " + path).isEqualTo(200);
        }
        assertThat(Management.given().get("/v1/status").contentType()).startsWith("application/json");
        assertThat(Management.given().get("/status").asString()).contains("<script src=\"/status.js\">");
        assertThat(Management.given().get("/status.js").asString()).contains("/v1/status");
        assertThat(given().get("/q/openapi").asString()).contains("/v1/suggestions").doesNotContain("/v1/status");
    }

    /** The OpenAPI document names every problem a photo endpoint can answer with, with the problem's schema. */
    @Test
    void theOpenApiDocumentListsEveryPhotoProblem() {
        io.restassured.path.json.JsonPath doc = given().queryParam("format", "json").get("/q/openapi").jsonPath();
        for (String path : List.of("/v1/suggestions", "/v1/tenants/{tenant}/suggestions", "/v1/search")) {
            Map<String, Object> responses = doc.getMap("paths.'" + path + "'.post.responses");
            assertThat(responses).as(path).containsKeys("200", "400", "404", "413", "415", "422", "503");
            assertThat(doc.getString("paths.'" + path + "'.post.responses.'422'.content.'application/problem+json'.schema.'$ref'"))
                    .as(path).endsWith("/Problem");
        }
    }

    /** Every answer carries a request id: the caller's when plausible, else a new one; errors included. */
    @Test
    void requestIdsAreEchoedOrMade() {
        Response given = given().header("X-Request-Id", "abc-123.x").get("/q/openapi");
        assertThat(given.header("X-Request-Id")).isEqualTo("abc-123.x");
        Response made = given().header("X-Request-Id", "no spaces <allowed>").post("/v1/suggestions");
        assertThat(made.statusCode()).isBetween(400, 499);
        assertThat(made.header("X-Request-Id")).matches("[0-9a-f]{32}");
        Response none = post("e.jpg", new byte[0], "image/jpeg");
        assertThat(none.header("X-Request-Id")).matches("[0-9a-f]{32}").isNotEqualTo(made.header("X-Request-Id"));
    }
}
