package com.listinglens.spark;

import com.listinglens.config.ConfigLoader;
import com.listinglens.config.LensConfig;
import com.listinglens.config.Settings;
import com.listinglens.embedding.DjlEmbedder;
import com.listinglens.embedding.Embedder;
import com.listinglens.storage.Artifacts;

import java.util.HashMap;
import java.util.Map;

/**
 * The model of one executor JVM: loaded once, on first use, and shared by every task the executor runs at the same
 * time (the embedder is thread-safe, as the service shares it between requests), so {@code N} task slots embed with
 * {@code N} cores and one copy of the weights. The configuration is the executor's own (its application.properties
 * and {@code LENS_*} environment, which {@code spark.executorEnv.*} sets); every embedded row carries the space and
 * weights it was made with, and the driver refuses a build whose rows disagree with its own model.
 */
final class ExecutorModel {

    /** What the driver compares: the embedding space and the weights' sha-256. */
    record Identity(String space, String sha256, Settings.ResolvedModel model) {
        String tag() {
            return space + "@" + sha256;
        }
    }

    private static LensConfig config;
    private static final Map<String, Embedder> EMBEDDERS = new HashMap<>();
    private static final Map<String, Identity> IDENTITIES = new HashMap<>();

    private ExecutorModel() {}

    static synchronized LensConfig config() {
        if (config == null) {
            config = ConfigLoader.load();
        }
        return config;
    }

    /** The executor's embedder at {@code precision}; loaded on the first call. */
    static synchronized Embedder embedder(String precision) {
        Embedder embedder = EMBEDDERS.get(precision);
        if (embedder == null) {
            LensConfig c = config();
            try (Artifacts artifacts = Settings.artifacts(c)) {
                Settings.ResolvedModel model = Settings.resolveModel(c, artifacts, precision);
                embedder = new DjlEmbedder(model.settings());
                IDENTITIES.put(precision, new Identity(model.space(), embedder.info().sha256(), model));
                EMBEDDERS.put(precision, embedder);
            }
        }
        return embedder;
    }

    static synchronized Identity identity(String precision) {
        embedder(precision);
        return IDENTITIES.get(precision);
    }
}
