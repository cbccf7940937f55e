package com.listinglens.config;

import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * Loads {@link LensConfig} outside Quarkus (the command-line tools) from the same sources the service
 * uses: system properties, environment variables, then {@code application.properties}.
 */
public final class ConfigLoader {

    private ConfigLoader() {
    }

    public static LensConfig load() {
        return build().getConfigMapping(LensConfig.class);
    }

    /** The HTTP port the service listens on (quarkus.http.port), for tools that call it. */
    public static int port() {
        return build().getOptionalValue("quarkus.http.port", Integer.class).orElse(8080);
    }

    private static SmallRyeConfig build() {
        return new SmallRyeConfigBuilder()
                .addDefaultSources()
                .addDefaultInterceptors()
                .addDiscoveredConverters()
                .withMapping(LensConfig.class)
                .withMappingIgnore("quarkus.**")
                .build();
    }
}
