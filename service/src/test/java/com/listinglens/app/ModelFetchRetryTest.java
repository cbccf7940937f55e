package com.listinglens.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.listinglens.api.LivenessCheck;
import com.listinglens.config.ConfigLoader;
import com.listinglens.config.LensConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

/**
 * The model fetch at start is retried while the store is unreachable (as pool fetches are), and liveness reports DOWN
 * once loading has failed for good, so the orchestrator restarts the pod.
 */
class ModelFetchRetryTest {

    @Test
    void anUnreachableStoreIsRetriedThenLivenessGoesDown() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort(); // closed again: nothing listens there
        }
        Map<String, String> o = new LinkedHashMap<>();
        o.put("lens.storage.type", "s3");
        o.put("lens.storage.s3.bucket", "models");
        o.put("lens.storage.s3.endpoint", "http://127.0.0.1:" + deadPort);
        o.put("lens.storage.s3.path-style", "true");
        o.put("lens.storage.s3.access-key", "a");
        o.put("lens.storage.s3.secret-key", "b");
        o.put("lens.storage.s3.call-timeout", "1s");
        o.put("lens.storage.s3.retries", "0");
        o.put("lens.storage.cache-dir", Files.createTempDirectory("lens-retry-cache").toString());
        o.put("lens.storage.backoff-initial", "300ms");
        o.put("lens.storage.backoff-max", "300ms");
        o.put("lens.storage.model-attempts", "4");
        o.put("lens.model.source", "store");
        LensConfig config = ConfigLoader.load(o);
        LensService service = new LensService(config, new SimpleMeterRegistry());
        LivenessCheck liveness = new LivenessCheck(service);
        service.onStart(null);
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (service.state() != LensService.State.FAILED && System.nanoTime() < deadline) {
            String f = service.failure();
            if (f != null && !seen.contains(f)) {
                seen.add(f);
            }
            assertThat(liveness.call().getStatus()).as("up while retrying").isEqualTo(HealthCheckResponse.Status.UP);
            Thread.sleep(20);
        }
        assertThat(service.state()).isEqualTo(LensService.State.FAILED);
        assertThat(seen).as("retries were announced while loading").isNotEmpty()
                .allSatisfy(f -> assertThat(f).contains("the store is unreachable").contains("fetching the model again"));
        HealthCheckResponse down = liveness.call();
        assertThat(down.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(down.getData()).get().satisfies(d -> assertThat(d).containsEntry("state", "failed").containsKey("failure"));
    }
}
