package com.listinglens.api;

import com.listinglens.support.Management;
import com.listinglens.pool.PoolFiles;
import com.listinglens.support.Ready;
import com.listinglens.support.SwappablePoolResource;
import com.listinglens.support.TestPools;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pools of a folder store (a local directory or read-only volume) swapped in while requests run, refused when
 * broken, behind the admin token.
 */
@QuarkusTest
@QuarkusTestResource(value = SwappablePoolResource.class, restrictToAnnotatedClass = true)
class PoolReloadTest {

    private static final int REQUESTS = 2000;

    @BeforeEach
    void ready() throws InterruptedException {
        Ready.await();
    }

    private static Response reload(String token) {
        var spec = given();
        if (token != null) {
            spec = spec.header("Authorization", "Bearer " + token);
        }
        return spec.post("/admin/pools/reload");
    }

    private static String servedVersion() {
        return health("tenant.default.pool");
    }

    private static String health(String key) {
        Object value = Management.given().get("/q/health/ready").jsonPath().getMap("checks[0].data").get(key);
        return value == null ? null : value.toString();
    }

    @Test
    void adminEndpointsNeedTheToken() {
        Response none = reload(null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.contentType()).startsWith("application/problem+json");
        assertThat(none.header("WWW-Authenticate")).startsWith("Bearer");
        assertThat(reload("wrong").statusCode()).isEqualTo(401);
        assertThat(given().header("Authorization", "Basic dGVzdDp0ZXN0").post("/admin/pools/reload").statusCode()).isEqualTo(401);
    }

    @Test
    void fiveSwapsUnderLoadFailNoRequest() throws Exception {
        byte[] photo = Files.readAllBytes(TestPools.grocery().resolve("val/Fruit/Banana/Banana_001.jpg"));
        Set<String> versionsSeen = ConcurrentHashMap.newKeySet();
        List<Integer> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger sent = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(2);
        List<Future<?>> loops = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            loops.add(clients.submit(() -> {
                while (sent.getAndIncrement() < REQUESTS) {
                    Response r = given().multiPart("photo", "p.jpg", photo, "image/jpeg").post("/v1/suggestions");
                    if (r.statusCode() != 200) {
                        failures.add(r.statusCode());
                    } else {
                        versionsSeen.add(r.jsonPath().getString("pool.version"));
                    }
                }
            }));
        }
        // versions[0] serves now; each swap publishes the other
        Path[] pools = {SwappablePoolResource.a(), SwappablePoolResource.b()};
        if (!PoolFiles.readManifest(pools[0]).poolVersion().equals(servedVersion())) {
            pools = new Path[]{SwappablePoolResource.b(), SwappablePoolResource.a()};
        }
        String[] versions = {PoolFiles.readManifest(pools[0]).poolVersion(), PoolFiles.readManifest(pools[1]).poolVersion()};
        assertThat(versions[0]).isEqualTo(servedVersion()).isNotEqualTo(versions[1]);
        List<String> served = new ArrayList<>();
        for (int swap = 1; swap <= 5; swap++) {
            Thread.sleep(1500);
            Path next = pools[swap % 2];
            SwappablePoolResource.publish(next);
            Response r = reload(SwappablePoolResource.TOKEN);
            assertThat(r.statusCode()).as(r.asString()).isEqualTo(200);
            assertThat(r.jsonPath().getString("tenants[0].action")).isEqualTo("SWAPPED");
            assertThat(r.jsonPath().getString("tenants[0].to")).isEqualTo(versions[swap % 2]);
            served.add(servedVersion());
        }
        for (Future<?> loop : loops) {
            loop.get();
        }
        clients.shutdown();
        assertThat(sent.get()).isGreaterThanOrEqualTo(REQUESTS);
        assertThat(failures).isEmpty();
        assertThat(served).containsExactly(versions[1], versions[0], versions[1], versions[0], versions[1]);
        assertThat(versionsSeen).containsExactlyInAnyOrder(versions);
        // reloading what already serves changes nothing
        Response again = reload(SwappablePoolResource.TOKEN);
        assertThat(again.jsonPath().getString("tenants[0].action")).isEqualTo("UNCHANGED");
    }

    @Test
    void aCorruptPoolIsRefusedAndTheOldOneKeepsServing() throws Exception {
        String before = servedVersion();
        Path other = before.equals(PoolFiles.readManifest(SwappablePoolResource.a()).poolVersion())
                ? SwappablePoolResource.b() : SwappablePoolResource.a();
        SwappablePoolResource.publish(other);
        String otherVersion = PoolFiles.readManifest(other).poolVersion();
        Path index = SwappablePoolResource.store().resolve("pools/default/" + otherVersion + "/" + PoolFiles.INDEX);
        byte[] bytes = Files.readAllBytes(index);
        Files.write(index, Arrays.copyOf(bytes, bytes.length - 100));

        Response r = reload(SwappablePoolResource.TOKEN);
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(409);
        assertThat(r.jsonPath().getString("type")).contains("pool-refused");
        assertThat(r.jsonPath().getString("detail")).contains(before).contains("keeps serving");
        assertThat(servedVersion()).isEqualTo(before);
        Response health = Management.given().get("/q/health/ready");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health("tenant.default.refused")).contains(otherVersion).contains("truncated");
        assertThat(Management.given().get("/q/metrics").asString()).contains("lens_pool_refusals_total{reason=\"truncated\",tenant=\"default\"}");
        byte[] photo = Files.readAllBytes(TestPools.grocery().resolve("val/Fruit/Banana/Banana_002.jpg"));
        Response still = given().multiPart("photo", "p.jpg", photo, "image/jpeg").post("/v1/suggestions");
        assertThat(still.statusCode()).isEqualTo(200);
        assertThat(still.jsonPath().getString("pool.version")).isEqualTo(before);
        // publishing a sound pool again clears the refusal
        SwappablePoolResource.publish(other);
        assertThat(reload(SwappablePoolResource.TOKEN).statusCode()).isEqualTo(200);
        assertThat(health("tenant.default.refused")).isNull();
        assertThat(servedVersion()).isEqualTo(otherVersion);
    }
}
