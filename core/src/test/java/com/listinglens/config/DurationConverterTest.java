package com.listinglens.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DurationConverterTest {

    private final DurationConverter c = new DurationConverter();

    @Test
    void readsTheShortFormsAndIso() {
        assertThat(c.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(c.convert("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.convert("45")).isEqualTo(Duration.ofSeconds(45));
        assertThat(c.convert("15m")).isEqualTo(Duration.ofMinutes(15));
        assertThat(c.convert("24h")).isEqualTo(Duration.ofHours(24));
        assertThat(c.convert("2d")).isEqualTo(Duration.ofDays(2));
        assertThat(c.convert("PT1M30S")).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.convert("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.convert("P1D")).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void refusesWhatIsNotADuration() {
        assertThatThrownBy(() -> c.convert("soon")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'soon'");
        assertThatThrownBy(() -> c.convert("5w")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theToolsReadTheServicesDurations() {
        LensConfig config = ConfigLoader.load(java.util.Map.of("lens.request.deadline", "750ms"));
        assertThat(config.request().deadline()).isEqualTo(Duration.ofMillis(750));
    }
}
