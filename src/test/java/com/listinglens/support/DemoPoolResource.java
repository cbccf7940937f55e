package com.listinglens.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/** Serves the real demo pool in @QuarkusTest runs (built first if needed). */
public class DemoPoolResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of("lens.pool.dir", TestPools.demo().toString(),
                "lens.shared-dir", TestPools.sharedDir().toString());
    }

    @Override
    public void stop() {
    }
}
