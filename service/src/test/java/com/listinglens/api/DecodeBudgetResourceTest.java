package com.listinglens.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.listinglens.app.LensService;
import com.listinglens.image.DecodeBudget;
import com.listinglens.support.DemoPoolResource;
import com.listinglens.support.Ready;
import com.listinglens.support.RedisResource;
import com.listinglens.support.TestPools;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.file.Files;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Photos are decoded only within the memory budget (lens.image.decode-budget-mb): while other decodes hold it, an
 * upload waits lens.image.decode-wait and is then answered 503 with Retry-After and a problem body, never decoded
 * beyond the budget; once the budget is free the same photo is answered.
 */
@QuarkusTest
@QuarkusTestResource(value = DemoPoolResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = RedisResource.class, restrictToAnnotatedClass = true)
class DecodeBudgetResourceTest {

    @Inject
    LensService service;

    @BeforeEach
    void waitUntilReady() throws InterruptedException {
        Ready.await();
    }

    @Test
    void aFullBudgetIsA503WithRetryAfterAndAFreeOneAnswers() throws Exception {
        byte[] lemon = Files.readAllBytes(TestPools.grocery().resolve("val/Fruit/Lemon/Lemon_002.jpg"));
        DecodeBudget budget = service.pipeline().decodeBudget();
        assertThat(budget.capacity()).as("a quarter of the memory limit by default").isGreaterThanOrEqualTo(256L << 20);
        Response busy;
        try (DecodeBudget.Permit others = budget.acquire(budget.capacity() - 1000)) {
            busy = given().contentType("image/jpeg").body(lemon).post("/v1/suggestions");
        }
        assertThat(busy.statusCode()).isEqualTo(503);
        assertThat(busy.header("Retry-After")).isNotBlank();
        assertThat(busy.contentType()).startsWith(Problem.MEDIA_TYPE);
        assertThat(busy.jsonPath().getString("type")).endsWith("overloaded");
        assertThat(busy.jsonPath().getString("detail")).contains("lens.image.decode-budget");
        Response ok = given().contentType("image/jpeg").body(lemon).post("/v1/suggestions");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.jsonPath().getList("category.path.name")).contains("Fruit");
        assertThat(budget.used()).as("every decode gave its share back").isZero();
    }

    /** This service has no admin token at all: every admin route is closed to everybody (fail closed). */
    @Test
    void withoutAnyTokenEveryAdminRouteIs401() {
        for (String[] route : new String[][]{{"POST", "/admin/pools/reload"}, {"POST", "/admin/pools/default/reload"},
                {"POST", "/admin/tenants/default/changes"}, {"POST", "/admin/tenants/default/listings"},
                {"DELETE", "/admin/tenants/default/listings/x"}}) {
            for (String auth : new String[]{null, "Bearer ", "Bearer anything"}) {
                var spec = given();
                if (auth != null) {
                    spec = spec.header("Authorization", auth);
                }
                Response r = spec.request(route[0], route[1]);
                assertThat(r.statusCode()).as(route[0] + " " + route[1] + " with " + auth).isEqualTo(401);
                assertThat(r.jsonPath().getString("detail")).contains("closed");
            }
        }
    }
}
