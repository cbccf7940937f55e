package com.listinglens.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.listinglens.support.Ready;
import com.listinglens.support.TestPools;
import com.listinglens.support.TwoTenantsRedisResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.nio.file.Files;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Redis-backed state never crosses tenants (real Redis): one tenant's suggestion session, search cursor and cached
 * answer, replayed as the other tenant, are unknown (404) or uncached there.
 */
@QuarkusTest
@QuarkusTestResource(value = TwoTenantsRedisResource.class, restrictToAnnotatedClass = true)
class TenantIsolationTest {

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
}
