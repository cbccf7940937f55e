package com.listinglens.api;

import com.listinglens.support.Management;
import com.listinglens.support.DemoPoolResource;
import com.listinglens.support.Ready;
import com.listinglens.support.RedisResource;
import com.listinglens.support.TestPools;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The request deadline end to end, with a budget of 1 ms that no photo can meet: both photo endpoints answer 503
 * deadline-exceeded with Retry-After and the stage they gave up in; a bad upload still gets its own 4xx (it is
 * refused before any deadline check); the refusals are counted by reason.
 */
@QuarkusTest
@QuarkusTestResource(value = DemoPoolResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = RedisResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = DeadlineTest.OneMillisecond.class, restrictToAnnotatedClass = true)
class DeadlineTest {

    public static class OneMillisecond implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            return Map.of("lens.request.deadline", "1ms", "lens.request.retry-after-seconds", "2");
        }

        @Override
        public void stop() {
        }
    }

    @BeforeEach
    void waitUntilReady() throws InterruptedException {
        Ready.await();
    }

    @Test
    void aPhotoPastTheDeadlineGets503WithRetryAfterAndItsStage() throws Exception {
        byte[] jpeg = Files.readAllBytes(TestPools.grocery().resolve("val/Fruit/Banana/Banana_003.jpg"));
        for (String endpoint : new String[] {"/v1/suggestions", "/v1/search"}) {
            Response r = given().multiPart("photo", "banana.jpg", jpeg, "image/jpeg").post(endpoint);
            assertThat(r.statusCode()).as(endpoint + ": " + r.asString()).isEqualTo(503);
            assertThat(r.contentType()).startsWith(Problem.MEDIA_TYPE);
            assertThat(r.jsonPath().getString("type")).isEqualTo("urn:listing-lens:problem:deadline-exceeded");
            assertThat(r.jsonPath().getString("detail")).contains("1 ms budget").contains("decoding photo 1 of 1");
            assertThat(r.header("Retry-After")).isEqualTo("2");
            // the photo as the raw request body: the same budget, the same answer
            Response raw = given().contentType("image/jpeg").body(jpeg).post(endpoint);
            assertThat(raw.statusCode()).as(endpoint + " raw: " + raw.asString()).isEqualTo(503);
            assertThat(raw.jsonPath().getString("type")).isEqualTo("urn:listing-lens:problem:deadline-exceeded");
            assertThat(raw.jsonPath().getString("detail")).contains("1 ms budget").contains("decoding photo 1 of 1");
            assertThat(raw.header("Retry-After")).isEqualTo("2");
        }
        // a bad upload is still told what is wrong with it
        Response bad = given().multiPart("photo", "x.jpg", new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF}, "image/jpeg")
                .post("/v1/suggestions");
        assertThat(bad.statusCode()).isEqualTo(422);
        String metrics = Management.given().get("/q/metrics").asString();
        assertThat(metrics).containsPattern("lens_problems_total\\{[^}]*type=\"deadline-exceeded\"[^}]*\\} 4\\.0");
    }
}
