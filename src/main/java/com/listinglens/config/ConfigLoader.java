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
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .addDefaultSources()
                .addDefaultInterceptors()
                .addDiscoveredConverters()
                .withMapping(LensConfig.class)
                .withMappingIgnore("quarkus.**")
                .build();
        return config.getConfigMapping(LensConfig.class);
    }
}
