package com.listinglens.api;

import com.listinglens.app.LensService;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReadinessCheckTest {

    @Test
    void downUntilModelAndPoolAreLoaded() {
        LensService service = new LensService(null, new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        HealthCheckResponse r = new ReadinessCheck(service).call();
        assertThat(r.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(r.getData()).get().satisfies(d -> assertThat(d).containsEntry("state", "starting"));
        assertThatThrownBy(service::pipeline).isInstanceOf(LensService.NotReadyException.class)
                .hasMessageContaining("still loading");
    }
}
