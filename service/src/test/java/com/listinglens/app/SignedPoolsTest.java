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
        try (PoolSync sync = signedSync(store, "signed", registry)) {
            TenantPool t = sync.tenant("default").orElseThrow();
            PoolSync.Outcome o = sync.sync(t, false);
            assertThat(o.action()).isEqualTo(PoolSync.Action.REFUSED);
            assertThat(o.reason()).isEqualTo("unsigned");
            assertThat(t.refusal().version()).isEqualTo("v1");
            assertThat(t.refusal().reason()).isEqualTo("unsigned");
            // refused at its pointer, which is unsigned as its manifest is
            assertThat(t.refusal().message()).contains("pointer pools/default/current is not signed");
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

    /**
     * Whoever can write the bucket but holds no signing key cannot choose what is served: a pointer rewritten to
     * another signed version is refused (its signature names the version it was made for), and an older signed
     * pointer replayed (a rollback to a version with a known flaw) is refused as one; v3 keeps serving. An operator
     * rolls back by publishing the old version again, which signs a new pointer.
     */
    @Test
    void aForgedOrReplayedPointerIsRefusedAndARepublishedVersionServed() throws Exception {
        Path store = TestStores.fresh("signed-pointers");
        Path current = store.resolve("pools/default/current");
        publish(store, "v1", KEY);
        byte[] pointerToV1 = Files.readAllBytes(current);
        Thread.sleep(5);
        publish(store, "v2", KEY);
        byte[] pointerToV2 = Files.readAllBytes(current);
        Thread.sleep(5);
        publish(store, "v3", KEY);
        assertThat(new String(pointerToV1)).contains("\"signature\"").contains("pool-pointer");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (PoolSync sync = signedSync(store, "signed-pointers", registry)) {
            TenantPool t = sync.tenant("default").orElseThrow();
            assertThat(sync.sync(t, false).action()).isEqualTo(PoolSync.Action.SWAPPED);
            assertThat(t.serving().orElseThrow().poolVersion()).isEqualTo("v3");

            // v3's pointer with its version changed to v1: the signature was made for v3
            String forged = Files.readString(current).replace("\"version\":\"v3\"", "\"version\":\"v1\"");
            assertThat(forged).contains("\"version\":\"v1\"");
            Files.writeString(current, forged);
            PoolSync.Outcome f = sync.sync(t, false);
            assertThat(f.action()).isEqualTo(PoolSync.Action.REFUSED);
            assertThat(f.reason()).isEqualTo("bad-signature");
            assertThat(t.serving().orElseThrow().poolVersion()).isEqualTo("v3");

            // v2's own pointer, signed, written back: older than v3's
            Files.write(current, pointerToV2);
            PoolSync.Outcome replay = sync.sync(t, false);
            assertThat(replay.action()).isEqualTo(PoolSync.Action.REFUSED);
            assertThat(replay.reason()).isEqualTo("rollback");
            assertThat(t.refusal().version()).isEqualTo("v2");
            assertThat(t.refusal().message()).contains("publish v2 again");
            assertThat(t.serving().orElseThrow().poolVersion()).isEqualTo("v3");
            assertThat(registry.counter("lens.pool.refusals", "tenant", "default", "reason", "rollback").count()).isEqualTo(1);
            Files.write(current, pointerToV1);
            assertThat(sync.sync(t, false).reason()).isEqualTo("rollback");

            // the operator's rollback: the pointer moved to v1 again (publish-pool --point-to v1), a new signed pointer
            new Publisher(new FileBlobStore(store), new Layout(""), new PrintStream(PrintStream.nullOutputStream()), ManifestSigner.of(KEY))
                    .pointTo("default", "v1");
            assertThat(sync.sync(t, false).action()).isEqualTo(PoolSync.Action.SWAPPED);
            assertThat(t.serving().orElseThrow().poolVersion()).isEqualTo("v1");
        }
    }

    /** A sync of tenant "default" from the folder store that trusts KEY alone. */
    private static PoolSync signedSync(Path store, String cache, SimpleMeterRegistry registry) {
        Artifacts artifacts = new Artifacts(new FileBlobStore(store), new Layout(""), TestStores.cache(cache),
                ManifestVerifier.of(List.of(KEY.getPublic())));
        return new PoolSync(artifacts, List.of("default"), Map.of(),
                new PoolSync.Expectations(PoolWriter.SPACE, D, false, true), Duration.ofHours(1),
                new com.listinglens.storage.Backoff(Duration.ofMillis(10), Duration.ofMillis(20)), Duration.ofHours(1),
                Clock.systemUTC(), registry, null);
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
