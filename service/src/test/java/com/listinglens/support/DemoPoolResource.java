package com.listinglens.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/** Serves the real demo pool (built first if needed) from a folder store in @QuarkusTest runs. */
public class DemoPoolResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of("lens.storage.type", "directory",
                "lens.storage.directory", TestStores.demo().toString(),
                "lens.storage.cache-dir", TestStores.cache("demo").toString(),
                "lens.shared-dir", TestPools.sharedDir().toString());
    }

    @Override
    public void stop() {
    }
}
