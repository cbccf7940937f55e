package com.listinglens.api;

import com.listinglens.image.TestImageFixtures;
import com.listinglens.support.DemoPoolResource;
import com.listinglens.support.Ready;
import com.listinglens.support.RedisResource;
import com.listinglens.support.TestPools;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One photo as the raw request body (image/jpeg, image/png, image/webp) on the four photo endpoints, on the real
 * model and demo pool: the same answers and cache keys as the photo sent as a multipart part, filters of a search as
 * query parameters, and the same problems (415 for another Content-Type, 400 for no body, 413 over
 * lens.image.max-bytes).
 */
@QuarkusTest
@QuarkusTestResource(value = DemoPoolResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = RedisResource.class, restrictToAnnotatedClass = true)
class RawBodyTest {

    @TestHTTPResource("/")
    URI root;

    @BeforeEach
    void waitUntilReady() throws InterruptedException {
        Ready.await();
    }

    private static Response raw(String path, byte[] body, String contentType) {
        return given().contentType(contentType).body(body).post(path);
    }

    private static Response multipart(String path, byte[] photo) {
        return given().multiPart("photo", "photo.jpg", photo, "image/jpeg").post(path);
    }

    @Test
    void aRawJpegGetsTheAnswerOfTheSamePhotoAsAPartAndTheSameCacheKey() throws Exception {
        byte[] lemon = Files.readAllBytes(TestPools.grocery().resolve("val/Fruit/Lemon/Lemon_001.jpg"));
        // new bytes every run (a JPEG comment: the same pixels), so neither answer comes from an earlier run's cache
        String run = Long.toString(System.nanoTime());
        byte[] viaRaw = withComment(lemon, "raw-" + run);
        byte[] viaPart = withComment(lemon, "part-" + run);

        Response r = raw("/v1/suggestions", viaRaw, "image/jpeg");
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
        assertThat(r.jsonPath().getBoolean("cached")).isFalse();
        Response m = multipart("/v1/suggestions", viaPart);
        assertThat(m.statusCode()).as(m.asString()).isEqualTo(200);
        assertThat(m.jsonPath().getBoolean("cached")).isFalse();
        assertSameSuggestion(r.jsonPath(), m.jsonPath());
        assertThat(r.jsonPath().getList("category.path.name", String.class)).startsWith("Fruit");

        // the raw body's answer is the cached answer for the same bytes sent as a part, and the other way round
        Response partAfterRaw = multipart("/v1/suggestions", viaRaw);
        assertThat(partAfterRaw.jsonPath().getBoolean("cached")).as(partAfterRaw.asString()).isTrue();
        assertSameSuggestion(partAfterRaw.jsonPath(), r.jsonPath());
        Response rawAfterPart = raw("/v1/suggestions", viaPart, "image/jpeg; charset=binary");
        assertThat(rawAfterPart.jsonPath().getBoolean("cached")).as(rawAfterPart.asString()).isTrue();
        assertSameSuggestion(rawAfterPart.jsonPath(), m.jsonPath());
    }

    private static void assertSameSuggestion(JsonPath a, JsonPath b) {
        assertThat(a.getList("category.path.name", String.class)).isEqualTo(b.getList("category.path.name", String.class));
        assertThat(a.getList("category.path.confidence", Float.class)).isEqualTo(b.getList("category.path.confidence", Float.class));
        assertThat(a.getString("title.value")).isEqualTo(b.getString("title.value"));
        assertThat(a.getString("colour.name")).isEqualTo(b.getString("colour.name"));
        assertThat(a.getList("neighbours.id", String.class)).hasSize(10).isEqualTo(b.getList("neighbours.id", String.class));
        assertThat(a.getList("neighbours.similarity", Float.class)).isEqualTo(b.getList("neighbours.similarity", Float.class));
    }

    @Test
    void rawPngAndWebpAreAnsweredAsTheyAreAsParts() {
        for (String[] f : new String[][] {{"quadrants-96x64.png", "image/png"}, {"quadrants-96x64-lossless.webp", "image/webp"},
                {"quadrants-96x64-lossy.webp", "image/webp"}}) {
            byte[] bytes = TestImageFixtures.read(f[0]);
            Response r = raw("/v1/suggestions", bytes, f[1]);
            assertThat(r.statusCode()).as("%s: %s", f[0], r.asString()).isEqualTo(200);
            Response m = given().multiPart("photo", f[0], bytes, f[1]).post("/v1/suggestions");
            assertThat(m.statusCode()).as("%s: %s", f[0], m.asString()).isEqualTo(200);
            assertSameSuggestion(r.jsonPath(), m.jsonPath());
            assertThat(r.jsonPath().getString("colour.name")).as(f[0]).isNotBlank();
        }
    }

    @Test
    void theTenantPathsTakeARawBodyToo() throws Exception {
        byte[] pear = Files.readAllBytes(TestPools.grocery().resolve("val/Fruit/Pear/Conference/Conference_001.jpg"));
        Response byPath = raw("/v1/tenants/default/suggestions", pear, "image/jpeg");
        assertThat(byPath.statusCode()).as(byPath.asString()).isEqualTo(200);
        Response byHeader = given().header("X-Tenant", "default").contentType("image/jpeg").body(pear).post("/v1/suggestions");
        assertThat(byHeader.statusCode()).as(byHeader.asString()).isEqualTo(200);
        assertSameSuggestion(byPath.jsonPath(), byHeader.jsonPath());

        Response search = given().contentType("image/jpeg").body(pear).queryParam("limit", 5).post("/v1/tenants/default/search");
        assertThat(search.statusCode()).as(search.asString()).isEqualTo(200);
        assertThat(search.jsonPath().getList("results")).hasSize(5);

        assertProblem(raw("/v1/tenants/nowhere/suggestions", pear, "image/jpeg"), 404, "unknown-tenant");
        assertProblem(raw("/v1/tenants/nowhere/search", pear, "image/jpeg"), 404, "unknown-tenant");
        assertProblem(given().header("X-Tenant", "nowhere").contentType("image/jpeg").body(pear).post("/v1/search"),
                404, "unknown-tenant");
    }

    @Test
    void aRawSearchTakesItsFiltersAsQueryParametersAndPagesAsAMultipartOne() throws Exception {
        byte[] pear = Files.readAllBytes(TestPools.grocery().resolve("val/Fruit/Pear/Conference/Conference_002.jpg"));
        Response all = given().contentType("image/jpeg").body(pear).queryParam("limit", 10).post("/v1/search");
        assertThat(all.statusCode()).as(all.asString()).isEqualTo(200);
        String top = all.jsonPath().getString("results[0].id");

        Map<String, Object> fields = Map.of("category", "Fruit/Apple", "exclude", top + ",nobody", "limit", "7", "offset", "2");
        Response raw = given().contentType("image/jpeg").body(pear).queryParams(fields).post("/v1/search");
        assertThat(raw.statusCode()).as(raw.asString()).isEqualTo(200);
        var part = given().multiPart("photo", "pear.jpg", pear, "image/jpeg");
        fields.forEach((k, v) -> part.multiPart(k, v.toString()));
        Response multipart = part.post("/v1/search");
        assertThat(multipart.statusCode()).as(multipart.asString()).isEqualTo(200);

        List<String> ids = raw.jsonPath().getList("results.id", String.class);
        assertThat(ids).hasSize(7).doesNotContain(top).isEqualTo(multipart.jsonPath().getList("results.id", String.class));
        assertThat(raw.jsonPath().getList("results.category", List.class)).allSatisfy(c -> assertThat(c).startsWith("Fruit", "Apple"));
        assertThat(raw.jsonPath().getInt("offset")).isEqualTo(2);
        assertThat(raw.jsonPath().getLong("matching")).isEqualTo(multipart.jsonPath().getLong("matching"));
        assertThat(raw.jsonPath().getList("filters.category", String.class)).containsExactly("Fruit", "Apple");
        assertThat(raw.jsonPath().getList("filters.excludeIds", String.class)).containsExactlyInAnyOrder(top, "nobody");

        // its cursor pages on as any search's
        String cursor = raw.jsonPath().getString("nextCursor");
        assertThat(cursor).isNotNull();
        Response next = given().queryParam("cursor", cursor).get("/v1/search");
        assertThat(next.statusCode()).as(next.asString()).isEqualTo(200);
        assertThat(next.jsonPath().getInt("offset")).isEqualTo(9);

        // repeated brand parameters are read as the repeated form field is; bad bounds are the same 400
        Response brands = given().contentType("image/jpeg").body(pear).queryParam("brand", "Arla", "Oatly").post("/v1/search");
        assertThat(brands.statusCode()).as(brands.asString()).isEqualTo(200);
        assertThat(brands.jsonPath().getList("filters.brands", String.class)).containsExactlyInAnyOrder("arla", "oatly");
        assertProblem(given().contentType("image/jpeg").body(pear).queryParam("minPrice", "cheap").post("/v1/search"),
                400, "bad-search");
    }

    @Test
    void anotherContentTypeIs415AndNoBodyIs400() {
        byte[] heic = TestImageFixtures.read("hostile/photo.heic");
        for (String path : List.of("/v1/suggestions", "/v1/search", "/v1/tenants/default/suggestions", "/v1/tenants/default/search")) {
            for (Response r : List.of(raw(path, "this is not a photo\n".getBytes(StandardCharsets.UTF_8), "text/plain"),
                    raw(path, heic, "image/heic"), raw(path, new byte[] {1, 2, 3}, "application/octet-stream"),
                    raw(path, "{}".getBytes(StandardCharsets.UTF_8), "application/json"))) {
                assertProblem(r, 415, "photo-unsupported-format");
                assertThat(r.jsonPath().getList("accepted", String.class))
                        .containsExactly("multipart/form-data", "image/jpeg", "image/png", "image/webp");
                assertThat(r.jsonPath().getString("instance")).isEqualTo(path);
            }
            // a HEIC declared as a JPEG is sniffed and refused as it is as a part
            Response sniffed = raw(path, heic, "image/jpeg");
            assertProblem(sniffed, 415, "photo-unsupported-format");
            assertThat(sniffed.jsonPath().getList("accepted", String.class)).contains("image/jpeg", "image/bmp");

            assertProblem(raw(path, new byte[0], "image/jpeg"), 400, "no-photo");
            assertProblem(raw(path, new byte[0], "text/plain"), 400, "no-photo");
            assertProblem(given().post(path), 400, "no-photo");
            assertProblem(raw(path, TestImageFixtures.read("truncated.jpg"), "image/jpeg"), 422, "photo-corrupt");
        }
    }

    @Test
    void aBodyOverTheLimitIs413WhetherItsLengthIsDeclaredOrNot() throws Exception {
        byte[] big = new byte[25 * 1024 * 1024];
        new Random(11).nextBytes(big);
        big[0] = (byte) 0xFF;
        big[1] = (byte) 0xD8;
        Response declared = raw("/v1/suggestions", big, "image/jpeg");
        assertProblem(declared, 413, "photo-too-large-bytes");
        assertThat(declared.jsonPath().getString("detail")).contains(Integer.toString(big.length)).contains("20971520");

        // chunked: no Content-Length, so the limit is found while reading
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            HttpRequest request = HttpRequest.newBuilder(root.resolve("/v1/search")).header("Content-Type", "image/jpeg")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))).build();
            HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith(Problem.MEDIA_TYPE));
            assertThat(r.body()).contains("photo-too-large-bytes").contains("more than 20971520");

            // and a photo under it, chunked, is answered
            byte[] kiwi = Files.readAllBytes(TestPools.grocery().resolve("val/Fruit/Kiwi/Kiwi_002.jpg"));
            HttpRequest ok = HttpRequest.newBuilder(root.resolve("/v1/suggestions")).header("Content-Type", "image/jpeg")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(kiwi))).build();
            HttpResponse<String> answered = client.send(ok, HttpResponse.BodyHandlers.ofString());
            assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
        }
        // the service still answers afterwards
        byte[] kiwi = Files.readAllBytes(TestPools.grocery().resolve("val/Fruit/Kiwi/Kiwi_002.jpg"));
        assertThat(raw("/v1/suggestions", kiwi, "image/jpeg").statusCode()).isEqualTo(200);
    }

    /** The OpenAPI document gives every photo operation both request forms and all its problems. */
    @Test
    void theOpenApiDocumentShowsBothRequestForms() {
        JsonPath doc = given().queryParam("format", "json").get("/q/openapi").jsonPath();
        for (String path : List.of("/v1/suggestions", "/v1/tenants/{tenant}/suggestions", "/v1/search", "/v1/tenants/{tenant}/search")) {
            Map<String, Object> content = doc.getMap("paths.'" + path + "'.post.requestBody.content");
            assertThat(content).as(path).containsOnlyKeys("multipart/form-data", "image/jpeg", "image/png", "image/webp");
            assertThat(doc.getString("paths.'" + path + "'.post.requestBody.content.'image/png'.schema.format"))
                    .as(path).isEqualTo("binary");
            assertThat(doc.getString("paths.'" + path + "'.post.description")).as(path).contains("image/webp");
        }
        for (String path : List.of("/v1/suggestions", "/v1/tenants/{tenant}/suggestions", "/v1/search")) {
            assertThat(doc.getMap("paths.'" + path + "'.post.responses")).as(path)
                    .containsKeys("200", "400", "404", "413", "415", "422", "503");
        }
        List<String> searchParameters = doc.getList("paths.'/v1/search'.post.parameters.name", String.class);
        assertThat(searchParameters).contains("category", "brand", "minPrice", "maxPrice", "exclude", "limit", "offset");
    }

    private static void assertProblem(Response r, int status, String typePart) {
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(status);
        assertThat(r.contentType()).startsWith(Problem.MEDIA_TYPE);
        assertThat(r.jsonPath().getInt("status")).isEqualTo(status);
        assertThat(r.jsonPath().getString("type")).isEqualTo("urn:listing-lens:problem:" + typePart);
        assertThat(r.jsonPath().getString("title")).isNotBlank();
        assertThat(r.jsonPath().getString("detail")).isNotBlank();
    }

    /** The JPEG with a comment segment after its SOI marker: other bytes, the same pixels. */
    private static byte[] withComment(byte[] jpeg, String text) {
        byte[] t = text.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[jpeg.length + 4 + t.length];
        out[0] = jpeg[0];
        out[1] = jpeg[1];
        out[2] = (byte) 0xFF;
        out[3] = (byte) 0xFE;
        out[4] = (byte) ((t.length + 2) >> 8);
        out[5] = (byte) (t.length + 2);
        System.arraycopy(t, 0, out, 6, t.length);
        System.arraycopy(jpeg, 2, out, 6 + t.length, jpeg.length - 2);
        return out;
    }
}
