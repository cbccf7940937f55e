package com.listinglens.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.listinglens.support.Ready;
import com.listinglens.support.TestPools;
import com.listinglens.support.TwoTenantsRedisResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Redis-backed state never crosses tenants (real Redis): one tenant's suggestion session, search cursor and cached
 * answer, replayed as the other tenant, are unknown (404) or uncached there. And the tenant named in the path and in
 * the X-Tenant header is one operation, resolved before the body is read.
 */
@QuarkusTest
@QuarkusTestResource(value = TwoTenantsRedisResource.class, restrictToAnnotatedClass = true)
class TenantIsolationTest {

    @TestHTTPResource("/")
    URI root;

    @BeforeEach
    void waitUntilReady() throws InterruptedException {
        Ready.await();
    }

    private static byte[] photo(String relative) throws Exception {
        return Files.readAllBytes(TestPools.grocery().resolve(relative));
    }

    @Test
    void sessionsCursorsAndCachedAnswersStayWithTheirTenant() throws Exception {
        byte[] milk = photo("val/Packages/Milk/Arla-Standard-Milk/Arla-Standard-Milk_002.jpg");
        Response alpha = given().contentType("image/jpeg").body(milk).post("/v1/tenants/alpha/suggestions");
        assertThat(alpha.statusCode()).as(alpha.asString()).isEqualTo(200);
        String session = alpha.jsonPath().getString("suggestionId");
        assertThat(session).as("Redis is on: a session").isNotNull();

        // the session: alpha's own, unknown to beta
        String body = "{\"weightClass\": \"<= 250 g\"}";
        assertThat(given().contentType("application/json").body(body).post("/v1/tenants/alpha/suggestions/" + session + "/shipping-check")
                .statusCode()).isEqualTo(200);
        Response replayed = given().contentType("application/json").body(body)
                .post("/v1/tenants/beta/suggestions/" + session + "/shipping-check");
        assertThat(replayed.statusCode()).isEqualTo(404);
        assertThat(given().header("X-Tenant", "beta").contentType("application/json").body(body)
                .post("/v1/suggestions/" + session + "/shipping-check").statusCode()).isEqualTo(404);

        // the cached answer: alpha's second request is a hit; beta's first request of the same bytes is not
        assertThat(given().contentType("image/jpeg").body(milk).post("/v1/tenants/alpha/suggestions").jsonPath().getBoolean("cached")).isTrue();
        Response beta = given().contentType("image/jpeg").body(milk).post("/v1/tenants/beta/suggestions");
        assertThat(beta.statusCode()).isEqualTo(200);
        assertThat(beta.jsonPath().getBoolean("cached")).as("no cache entry shared with alpha").isFalse();
        assertThat(beta.jsonPath().getString("pool.version")).isNotEqualTo(alpha.jsonPath().getString("pool.version"));
        long alphaKeys;
        try (var jedis = new redis.clients.jedis.Jedis("127.0.0.1", TwoTenantsRedisResource.redis().port())) {
            alphaKeys = jedis.keys("*").stream().filter(k -> k.contains(session)).count();
            assertThat(jedis.keys("*").stream().filter(k -> k.contains(session))).allMatch(k -> !k.contains("beta"));
        }
        assertThat(alphaKeys).as("the session is stored under alpha").isPositive();

        // the search cursor: alpha's next page, unknown to beta
        Response search = given().contentType("image/jpeg").body(milk).queryParam("limit", 2).post("/v1/tenants/alpha/search");
        assertThat(search.statusCode()).as(search.asString()).isEqualTo(200);
        String cursor = search.jsonPath().getString("nextCursor");
        assertThat(cursor).isNotNull();
        assertThat(given().queryParam("cursor", cursor).get("/v1/tenants/alpha/search").statusCode()).isEqualTo(200);
        Response other = given().queryParam("cursor", cursor).get("/v1/tenants/beta/search");
        assertThat(other.statusCode()).isEqualTo(404);
        assertThat(other.jsonPath().getString("type")).endsWith("unknown-search");
    }

    private static RequestSpecification as(String tenantHeader) {
        return tenantHeader == null ? given() : given().header("X-Tenant", tenantHeader);
    }

    /**
     * /v1/tenants/{tenant}/... and the X-Tenant header reach the same operation: the same answers for both body kinds,
     * the same pages, the same problems (naming the path as it was sent); the path's tenant wins over the header's.
     */
    @Test
    void theTenantPathAndTheHeaderAreOneOperation() throws Exception {
        byte[] banana = photo("val/Fruit/Banana/Banana_003.jpg");
        String alphaPool = null;
        for (String tenant : List.of("alpha", "beta")) {
            String other = tenant.equals("alpha") ? "beta" : "alpha";
            Response byPath = given().multiPart("photo", "b.jpg", banana, "image/jpeg").post("/v1/tenants/" + tenant + "/suggestions");
            assertThat(byPath.statusCode()).as(byPath.asString()).isEqualTo(200);
            for (Response r : List.of(
                    as(tenant).multiPart("photo", "b.jpg", banana, "image/jpeg").post("/v1/suggestions"),
                    given().contentType("image/jpeg").body(banana).post("/v1/tenants/" + tenant + "/suggestions"),
                    as(tenant).contentType("image/jpeg").body(banana).post("/v1/suggestions"),
                    as(other).contentType("image/jpeg").body(banana).post("/v1/tenants/" + tenant + "/suggestions"))) {
                assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
                assertThat(r.jsonPath().getString("pool.version")).isEqualTo(byPath.jsonPath().getString("pool.version"));
                assertThat(r.jsonPath().getList("neighbours.id", String.class)).isNotEmpty()
                        .isEqualTo(byPath.jsonPath().getList("neighbours.id", String.class));
            }
            if (alphaPool == null) {
                alphaPool = byPath.jsonPath().getString("pool.version");
            } else {
                assertThat(byPath.jsonPath().getString("pool.version")).as("beta's own pool").isNotEqualTo(alphaPool);
            }

            Response search = given().contentType("image/jpeg").body(banana).queryParam("limit", 3)
                    .post("/v1/tenants/" + tenant + "/search");
            assertThat(search.statusCode()).as(search.asString()).isEqualTo(200);
            Response searchByHeader = as(tenant).multiPart("photo", "b.jpg", banana, "image/jpeg").multiPart("limit", "3")
                    .post("/v1/search");
            assertThat(searchByHeader.statusCode()).as(searchByHeader.asString()).isEqualTo(200);
            List<String> first = search.jsonPath().getList("results.id", String.class);
            assertThat(first).hasSize(3).isEqualTo(searchByHeader.jsonPath().getList("results.id", String.class));
            // the next page, by either form, with the query (cursor, limit) kept
            String cursor = search.jsonPath().getString("nextCursor");
            Response next = given().queryParam("cursor", cursor).queryParam("limit", 2).get("/v1/tenants/" + tenant + "/search");
            assertThat(next.statusCode()).as(next.asString()).isEqualTo(200);
            assertThat(next.jsonPath().getInt("offset")).isEqualTo(3);
            assertThat(next.jsonPath().getList("results.id", String.class)).hasSize(2).doesNotContainAnyElementsOf(first)
                    .isEqualTo(as(tenant).queryParam("cursor", cursor).queryParam("limit", 2).get("/v1/search")
                            .jsonPath().getList("results.id", String.class));
        }

        // an unknown tenant: the same problem in either form, naming the path as it was sent
        byte[] body = banana;
        for (String[] form : new String[][]{{"/v1/tenants/gamma/suggestions", null}, {"/v1/suggestions", "gamma"},
                {"/v1/tenants/gamma/search", null}, {"/v1/search", "gamma"}}) {
            for (Response r : List.of(as(form[1]).contentType("image/jpeg").body(body).post(form[0]),
                    as(form[1]).multiPart("photo", "b.jpg", body, "image/jpeg").post(form[0]))) {
                assertProblem(r, 404, "unknown-tenant");
                assertThat(r.jsonPath().getString("instance")).isEqualTo(form[0]);
                assertThat(r.jsonPath().getString("detail")).contains("gamma").doesNotContain("alpha").doesNotContain("beta");
            }
        }
        assertProblem(given().queryParam("cursor", "x").get("/v1/tenants/gamma/search"), 404, "unknown-tenant");
        assertProblem(given().contentType("application/json").body("{\"weightClass\": \"<= 1 kg\"}")
                .post("/v1/tenants/gamma/suggestions/0123456789abcdef0123456789abcdef/shipping-check"), 404, "unknown-tenant");
        // no tenant at all, and no default here
        assertProblem(given().contentType("image/jpeg").body(body).post("/v1/suggestions"), 400, "no-tenant");
        // only the tenant's operations have a tenant path
        assertThat(given().get("/v1/tenants/alpha/images/a.jpg").statusCode()).isEqualTo(404);
        assertThat(given().get("/v1/tenants/alpha").statusCode()).isEqualTo(404);
    }

    /** Sends the headers of a photo request announcing 50 MB, none of the body, and reads the status line. */
    private String statusWithoutSendingTheBody(String path, String tenantHeader, String contentType) throws Exception {
        try (Socket s = new Socket(root.getHost(), root.getPort())) {
            s.setSoTimeout(20_000); // an answer that waits for a body that never comes times out here
            OutputStream out = s.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: " + root.getHost() + "\r\nContent-Type: " + contentType + "\r\n"
                    + (tenantHeader == null ? "" : "X-Tenant: " + tenantHeader + "\r\n")
                    + "Content-Length: 50000000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        }
    }

    /** The tenant is resolved before the body is read, multipart forms included, in either form of the path. */
    @Test
    void anUnknownOrMissingTenantIsRefusedBeforeTheBodyIsRead() throws Exception {
        for (String type : List.of("multipart/form-data; boundary=lens", "image/jpeg")) {
            assertThat(statusWithoutSendingTheBody("/v1/tenants/gamma/suggestions", null, type)).as(type).startsWith("HTTP/1.1 404");
            assertThat(statusWithoutSendingTheBody("/v1/suggestions", "gamma", type)).as(type).startsWith("HTTP/1.1 404");
            assertThat(statusWithoutSendingTheBody("/v1/tenants/gamma/search", "alpha", type)).as(type).startsWith("HTTP/1.1 404");
            assertThat(statusWithoutSendingTheBody("/v1/search", "gamma", type)).as(type).startsWith("HTTP/1.1 404");
            assertThat(statusWithoutSendingTheBody("/v1/suggestions", null, type)).as(type).startsWith("HTTP/1.1 400");
        }
    }

    /**
     * The OpenAPI document shows each operation of a tenant in both forms: with the X-Tenant header (once), and under
     * /v1/tenants/{tenant}/ with the tenant as a path parameter, the same body and answers; no other tenant path.
     */
    @Test
    void theOpenApiDocumentShowsBothFormsOfEachOperationOfATenant() {
        io.restassured.path.json.JsonPath doc = given().queryParam("format", "json").get("/q/openapi").jsonPath();
        java.util.Map<String, Object> paths = doc.getMap("paths");
        String[][] operations = {{"/v1/suggestions", "post"}, {"/v1/suggestions/{id}/shipping-check", "post"},
                {"/v1/search", "post"}, {"/v1/search", "get"}};
        for (String[] op : operations) {
            String header = "paths.'" + op[0] + "'." + op[1];
            String tenant = "paths.'/v1/tenants/{tenant}/" + op[0].substring(4) + "'." + op[1];
            List<java.util.Map<String, Object>> headerParameters = doc.getList(header + ".parameters");
            assertThat(headerParameters.stream().filter(p -> "X-Tenant".equals(p.get("name")) && "header".equals(p.get("in"))))
                    .as(header).hasSize(1);
            List<java.util.Map<String, Object>> tenantParameters = doc.getList(tenant + ".parameters");
            assertThat(tenantParameters).as(tenant).noneMatch(p -> "X-Tenant".equals(p.get("name")))
                    .anyMatch(p -> "tenant".equals(p.get("name")) && "path".equals(p.get("in")) && Boolean.TRUE.equals(p.get("required")));
            assertThat(tenantParameters).as(tenant).hasSize(headerParameters.size());
            assertThat(doc.getMap(tenant + ".responses").keySet()).as(tenant).isEqualTo(doc.getMap(header + ".responses").keySet());
            if (op[1].equals("post")) {
                assertThat(doc.getMap(tenant + ".requestBody.content").keySet()).as(tenant)
                        .isEqualTo(doc.getMap(header + ".requestBody.content").keySet());
            }
            assertThat(doc.getString(tenant + ".description")).as(tenant).startsWith("As " + op[1].toUpperCase() + " " + op[0]);
        }
        assertThat(paths.keySet().stream().filter(p -> p.startsWith("/v1/tenants/"))).containsExactlyInAnyOrder(
                "/v1/tenants/{tenant}/suggestions", "/v1/tenants/{tenant}/suggestions/{id}/shipping-check",
                "/v1/tenants/{tenant}/search");
    }

    private static void assertProblem(Response r, int status, String typePart) {
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(status);
        assertThat(r.contentType()).startsWith(Problem.MEDIA_TYPE);
        assertThat(r.jsonPath().getInt("status")).isEqualTo(status);
        assertThat(r.jsonPath().getString("type")).isEqualTo("urn:listing-lens:problem:" + typePart);
    }
}
