package com.listinglens.app;

import com.listinglens.catalog.Listing;
import com.listinglens.config.ConfigLoader;
import com.listinglens.config.LensConfig;
import com.listinglens.config.Settings;
import com.listinglens.storage.ArtifactRefusedException;
import com.listinglens.storage.Artifacts;
import com.listinglens.storage.FileBlobStore;
import com.listinglens.storage.Layout;
import com.listinglens.storage.ManifestSigner;
import com.listinglens.storage.ManifestVerifier;
import com.listinglens.storage.Publisher;
import com.listinglens.storage.SigningKeys;
import com.listinglens.support.PoolWriter;
import com.listinglens.support.TestStores;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A service configured with a public key (lens.storage.signing.public-key) serves signed pools only: an unsigned one
 * is refused before it is fetched, the refusal reported as any other (health, lens.pool.refusals), and the pool
 * serving keeps serving. Real folder store, real FAISS pools.
 */
class SignedPoolsTest {

    private static final int D = 8;
    private static final java.security.KeyPair KEY = SigningKeys.generate();

    @Test
    void anUnsignedPoolIsRefusedAndASignedOneSwappedIn() {
        Path store = TestStores.fresh("signed");
        publish(store, "v1", null);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Artifacts artifacts = new Artifacts(new FileBlobStore(store), new Layout(""), TestStores.cache("signed"),
                ManifestVerifier.of(List.of(KEY.getPublic())));
        try (PoolSync sync = new PoolSync(artifacts, List.of("default"), Map.of(),
                new PoolSync.Expectations(PoolWriter.SPACE, D, false, true), Duration.ofHours(1),
                new com.listinglens.storage.Backoff(Duration.ofMillis(10), Duration.ofMillis(20)), Duration.ofHours(1),
                Clock.systemUTC(), registry, null)) {
            TenantPool t = sync.tenant("default").orElseThrow();
            PoolSync.Outcome o = sync.sync(t, false);
            assertThat(o.action()).isEqualTo(PoolSync.Action.REFUSED);
            assertThat(o.reason()).isEqualTo("unsigned");
            assertThat(t.refusal().version()).isEqualTo("v1");
            assertThat(t.refusal().reason()).isEqualTo("unsigned");
            assertThat(t.refusal().message()).contains("pools/default/v1/manifest.json is not signed");
            assertThat(t.serving()).isEmpty();
            assertThat(registry.counter("lens.pool.refusals", "tenant", "default", "reason", "unsigned").count()).isEqualTo(1);

            publish(store, "v2", KEY);
            assertThat(sync.sync(t, false).action()).isEqualTo(PoolSync.Action.SWAPPED);
            assertThat(t.serving().orElseThrow().poolVersion()).isEqualTo("v2");

            // a pool signed by another key is refused too, and v2 keeps serving
            publish(store, "v3", SigningKeys.generate());
            PoolSync.Outcome other = sync.sync(t, false);
            assertThat(other.action()).isEqualTo(PoolSync.Action.REFUSED);
            assertThat(other.reason()).isEqualTo("bad-signature");
            assertThat(t.serving().orElseThrow().poolVersion()).isEqualTo("v2");
        }
    }

    @Test
    void aModelVersionFolderMustBeSignedWhenAKeyIsConfigured() throws Exception {
        Path keys = TestStores.fresh("model-keys");
        Path pub = Files.writeString(keys.resolve("signing.pub"), SigningKeys.publicPem(KEY.getPublic()));
        Path signed = publishModel("s1", KEY);
        Path unsigned = publishModel("u1", null);
        assertThat(Settings.resolveModel(modelConfig(signed, pub), null, "int8").version()).isEqualTo("s1");
        assertThatThrownBy(() -> Settings.resolveModel(modelConfig(unsigned, pub), null, "int8"))
                .isInstanceOf(ArtifactRefusedException.class).hasMessageContaining("not signed");
        assertThat(Settings.resolveModel(modelConfig(unsigned, null), null, "int8").version()).as("no key: as before").isEqualTo("u1");
    }

    private static LensConfig modelConfig(Path folder, Path publicKey) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("lens.model.source", "directory");
        o.put("lens.model.name", "tiny");
        o.put("lens.model.directory", folder.toString());
        if (publicKey != null) {
            o.put("lens.storage.signing.public-key", publicKey.toString());
        }
        return ConfigLoader.load(o);
    }

    private static Path publishModel(String version, java.security.KeyPair key) throws Exception {
        Path src = TestStores.fresh("model-src");
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("int8", Files.write(src.resolve("model_int8.pt"), "int8 weights".getBytes()));
        files.put("fp32", Files.write(src.resolve("model_fp32.pt"), "fp32 weights".getBytes()));
        Path store = TestStores.fresh("model-store");
        try (FileBlobStore fs = new FileBlobStore(store)) {
            new Publisher(fs, new Layout(""), new PrintStream(PrintStream.nullOutputStream()), key == null ? null : ManifestSigner.of(key))
                    .publishModel("tiny", version, "space-x", 16, files, true);
        }
        return store.resolve("models/tiny/" + version);
    }

    private static void publish(Path store, String version, java.security.KeyPair key) {
        List<Listing> listings = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            listings.add(new Listing("signed-" + i, "img/" + i + ".jpg", "title " + i, List.of("A", "B"), null, null, null, Map.of()));
        }
        Path dir = PoolWriter.write(TestStores.fresh("pool-" + version), version, listings, PoolWriter.unitVectors(4, D, 4), D, "IDMap,Flat");
        try (FileBlobStore files = new FileBlobStore(store)) {
            new Publisher(files, new Layout(""), new PrintStream(PrintStream.nullOutputStream()), key == null ? null : ManifestSigner.of(key))
                    .publishPool(dir, "default", true);
        }
    }
}
