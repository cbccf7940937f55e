package com.listinglens.api;

import com.listinglens.support.Management;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.listinglens.app.LensService;
import com.listinglens.app.CacheStore;
import com.listinglens.app.StageTimers;
import com.listinglens.app.SuggestionService;
import com.listinglens.config.LensConfig;
import com.listinglens.support.DemoPoolResource;
import com.listinglens.support.Ready;
import com.listinglens.support.RedisResource;
import com.listinglens.support.TestPools;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** Cache, sessions and the shipping check over HTTP, against a real redis-server that the tests stop and restart. */
@QuarkusTest
@QuarkusTestResource(value = DemoPoolResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = RedisResource.class, restrictToAnnotatedClass = true)
class SuggestionSessionTest {

    private static byte[] photo(String path) throws Exception {
        return Files.readAllBytes(TestPools.grocery().resolve(path));
    }

    @Inject
    LensService lens;
    @Inject
    LensConfig config;
    @Inject
    ObjectMapper json;

    @BeforeEach
    void ready() throws Exception {
        RedisResource.server().start();
        Ready.await();
        Thread.sleep(250); // past lens.redis.retry-after of an earlier test's outage
    }

    private static Response suggest(byte[] bytes) {
        return given().multiPart("photo", "p.jpg", bytes, "image/jpeg").post("/v1/suggestions");
    }

    private static Response check(String id, Map<String, Object> body) {
        return given().contentType("application/json").body(body).post("/v1/suggestions/" + id + "/shipping-check");
    }

    @Test
    void aRepeatedPhotoIsAnsweredFromTheCacheAndSaysSo() throws Exception {
        byte[] apple = photo("val/Fruit/Apple/Granny-Smith/Granny-Smith_001.jpg");
        Response first = suggest(apple);
        Response second = suggest(apple);
        assertThat(first.statusCode()).as(first.asString()).isEqualTo(200);
        assertThat(first.jsonPath().getBoolean("cached")).isFalse();
        assertThat(second.jsonPath().getBoolean("cached")).isTrue();
        assertThat(second.jsonPath().getString("title.value")).isEqualTo(first.jsonPath().getString("title.value"));
        assertThat(second.jsonPath().getList("category.path.name")).isEqualTo(first.jsonPath().getList("category.path.name"));
        assertThat(second.jsonPath().getString("pool.version")).isEqualTo(first.jsonPath().getString("pool.version"));
        assertThat(second.jsonPath().getString("suggestionId")).matches("[0-9a-f]{32}")
                .isNotEqualTo(first.jsonPath().getString("suggestionId"));
        Management.given().get("/q/metrics").then().statusCode(200);
        assertThat(Management.given().get("/q/metrics").asString()).contains("lens_cache_requests_total{result=\"hit\"}");
    }

    @Test
    void theShippingCheckWarnsOfALighterClass() throws Exception {
        Response milk = suggest(photo("val/Packages/Milk/Arla-Standard-Milk/Arla-Standard-Milk_001.jpg"));
        assertThat(milk.jsonPath().getString("weightClass.value.label")).isEqualTo("<= 1 kg");
        String id = milk.jsonPath().getString("suggestionId");

        Response light = check(id, Map.of("weightClass", "<= 250 g"));
        assertThat(light.statusCode()).as(light.asString()).isEqualTo(200);
        assertThat(light.jsonPath().getString("recommended.label")).isEqualTo("<= 1 kg");
        assertThat(light.jsonPath().getString("warning")).contains("lighter");

        Response same = check(id, Map.of("weightClass", "<= 1 kg"));
        assertThat(same.jsonPath().getString("warning")).isNull();

        Response edited = check(id, Map.of("weightClass", "<= 1 kg", "category", List.of("Packages", "Milk")));
        assertThat(edited.jsonPath().getBoolean("categoryMatched")).isTrue();

        Response badClass = check(id, Map.of("weightClass", "very heavy"));
        assertThat(badClass.statusCode()).isEqualTo(400);
        assertThat(badClass.jsonPath().getString("detail")).contains("<= 250 g");
        Response unknown = check("0123456789abcdef0123456789abcdef", Map.of("weightClass", "<= 1 kg"));
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.contentType()).startsWith("application/problem+json");
        assertThat(unknown.jsonPath().getString("type")).contains("unknown-suggestion");
        assertThat(check("not-an-id", Map.of("weightClass", "<= 1 kg")).statusCode()).isEqualTo(404);
    }

    @Test
    void aSessionOutlivesTheServiceThatMadeIt() throws Exception {
        String id = suggest(photo("val/Packages/Milk/Arla-Standard-Milk/Arla-Standard-Milk_002.jpg")).jsonPath().getString("suggestionId");
        assertThat(id).isNotNull();
        // a second service instance with nothing in memory, as after a restart or on another replica
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SuggestionService restarted = new SuggestionService(lens, config, json, registry, new CacheStore(config, registry),
                new StageTimers(registry));
        assertThat(restarted.session(id).id()).isEqualTo(id);
        assertThat(restarted.shippingCheck(lens.scope("default", false), id, "<= 250 g", null).warning()).contains("lighter");
    }

    @Test
    void redisDownMeansUncachedAnswersAndUnavailableSessions() throws Exception {
        byte[] banana = photo("val/Fruit/Banana/Banana_003.jpg");
        String id = suggest(banana).jsonPath().getString("suggestionId");
        RedisResource.server().stop();
        try {
            Response r = suggest(banana);
            assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
            assertThat(r.jsonPath().getBoolean("cached")).isFalse();
            assertThat(r.jsonPath().getString("suggestionId")).isNull();
            assertThat(r.jsonPath().getString("suggestionIdReason")).contains("unavailable");
            assertThat(r.jsonPath().getList("category.path.name")).startsWith("Fruit", "Banana");
            Response c = check(id, Map.of("weightClass", "<= 250 g"));
            assertThat(c.statusCode()).isEqualTo(503);
            assertThat(c.jsonPath().getString("type")).contains("session-store-unavailable");
            assertThat(Management.given().get("/q/metrics").asString()).contains("lens_redis_failures_total");
        } finally {
            RedisResource.server().start();
        }
        Thread.sleep(300);
        Response after = suggest(banana);
        assertThat(after.jsonPath().getString("suggestionId")).matches("[0-9a-f]{32}");
    }

    @Test
    void aSlowRedisIsNotWaitedFor() throws Exception {
        byte[] kiwi = photo("val/Fruit/Kiwi/Kiwi_002.jpg");
        Process freeze = RedisResource.server().freeze(2.0);
        Thread.sleep(200);
        try {
            Response r = suggest(kiwi);
            assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
            assertThat(r.jsonPath().getBoolean("cached")).isFalse();
            assertThat(r.jsonPath().getString("suggestionIdReason")).contains("unavailable");
            assertThat(r.jsonPath().getList("category.path.name")).isNotEmpty();
        } finally {
            freeze.waitFor();
        }
    }

    @Test
    void aRedisRestartInTheMiddleOfARequestLoopFailsNoSuggestion() throws Exception {
        List<byte[]> photos = List.of(photo("val/Fruit/Banana/Banana_004.jpg"), photo("val/Fruit/Kiwi/Kiwi_001.jpg"),
                photo("val/Vegetables/Carrots/Carrots_001.jpg"));
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            if (i == 15) {
                RedisResource.server().restart();
            }
            statuses.add(suggest(photos.get(i % photos.size())).statusCode());
        }
        assertThat(statuses).hasSize(40).containsOnly(200);
        // and the service recovered: once Redis answers again, answers carry a session id again, and the session works
        Response back = null;
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            back = suggest(photo("val/Fruit/Banana/Banana_005.jpg"));
            if (back.jsonPath().getString("suggestionId") != null) {
                break;
            }
            Thread.sleep(200);
        }
        assertThat(back.jsonPath().getString("suggestionId")).as("a session id after the restart: %s", back.asString()).isNotNull();
        assertThat(back.jsonPath().getString("suggestionIdReason")).isNull();
        Response check = given().contentType("application/json").body("{\"weightClass\": \"<= 250 g\"}")
                .post("/v1/suggestions/" + back.jsonPath().getString("suggestionId") + "/shipping-check");
        assertThat(check.statusCode()).as(check.asString()).isEqualTo(200);
    }
}
