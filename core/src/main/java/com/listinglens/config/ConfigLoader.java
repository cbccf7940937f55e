package com.listinglens.config;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

import java.time.Duration;
import java.util.Map;

/**
 * Loads {@link LensConfig} outside Quarkus (the command-line tools) from the same sources the service
 * uses: system properties, environment variables, then {@code application.properties}.
 */
public final class ConfigLoader {

    private ConfigLoader() {
    }

    public static LensConfig load() {
        return build(Map.of()).getConfigMapping(LensConfig.class);
    }

    /** The configuration with {@code overrides} above every other source (tests, tools that set keys themselves). */
    public static LensConfig load(Map<String, String> overrides) {
        return build(overrides).getConfigMapping(LensConfig.class);
    }

    /** The HTTP port the service listens on (quarkus.http.port), for tools that call it. */
    public static int port() {
        return build(Map.of()).getOptionalValue("quarkus.http.port", Integer.class).orElse(8080);
    }

    private static SmallRyeConfig build(Map<String, String> overrides) {
        return new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(overrides, "overrides", 1000))
                .addDefaultSources()
                .addDefaultInterceptors()
                .addDiscoveredConverters()
                // Quarkus's reading of "500ms", "24h" (the service has it from Quarkus; the tools and jobs from here)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withMapping(LensConfig.class)
                .withMappingIgnore("quarkus.**")
                .build();
    }
}
