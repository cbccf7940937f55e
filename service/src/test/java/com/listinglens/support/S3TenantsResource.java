package com.listinglens.support;

import com.listinglens.storage.Layout;
import com.listinglens.storage.Publisher;
import com.listinglens.storage.S3BlobStore;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A real S3 protocol server (S3Proxy, as a process) holding, under the prefix "lens/", the model (published from the
 * shared files, served by its pointer) and two tenants: "alpha" with iconic listings 0-40 and "beta" with 40-81.
 * No default tenant; the watcher reads the pointers every 300 ms, backs off from 200 ms to 1 s, and health turns
 * stale after 2 s without the store. Admin token "test-token"; no Redis.
 */
public class S3TenantsResource implements QuarkusTestResourceLifecycleManager {

    public static final String TOKEN = "test-token";
    public static final String BUCKET = "lens-tenants";
    public static final Layout LAYOUT = new Layout("lens");
    private static S3ProxyServer server;
    private static S3BlobStore store;
    private static Path alpha;
    private static Path beta;
    private static Path cache;

    @Override
    public synchronized Map<String, String> start() {
        try {
            alpha = TestPools.iconic("iconic-a", 0, 40);
            beta = TestPools.iconic("iconic-b", 40, 81);
            server = S3ProxyServer.launch();
            store = server.store(BUCKET);
            Publisher publisher = new Publisher(store, LAYOUT, new PrintStream(PrintStream.nullOutputStream()));
            Path models = TestPools.sharedDir().resolve("models/mobilenet_v2");
            publisher.publishModel("mobilenet_v2", "v1", "imagenet-mobilenet_v2-gap1280", 1280,
                    Map.of("int8", models.resolve("mobilenet_v2_embed_int8.pt"), "fp32", models.resolve("mobilenet_v2_embed_fp32.pt")), true);
            publisher.publishPool(alpha, "alpha", true);
            publisher.publishPool(beta, "beta", true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> config = new HashMap<>();
        config.put("lens.storage.type", "s3");
        config.put("lens.storage.prefix", "lens");
        config.put("lens.storage.s3.bucket", BUCKET);
        config.put("lens.storage.s3.endpoint", server.endpoint().toString());
        config.put("lens.storage.s3.path-style", "true");
        config.put("lens.storage.s3.access-key", server.accessKey());
        config.put("lens.storage.s3.secret-key", server.secretKey());
        config.put("lens.storage.s3.call-timeout", "2s");
        config.put("lens.storage.s3.retries", "0");
        cache = TestStores.cache("s3-tenants");
        config.put("lens.storage.cache-dir", cache.toString());
        config.put("lens.storage.watch-interval", "300ms");
        config.put("lens.storage.backoff-initial", "200ms");
        config.put("lens.storage.backoff-max", "1s");
        config.put("lens.storage.stale-after", "2s");
        config.put("lens.model.source", "store");
        config.put("lens.tenants", "alpha,beta");
        config.put("lens.default-tenant", "");
        config.put("lens.admin.token", TOKEN);
        config.put("lens.redis.enabled", "false");
        config.put("lens.shared-dir", TestPools.sharedDir().toString());
        return config;
    }

    public static S3ProxyServer server() {
        return server;
    }

    public static Path cacheDir() {
        return cache;
    }

    public static S3BlobStore store() {
        return store;
    }

    public static Path alpha() {
        return alpha;
    }

    public static Path beta() {
        return beta;
    }

    @Override
    public synchronized void stop() {
        if (store != null) {
            store.close();
        }
        if (server != null) {
            server.close();
        }
    }
}
