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

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Admission control end to end with lens.request.max-in-flight = 1: eight clients at once (half of them multipart
 * suggestions, half raw-body searches), so most of them find a request already in flight and are answered 503
 * overloaded with Retry-After at once, in either form; every other answer is a 200;
 * afterwards a lone request is admitted again (the in-flight count came back down).
 */
@QuarkusTest
@QuarkusTestResource(value = DemoPoolResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = RedisResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = AdmissionTest.OneAtATime.class, restrictToAnnotatedClass = true)
class AdmissionTest {

    public static class OneAtATime implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            return Map.of("lens.request.max-in-flight", "1", "lens.request.retry-after-seconds", "3");
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
    void beyondTheLimitRequestsAreRefusedAtOnceAndTheRestAnswered() throws Exception {
        byte[] jpeg = Files.readAllBytes(TestPools.grocery().resolve("val/Fruit/Banana/Banana_004.jpg"));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        List<String> refusals = java.util.Collections.synchronizedList(new ArrayList<>());
        Map<String, AtomicInteger> refusedByForm = new ConcurrentHashMap<>();
        List<Future<?>> done = new ArrayList<>();
        AtomicInteger counter = new AtomicInteger();
        for (int c = 0; c < 8; c++) {
            // half the clients send the photo as the raw request body: admitted and refused as multipart ones are
            boolean raw = c % 2 == 1;
            done.add(pool.submit(() -> {
                for (int i = 0; i < 6; i++) {
                    // new bytes every time (a JPEG comment), so no answer comes from the cache
                    byte[] body = withComment(jpeg, "admission-" + counter.incrementAndGet());
                    Response r = raw ? given().contentType("image/jpeg").body(body).post("/v1/search")
                            : given().multiPart("photo", "b.jpg", body, "image/jpeg").post("/v1/suggestions");
                    statuses.computeIfAbsent(r.statusCode(), s -> new AtomicInteger()).incrementAndGet();
                    if (r.statusCode() == 503) {
                        refusals.add(r.header("Retry-After") + " " + r.contentType() + " " + r.asString());
                        refusedByForm.computeIfAbsent(raw ? "raw" : "multipart", f -> new AtomicInteger()).incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(5, TimeUnit.MINUTES);
        }
        pool.shutdown();
        assertThat(statuses.keySet()).as("statuses %s", statuses).containsOnly(200, 503);
        assertThat(statuses.get(503).get()).as("statuses %s", statuses).isPositive();
        assertThat(statuses.get(200).get()).as("statuses %s", statuses).isPositive();
        assertThat(refusedByForm.keySet()).as("refused %s", refusedByForm).containsExactlyInAnyOrder("raw", "multipart");
        assertThat(refusals).allSatisfy(r -> assertThat(r).startsWith("3 application/problem+json")
                .contains("urn:listing-lens:problem:overloaded").contains("max-in-flight"));
        // the count comes back to 0 (a response's end handler may run a moment after the client has read it)
        long until = System.nanoTime() + 5_000_000_000L;
        while (!Management.given().get("/q/metrics").asString().contains("lens_requests_in_flight 0.0") && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertThat(Management.given().get("/q/metrics").asString()).contains("lens_requests_in_flight 0.0");
        Response alone = given().multiPart("photo", "b.jpg", withComment(jpeg, "alone"), "image/jpeg").post("/v1/suggestions");
        assertThat(alone.statusCode()).isEqualTo(200);
        Response aloneRaw = given().contentType("image/jpeg").body(withComment(jpeg, "alone-raw")).post("/v1/suggestions");
        assertThat(aloneRaw.statusCode()).isEqualTo(200);
    }

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
