package com.listinglens.storage;

import com.listinglens.config.LensConfig;
import com.listinglens.config.Settings;
import com.listinglens.pool.Manifest;
import com.listinglens.pool.PoolFiles;
import com.listinglens.support.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Signed manifests (issue 27): published with a private key, verified with the public key before anything of a
 * version is fetched; unsigned, changed, re-hashed, re-signed or moved versions refused when a key is configured.
 * Against a folder store and a real S3 protocol server.
 */
class SignedArtifactsTest {

    enum Kind { FILE, S3 }

    private static final String TENANT = "shop-1";
    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static final KeyPair KEY = SigningKeys.generate();
    private static final KeyPair OTHER = SigningKeys.generate();
    private static S3ProxyServer server;

    @TempDir
    Path tmp;

    private final Layout layout = new Layout("lens");
    private final List<BlobStore> opened = new ArrayList<>();

    @BeforeAll
    static void startServer() throws IOException {
        server = new S3ProxyServer();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void closeStores() {
        opened.forEach(BlobStore::close);
    }

    private BlobStore open(Kind kind) throws IOException {
        BlobStore store = switch (kind) {
            case FILE -> new FileBlobStore(Files.createDirectories(tmp.resolve("store")));
            case S3 -> server.store("lens-signed-" + BUCKETS.incrementAndGet());
        };
        opened.add(store);
        return store;
    }

    private Publisher publisher(BlobStore store, KeyPair key) {
        return new Publisher(store, layout, new PrintStream(PrintStream.nullOutputStream()), key == null ? null : ManifestSigner.of(key));
    }

    /** Artifacts trusting {@code keys} (none: not authenticated); left open, as closing them closes the store. */
    private Artifacts artifacts(BlobStore store, KeyPair... keys) {
        return new Artifacts(store, layout, tmp.resolve("cache"),
                keys.length == 0 ? null : ManifestVerifier.of(Stream.of(keys).map(KeyPair::getPublic).toList()));
    }

    private Path pool(String folder, String version, long seed) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("build").resolve(folder));
        byte[] data = new byte[5_000];
        new Random(seed).nextBytes(data);
        Path index = Files.write(dir.resolve(PoolFiles.INDEX), data);
        Path listings = Files.writeString(dir.resolve(PoolFiles.LISTINGS), "{\"id\":\"a-" + seed + "\"}\n");
        PoolFiles.writeManifest(dir, manifest(version, List.of(PoolFiles.describeFile(index), PoolFiles.describeFile(listings))));
        return dir;
    }

    private static Manifest manifest(String version, List<Manifest.FileRef> files) {
        return new Manifest(Manifest.FORMAT_VERSION, version, new Manifest.ModelRef("clip-test", "space-a", "int8", "ab".repeat(32)),
                4, 1, Instant.parse("2025-06-01T12:00:00Z"), "Flat", "inner_product", List.of(), files);
    }

    private Map<String, Path> modelFiles() throws IOException {
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("int8", Files.writeString(tmp.resolve("model-int8.pt"), "int8 weights"));
        files.put("fp32", Files.writeString(tmp.resolve("model-fp32.pt"), "fp32 weights"));
        return files;
    }

    private static byte[] stored(BlobStore store, String key) {
        return store.read(key).orElseThrow(() -> new AssertionError(key + " is not in the store"));
    }

    private void write(BlobStore store, String key, byte[] content) throws IOException {
        Path f = Files.write(Files.createTempFile(tmp, "w", ".bin"), content);
        store.upload(f, key);
    }

    /** What an attacker who can write the bucket (but has no key) does: move the pointer to the manifest it wrote. */
    /**
     * Points the tenant at {@code manifest} with a pointer signed by the trusted key, as if the attacker held it: what
     * follows tests the manifest's own signature, the layer under the pointer's.
     */
    private void repoint(BlobStore store, String version, byte[] manifest) throws IOException {
        write(store, layout.poolPointer(TENANT), Pointer.of(version, Publisher.sha256(manifest), Instant.now())
                .signedBy(ManifestSigner.of(KEY), Pointer.POOL_KIND, TENANT).toJson());
    }

    private static ArtifactRefusedException refusal(Runnable r) {
        ArtifactRefusedException e = catchThrowableOfType(ArtifactRefusedException.class, r::run);
        assertThat(e).as("refused").isNotNull();
        return e;
    }

    private boolean anythingCached() throws IOException {
        Path dir = tmp.resolve("cache");
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.anyMatch(Files::isRegularFile);
        }
    }

    // ---- round trips ------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aSignedPoolAndModelVerifyAndLoad(Kind kind) throws IOException {
        BlobStore store = open(kind);
        Path dir = pool("p1", "v1", 1);
        publisher(store, KEY).publishPool(dir, TENANT, true);
        publisher(store, KEY).publishModel("clip-test", "m1", "space-a", 4, modelFiles(), true);

        String folder = layout.poolVersion(TENANT, "v1");
        ManifestSignature sig = ManifestSignature.parse(stored(store, folder + Layout.SIGNATURE), "test");
        assertThat(sig.algorithm()).isEqualTo("Ed25519");
        assertThat(sig.keyId()).isEqualTo(SigningKeys.keyId(KEY.getPublic())).hasSize(16);
        assertThat(List.of(sig.kind(), sig.owner(), sig.version())).containsExactly("pools", TENANT, "v1");
        assertThat(Base64.getDecoder().decode(sig.signature())).hasSize(64);
        assertThat(stored(store, folder + Layout.MANIFEST)).as("the manifest is published byte for byte, not rewritten")
                .isEqualTo(Files.readAllBytes(dir.resolve(PoolFiles.MANIFEST)));

        try (Artifacts a = artifacts(store, OTHER, KEY)) {   // two trusted keys, as while keys rotate
            Path local = a.currentPool(TENANT);
            assertThat(Files.readAllBytes(local.resolve(PoolFiles.INDEX))).isEqualTo(Files.readAllBytes(dir.resolve(PoolFiles.INDEX)));
            ModelManifest m = a.modelManifest("clip-test", null);
            assertThat(m.version()).isEqualTo("m1");
            assertThat(a.fetchModel(m).resolve("model-int8.pt")).hasContent("int8 weights");
            assertThat(a.modelManifest("clip-test", "m1").version()).isEqualTo("m1");
        }
    }

    @Test
    void signaturesAreWrittenBeforeTheManifestAndAddedWhenAnUnsignedVersionIsPublishedAgainSigned() throws IOException {
        PublisherFetcherTest.RecordingStore store = new PublisherFetcherTest.RecordingStore(open(Kind.FILE));
        Path dir = pool("p1", "v1", 1);
        publisher(store, KEY).publishPool(dir, "shop-2", true);
        String f2 = layout.poolVersion("shop-2", "v1");
        assertThat(store.mutations()).containsExactly("upload " + f2 + PoolFiles.INDEX, "upload " + f2 + PoolFiles.LISTINGS,
                "write " + f2 + Layout.SIGNATURE, "write " + f2 + Layout.MANIFEST, "write " + layout.poolPointer("shop-2"));

        publisher(store, null).publishPool(dir, TENANT, true);
        {
            Artifacts a = artifacts(store, KEY);
            assertThat(refusal(() -> a.currentPool(TENANT)).reason()).isEqualTo("unsigned");
            publisher(store, KEY).publishPool(dir, TENANT, true);   // complete already: only the signature is added
            assertThat(a.currentPool(TENANT)).isDirectory();
        }
    }

    // ---- refusals -----------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Kind.class)
    void anUnsignedVersionIsRefusedWithAKeyAndServedWithout(Kind kind) throws IOException {
        BlobStore store = open(kind);
        publisher(store, null).publishPool(pool("p1", "v1", 1), TENANT, true);
        publisher(store, null).publishModel("clip-test", "m1", "space-a", 4, modelFiles(), true);
        {
            Artifacts a = artifacts(store, KEY);
            // its pointer is refused first, then (were the pointer taken as it is stored) its manifest
            ArtifactRefusedException p = refusal(() -> a.poolPointer(TENANT));
            assertThat(p.reason()).isEqualTo("unsigned");
            assertThat(p.getMessage()).contains("pointer lens/pools/shop-1/current is not signed", "lens.storage.signing.public-key");
            ArtifactRefusedException e = refusal(() -> a.poolManifest(TENANT, a.storedPoolPointer(TENANT).orElseThrow()));
            assertThat(e.reason()).isEqualTo("unsigned");
            assertThat(e.getMessage()).contains("lens/pools/shop-1/v1/manifest.json", "not signed", "lens.storage.signing.public-key");
            assertThat(refusal(() -> a.modelManifest("clip-test", null)).reason()).isEqualTo("unsigned");
            assertThat(refusal(() -> a.modelManifest("clip-test", "m1")).reason()).isEqualTo("unsigned");
            assertThat(anythingCached()).as("nothing of the version was fetched").isFalse();
        }
        {
            Artifacts a = new Artifacts(store, layout, tmp.resolve("cache"));
            assertThat(a.verifier()).isEmpty();
            assertThat(a.currentPool(TENANT)).isDirectory();
            assertThat(a.fetchModel(a.modelManifest("clip-test", null))).isDirectory();
        }
    }

    @Test
    void aManifestChangedAfterSigningIsRefused() throws IOException {
        BlobStore store = open(Kind.FILE);
        publisher(store, KEY).publishPool(pool("p1", "v1", 1), TENANT, true);
        String key = layout.poolVersion(TENANT, "v1") + Layout.MANIFEST;
        byte[] changed = new String(stored(store, key), StandardCharsets.UTF_8).replace("\"Flat\"", "\"HNSW32\"")
                .getBytes(StandardCharsets.UTF_8);
        write(store, key, changed);
        repoint(store, "v1", changed);
        {
            Artifacts a = artifacts(store, KEY);
            ArtifactRefusedException e = refusal(() -> a.currentPool(TENANT));
            assertThat(e.reason()).isEqualTo("bad-signature");
            assertThat(e.getMessage()).contains("changed after it was signed");
            assertThat(anythingCached()).isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aFileSwappedWithItsManifestRehashedIsRefusedAndSoIsTheAttackersOwnSignature(Kind kind) throws IOException {
        BlobStore store = open(kind);
        publisher(store, KEY).publishPool(pool("p1", "v1", 1), TENANT, true);
        String folder = layout.poolVersion(TENANT, "v1");
        // the attacker's index, and a manifest that lists it with its true size and sha-256: every checksum matches
        Path evil = Files.write(tmp.resolve(PoolFiles.INDEX), "not the index we built".getBytes(StandardCharsets.UTF_8));
        write(store, folder + PoolFiles.INDEX, Files.readAllBytes(evil));
        Path listings = Files.write(tmp.resolve(PoolFiles.LISTINGS), stored(store, folder + PoolFiles.LISTINGS));
        Path m = Files.createDirectories(tmp.resolve("evil"));
        PoolFiles.writeManifest(m, manifest("v1", List.of(PoolFiles.describeFile(evil), PoolFiles.describeFile(listings))));
        byte[] rehashed = Files.readAllBytes(m.resolve(PoolFiles.MANIFEST));
        write(store, folder + Layout.MANIFEST, rehashed);
        repoint(store, "v1", rehashed);

        {
            Artifacts unauthenticated = new Artifacts(store, layout, tmp.resolve("cache-open"));
            assertThat(unauthenticated.currentPool(TENANT)).as("checksums alone are fooled").isDirectory();
        }
        {
            Artifacts a = artifacts(store, KEY);
            assertThat(refusal(() -> a.currentPool(TENANT)).reason()).isEqualTo("bad-signature");
            // signing it with a key of its own does not help: that key is not trusted
            write(store, folder + Layout.SIGNATURE, ManifestSigner.of(OTHER).sign("pools", TENANT, "v1", rehashed));
            ArtifactRefusedException e = refusal(() -> a.currentPool(TENANT));
            assertThat(e.reason()).isEqualTo("bad-signature");
            assertThat(e.getMessage()).contains("signed by key " + SigningKeys.keyId(OTHER.getPublic()), "not trusted",
                    SigningKeys.keyId(KEY.getPublic()));
            assertThat(anythingCached()).isFalse();
        }
    }

    @Test
    void aSignatureByAnotherKeyIsRefused() throws IOException {
        BlobStore store = open(Kind.FILE);
        publisher(store, OTHER).publishPool(pool("p1", "v1", 1), TENANT, true);
        publisher(store, OTHER).publishModel("clip-test", "m1", "space-a", 4, modelFiles(), true);
        {
            Artifacts a = artifacts(store, KEY);
            assertThat(refusal(() -> a.currentPool(TENANT)).getMessage()).contains("not trusted");
            assertThat(refusal(() -> a.modelManifest("clip-test", null)).reason()).isEqualTo("bad-signature");
        }
        {
            Artifacts a = artifacts(store, OTHER);
            assertThat(a.currentPool(TENANT)).isDirectory();
        }
    }

    @Test
    void aSignedVersionCopiedToAnotherTenantOrVersionIsRefused() throws IOException {
        BlobStore store = open(Kind.FILE);
        Path dir = pool("p1", "v1", 1);
        publisher(store, KEY).publishPool(dir, "shop-2", true);
        // the attacker copies shop-2's signed version, signature and all, into shop-1's pools
        String from = layout.poolVersion("shop-2", "v1");
        String to = layout.poolVersion(TENANT, "v1");
        for (String name : List.of(PoolFiles.INDEX, PoolFiles.LISTINGS, Layout.MANIFEST, Layout.SIGNATURE)) {
            write(store, to + name, stored(store, from + name));
        }
        repoint(store, "v1", stored(store, to + Layout.MANIFEST));
        {
            Artifacts a = artifacts(store, KEY);
            assertThat(a.currentPool("shop-2")).isDirectory();
            ArtifactRefusedException e = refusal(() -> a.currentPool(TENANT));
            assertThat(e.reason()).isEqualTo("bad-signature");
            assertThat(e.getMessage()).contains("signed for pools/shop-2/v1, not pools/shop-1/v1");
        }
    }

    @Test
    void aPointerMovedByAnyoneButASigningPublisherIsRefused() throws IOException {
        BlobStore store = open(Kind.FILE);
        publisher(store, KEY).publishPool(pool("p1", "v1", 1), TENANT, true);
        publisher(store, KEY).publishPool(pool("p2", "v2", 2), TENANT, true);
        publisher(store, KEY).publishModel("clip-test", "m1", "space-a", 4, modelFiles(), true);
        Artifacts a = artifacts(store, KEY);
        assertThat(a.poolPointer(TENANT).orElseThrow().version()).isEqualTo("v2");
        assertThat(a.modelManifest("clip-test", null).version()).isEqualTo("m1");
        // both versions are signed; the bucket writer points the tenant back at v1 with a pointer of its own
        byte[] v1 = stored(store, layout.poolVersion(TENANT, "v1") + Layout.MANIFEST);
        write(store, layout.poolPointer(TENANT), Pointer.of("v1", Publisher.sha256(v1), Instant.now()).toJson());
        assertThat(refusal(() -> a.poolPointer(TENANT)).reason()).isEqualTo("unsigned");
        write(store, layout.poolPointer(TENANT), Pointer.of("v1", Publisher.sha256(v1), Instant.now())
                .signedBy(ManifestSigner.of(OTHER), Pointer.POOL_KIND, TENANT).toJson());
        assertThat(refusal(() -> a.poolPointer(TENANT)).getMessage()).contains("not trusted");
        // the model's pointer too
        byte[] m1 = stored(store, layout.modelVersion("clip-test", "m1") + Layout.MANIFEST);
        write(store, layout.modelPointer("clip-test"), Pointer.of("m1", Publisher.sha256(m1), Instant.now()).toJson());
        assertThat(refusal(() -> a.modelManifest("clip-test", null)).reason()).isEqualTo("unsigned");
        // a signing publisher moves it back (a rollback): taken
        assertThat(publisher(store, KEY).pointTo(TENANT, "v1")).isEqualTo("v1");
        assertThat(a.poolPointer(TENANT).orElseThrow().version()).isEqualTo("v1");
        assertThatThrownBy(() -> publisher(store, KEY).pointTo(TENANT, "v9")).isInstanceOf(StorageException.class)
                .hasMessageContaining("v9").hasMessageContaining("is not in");
    }

    @Test
    void garbageSignatureFilesAreRefused() throws IOException {
        BlobStore store = open(Kind.FILE);
        publisher(store, KEY).publishPool(pool("p1", "v1", 1), TENANT, true);
        String sigKey = layout.poolVersion(TENANT, "v1") + Layout.SIGNATURE;
        byte[] good = stored(store, sigKey);
        String json = new String(good, StandardCharsets.UTF_8);
        String sig = ManifestSignature.parse(good, "t").signature();
        for (String bad : List.of("", "not json", "{\"formatVersion\":2}", json.replace(sig, "!!!"), json.replace(sig, "AAAA"),
                json.replace("Ed25519", "RSA"))) {
            write(store, sigKey, bad.getBytes(StandardCharsets.UTF_8));
            {
                Artifacts a = artifacts(store, KEY);
                assertThat(refusal(() -> a.currentPool(TENANT)).reason()).as(bad).isEqualTo("bad-signature");
            }
        }
    }

    // ---- keys and configuration ---------------------------------------------------------------------------------

    @Test
    void keysRoundTripThroughPemAndSettingsTakeTextOrAFile() throws IOException {
        String pub = SigningKeys.publicPem(KEY.getPublic());
        String priv = SigningKeys.privatePem(KEY.getPrivate());
        assertThat(pub).startsWith("-----BEGIN PUBLIC KEY-----\n");
        assertThat(priv).startsWith("-----BEGIN PRIVATE KEY-----\n");
        Path keyFile = Files.writeString(tmp.resolve("signing.key"), priv);
        Path pubFile = Files.writeString(tmp.resolve("signing.pub"), pub);

        ManifestSigner signer = ManifestSigner.load(keyFile, "lens.storage.signing.private-key-file");
        assertThat(signer.publicKey().getEncoded()).as("public key derived from the private key").isEqualTo(KEY.getPublic().getEncoded());
        assertThat(signer.keyId()).isEqualTo(SigningKeys.keyId(KEY.getPublic()));
        String body = priv.lines().filter(l -> !l.startsWith("-----")).reduce("", String::concat);
        assertThat(signer.toString()).contains(signer.keyId(), "redacted").doesNotContain(body).doesNotContain(body.substring(0, 20));

        byte[] manifest = "{\"some\":\"manifest\"}".getBytes(StandardCharsets.UTF_8);
        byte[] sig = signer.sign("models", "clip", "m1", manifest);
        for (String setting : List.of(pub, pubFile.toString(), pub.replace("\n", "\\n"), pub.replace("\n", " "),
                SigningKeys.publicPem(OTHER.getPublic()) + pub)) {
            ManifestVerifier v = ManifestVerifier.fromSetting(setting, "lens.storage.signing.public-key");
            v.verify("models", "clip", "m1", manifest, sig, "m");
            assertThat(v.toString()).doesNotContain("BEGIN");
        }
        // an OpenSSL-style key file with its public key beside it
        Path both = Files.writeString(tmp.resolve("both.key"), priv + pub);
        assertThat(ManifestSigner.load(both, "k").keyId()).isEqualTo(signer.keyId());
        Path mismatched = Files.writeString(tmp.resolve("mismatched.key"), priv + SigningKeys.publicPem(OTHER.getPublic()));
        assertThatThrownBy(() -> ManifestSigner.load(mismatched, "k")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not match");
    }

    @Test
    void malformedKeysAreClearConfigurationErrors() throws Exception {
        String setting = "lens.storage.signing.public-key";
        String pub = SigningKeys.publicPem(KEY.getPublic());
        String priv = SigningKeys.privatePem(KEY.getPrivate());
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(1024);
        String rsaPub = SigningKeys.publicPem(rsa.generateKeyPair().getPublic());
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("-----BEGIN PUBLIC KEY-----\nnot base64 at all!\n-----END PUBLIC KEY-----\n", "not valid base64");
        cases.put("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "not an Ed25519 key");
        cases.put(rsaPub, "not an Ed25519 key");
        cases.put(priv, "holds a private key");
        cases.put("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "'CERTIFICATE'");
        cases.put(pub.substring(0, pub.length() - 10), "no PEM block");
        cases.put(tmp.resolve("missing.pub").toString(), "no file");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            assertThatThrownBy(() -> ManifestVerifier.fromSetting(c.getKey(), setting)).as(c.getValue())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(setting).hasMessageContaining(c.getValue());
        }
        Path notPem = Files.writeString(tmp.resolve("not.pub"), "ssh-ed25519 AAAAC3Nza... me@host\n");
        assertThatThrownBy(() -> ManifestVerifier.fromSetting(notPem.toString(), setting))
                .hasMessageContaining(notPem.toString()).hasMessageContaining("no PEM block");

        Path pubAsPrivate = Files.writeString(tmp.resolve("pub-as-private.key"), pub);
        assertThatThrownBy(() -> ManifestSigner.load(pubAsPrivate, "lens.storage.signing.private-key-file"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no PRIVATE KEY");
        Path encrypted = Files.writeString(tmp.resolve("enc.key"), "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
        assertThatThrownBy(() -> ManifestSigner.load(encrypted, "lens.storage.signing.private-key-file"))
                .hasMessageContaining("encrypted");
        // a PKCS#8 Ed25519 key cut short
        String brokenBody = Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(KEY.getPrivate().getEncoded(), 40));
        Path broken = Files.writeString(tmp.resolve("broken.key"), "-----BEGIN PRIVATE KEY-----\n" + brokenBody + "\n-----END PRIVATE KEY-----\n");
        assertThatThrownBy(() -> ManifestSigner.load(broken, "lens.storage.signing.private-key-file"))
                .hasMessageContaining("not an Ed25519 PKCS#8 key").hasMessageNotContaining(brokenBody);

        // through the configuration: a key that cannot be read stops the start, it never means "no key"
        assertThatThrownBy(() -> Settings.verifier(signing("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(setting);
        assertThat(Settings.verifier(signing(null))).isNull();
        assertThat(Settings.verifier(signing("  "))).isNull();
        assertThat(Settings.verifier(signing(pub)).keyIds()).containsExactly(SigningKeys.keyId(KEY.getPublic()));
    }

    private static LensConfig.Storage.Signing signing(String publicKey) {
        return new LensConfig.Storage.Signing() {
            @Override
            public Optional<String> publicKey() {
                return Optional.ofNullable(publicKey);
            }

            @Override
            public Optional<Path> privateKeyFile() {
                return Optional.empty();
            }
        };
    }
}
