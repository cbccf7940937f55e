package com.listinglens.storage;

import com.listinglens.pool.Manifest;
import com.listinglens.pool.PoolException;
import com.listinglens.pool.PoolFiles;
import com.listinglens.support.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Publishing pools and models into a store and bringing them back, verified, on both kinds of store: a local
 * folder (read in place) and a bucket of a real S3 protocol server (downloaded into the cache).
 */
class PublisherFetcherTest {

    enum Kind { FILE, S3 }

    private static final String TENANT = "shop-1";
    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static S3ProxyServer server;

    @TempDir
    Path tmp;

    private final Layout layout = new Layout("lens");
    private final List<BlobStore> opened = new ArrayList<>();
    private final ByteArrayOutputStream publisherLog = new ByteArrayOutputStream();

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

    // ---- helpers ------------------------------------------------------------------------------------------------

    private BlobStore open(Kind kind) throws IOException {
        BlobStore store = switch (kind) {
            case FILE -> new FileBlobStore(Files.createDirectories(tmp.resolve("store")));
            case S3 -> server.store("lens-pf-" + BUCKETS.incrementAndGet());
        };
        opened.add(store);
        return store;
    }

    private Path cacheDir() {
        return tmp.resolve("cache");
    }

    private Publisher publisher(BlobStore store) {
        return new Publisher(store, layout, new PrintStream(publisherLog, true, StandardCharsets.UTF_8));
    }

    private Artifacts artifacts(BlobStore store) {
        return new Artifacts(store, layout, cacheDir());
    }

    private static byte[] random(int bytes, long seed) {
        byte[] data = new byte[bytes];
        new Random(seed).nextBytes(data);
        return data;
    }

    /** A pool folder built by hand: arbitrary bytes for the index and listings, and a manifest describing them. */
    private Path pool(String folder, String version, long seed) throws IOException {
        return pool(folder, version, seed, 20_000);
    }

    private Path pool(String folder, String version, long seed, int indexBytes) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("build").resolve(folder));
        Path index = Files.write(dir.resolve(PoolFiles.INDEX), random(indexBytes, seed));
        Path listings = Files.writeString(dir.resolve(PoolFiles.LISTINGS),
                "{\"id\":\"a-" + seed + "\"}\n{\"id\":\"b-" + seed + "\"}\n");
        writeManifest(dir, version, List.of(PoolFiles.describeFile(index), PoolFiles.describeFile(listings)));
        return dir;
    }

    private static Manifest writeManifest(Path dir, String version, List<Manifest.FileRef> files) {
        Manifest manifest = new Manifest(Manifest.FORMAT_VERSION, version,
                new Manifest.ModelRef("clip-test", "space-a", "int8", "ab".repeat(32)), 4, 2,
                Instant.parse("2025-06-01T12:00:00Z"), "Flat", "inner_product", List.of(), files);
        PoolFiles.writeManifest(dir, manifest);
        return manifest;
    }

    private static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] stored(BlobStore store, String key) {
        return store.read(key).orElseThrow(() -> new AssertionError(key + " is not in the store"));
    }

    private String versionFolder(String version) {
        return layout.poolVersion(TENANT, version);
    }

    /** Everything under the cache folder of the tenant's pools (partial folders included). */
    private List<String> cachedPoolEntries() throws IOException {
        Path dir = cacheDir().resolve(Artifacts.POOLS).resolve(TENANT);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Replaces a stored object by {@code content} (through the store, as a careless operator would). */
    private void overwrite(BlobStore store, String key, byte[] content) throws IOException {
        Path f = Files.write(Files.createTempFile(tmp, "overwrite", ".bin"), content);
        store.upload(f, key);
    }

    // ---- publishing pools ---------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Kind.class)
    void publishesEveryFileThenTheManifestThenMovesThePointer(Kind kind) throws IOException {
        Path dir = pool("p1", "v1", 1);
        RecordingStore store = new RecordingStore(open(kind));

        Publisher.Published published = publisher(store).publishPool(dir, TENANT, true);

        String folder = versionFolder("v1");
        assertThat(store.mutations()).containsExactly(
                "upload " + folder + PoolFiles.INDEX,
                "upload " + folder + PoolFiles.LISTINGS,
                "write " + folder + Layout.MANIFEST,
                "write " + layout.poolPointer(TENANT));
        assertThat(store.list(layout.poolsOf(TENANT))).containsExactly(
                "lens/pools/shop-1/current",
                "lens/pools/shop-1/v1/index.faiss",
                "lens/pools/shop-1/v1/listings.jsonl",
                "lens/pools/shop-1/v1/manifest.json");
        assertThat(stored(store, folder + PoolFiles.INDEX)).isEqualTo(bytes(dir.resolve(PoolFiles.INDEX)));
        assertThat(stored(store, folder + PoolFiles.LISTINGS)).isEqualTo(bytes(dir.resolve(PoolFiles.LISTINGS)));
        byte[] manifestBytes = stored(store, folder + Layout.MANIFEST);
        assertThat(manifestBytes).isEqualTo(bytes(dir.resolve(PoolFiles.MANIFEST)));

        Pointer pointer = Pointer.parse(stored(store, layout.poolPointer(TENANT)), "test");
        assertThat(pointer.version()).isEqualTo("v1");
        assertThat(pointer.manifestSha256()).isEqualTo(Publisher.sha256(manifestBytes));
        assertThat(pointer.publishedAt()).isNotNull();

        assertThat(published.owner()).isEqualTo(TENANT);
        assertThat(published.version()).isEqualTo("v1");
        assertThat(published.folder()).isEqualTo(folder);
        assertThat(published.files()).isEqualTo(3);
        assertThat(published.pointerMoved()).isTrue();
        assertThat(published.previous()).isNull();
        assertThat(published.bytes()).isEqualTo(Files.size(dir.resolve(PoolFiles.INDEX))
                + Files.size(dir.resolve(PoolFiles.LISTINGS)) + manifestBytes.length);
        assertThat(publisherLog.toString(StandardCharsets.UTF_8)).contains("published pool v1 of tenant shop-1");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void publishingTheSameVersionAgainIsIdempotent(Kind kind) throws IOException {
        Path dir = pool("p1", "v1", 1);
        RecordingStore store = new RecordingStore(open(kind));
        publisher(store).publishPool(dir, TENANT, true);
        String folder = versionFolder("v1");
        byte[] index = stored(store, folder + PoolFiles.INDEX);
        byte[] manifest = stored(store, folder + Layout.MANIFEST);
        store.clear();

        Publisher.Published again = publisher(store).publishPool(dir, TENANT, true);

        assertThat(store.mutations()).as("only the pointer is written again")
                .containsExactly("write " + layout.poolPointer(TENANT));
        assertThat(again.bytes()).isZero();
        assertThat(again.previous()).isEqualTo("v1");
        assertThat(stored(store, folder + PoolFiles.INDEX)).isEqualTo(index);
        assertThat(stored(store, folder + Layout.MANIFEST)).isEqualTo(manifest);
        Pointer pointer = Pointer.parse(stored(store, layout.poolPointer(TENANT)), "test");
        assertThat(pointer.version()).isEqualTo("v1");
        assertThat(pointer.manifestSha256()).isEqualTo(Publisher.sha256(manifest));
        assertThat(store.list(layout.poolsOf(TENANT))).hasSize(4);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void publishingAnotherManifestUnderAnExistingVersionIsRefused(Kind kind) throws IOException {
        BlobStore store = open(kind);
        publisher(store).publishPool(pool("first", "v1", 1), TENANT, true);
        String folder = versionFolder("v1");
        byte[] pointerBefore = stored(store, layout.poolPointer(TENANT));
        byte[] indexBefore = stored(store, folder + PoolFiles.INDEX);
        byte[] manifestBefore = stored(store, folder + Layout.MANIFEST);

        Path other = pool("second", "v1", 2);
        assertThatThrownBy(() -> publisher(store).publishPool(other, TENANT, true))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining(folder)
                .hasMessageContaining("immutable");

        assertThat(stored(store, layout.poolPointer(TENANT))).isEqualTo(pointerBefore);
        assertThat(stored(store, folder + PoolFiles.INDEX)).isEqualTo(indexBefore);
        assertThat(stored(store, folder + Layout.MANIFEST)).isEqualTo(manifestBefore);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aPoolThatFailsItsOwnManifestIsRefusedBeforeAnythingIsUploaded(Kind kind) throws IOException {
        BlobStore store = open(kind);

        Path changed = pool("changed", "v1", 1);
        byte[] index = bytes(changed.resolve(PoolFiles.INDEX));
        index[index.length / 2] ^= 0x01;
        Files.write(changed.resolve(PoolFiles.INDEX), index);
        PoolException e = catchThrowableOfType(PoolException.class, () -> publisher(store).publishPool(changed, TENANT, true));
        assertThat(e).isNotNull();
        assertThat(e.reason()).isEqualTo("checksum-mismatch");
        assertThat(e.getMessage()).contains("will not publish");

        Path truncated = pool("truncated", "v2", 2);
        Files.write(truncated.resolve(PoolFiles.LISTINGS), new byte[3]);
        PoolException t = catchThrowableOfType(PoolException.class, () -> publisher(store).publishPool(truncated, TENANT, true));
        assertThat(t).isNotNull();
        assertThat(t.reason()).isEqualTo("truncated");

        Path missing = pool("missing", "v3", 3);
        Files.delete(missing.resolve(PoolFiles.LISTINGS));
        PoolException m = catchThrowableOfType(PoolException.class, () -> publisher(store).publishPool(missing, TENANT, true));
        assertThat(m).isNotNull();
        assertThat(m.reason()).isEqualTo("missing-file");

        assertThat(store.list(layout.poolsOf(TENANT))).as("nothing under the tenant").isEmpty();
        assertThat(store.list("")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void refusesInvalidTenantsAndVersionsBeforeAnythingIsUploaded(Kind kind) throws IOException {
        BlobStore store = open(kind);
        Path dir = pool("p1", "v1", 1);
        assertThatThrownBy(() -> publisher(store).publishPool(dir, "../other", true)).isInstanceOf(IllegalArgumentException.class);

        Path badVersion = pool("bad", "../v1", 2);
        assertThatThrownBy(() -> publisher(store).publishPool(badVersion, TENANT, true)).isInstanceOf(IllegalArgumentException.class);

        assertThat(store.list("")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void refusesAManifestNamingAFileOutsideItsFolderBeforeAnythingIsUploaded(Kind kind) throws IOException {
        // readers refuse such a manifest (file names are single segments): the publisher must not write it either
        BlobStore store = open(kind);
        Path dir = pool("escape", "v1", 1);
        Path outside = Files.write(dir.resolveSibling("escape.bin"), random(100, 9));
        List<Manifest.FileRef> files = new ArrayList<>(PoolFiles.readManifest(dir).files());
        files.add(new Manifest.FileRef("../escape.bin", 100, PoolFiles.sha256(outside)));
        writeManifest(dir, "v1", files);

        Throwable thrown = catchThrowable(() -> publisher(store).publishPool(dir, TENANT, true));

        assertThat(store.list("")).as("nothing was written").isEmpty();
        assertThat(thrown).as("publication refused").isNotNull();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aStoredManifestNamingAFileOutsideItsFolderIsRefusedAsAnArtifact(Kind kind) throws IOException {
        // written by hand (or by another tool) into the store: readers refuse it like any other bad artifact,
        // with a reason, so that the refusal is recorded and the service keeps serving what it has
        BlobStore store = open(kind);
        publisher(store).publishPool(pool("p1", "v1", 1), TENANT, true);
        store.write(layout.poolsOf(TENANT) + "escape.bin", random(100, 9));
        Path dir = pool("p2", "v2", 2);
        List<Manifest.FileRef> files = new ArrayList<>(PoolFiles.readManifest(dir).files());
        files.add(new Manifest.FileRef("../escape.bin", 100, "00".repeat(32)));
        writeManifest(dir, "v2", files);
        byte[] manifest = bytes(dir.resolve(PoolFiles.MANIFEST));
        store.write(versionFolder("v2") + Layout.MANIFEST, manifest);
        store.write(layout.poolPointer(TENANT), Pointer.of("v2", Publisher.sha256(manifest), Instant.now()).toJson());
        Artifacts artifacts = artifacts(store);

        Throwable thrown = catchThrowable(() -> artifacts.fetchPool(TENANT,
                artifacts.poolManifest(TENANT, artifacts.poolPointer(TENANT).orElseThrow()), true));

        assertThat(thrown).isInstanceOf(ArtifactRefusedException.class);
        assertThat(cachedPoolEntries()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void stagingLeavesThePointerWhereItWas(Kind kind) throws IOException {
        BlobStore store = open(kind);
        Artifacts artifacts = artifacts(store);
        publisher(store).publishPool(pool("p1", "v1", 1), TENANT, true);

        Publisher.Published staged = publisher(store).publishPool(pool("p2", "v2", 2), TENANT, false);

        assertThat(staged.pointerMoved()).isFalse();
        assertThat(staged.previous()).isNull();
        assertThat(artifacts.poolPointer(TENANT)).hasValueSatisfying(p -> assertThat(p.version()).isEqualTo("v1"));
        assertThat(store.size(versionFolder("v2") + Layout.MANIFEST)).isPresent();

        // moving it later does not upload again
        Publisher.Published moved = publisher(store).publishPool(tmp.resolve("build/p2"), TENANT, true);
        assertThat(moved.bytes()).isZero();
        assertThat(moved.previous()).isEqualTo("v1");
        assertThat(artifacts.poolPointer(TENANT)).hasValueSatisfying(p -> assertThat(p.version()).isEqualTo("v2"));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aPublicationThatFailsHalfWayLeavesThePointerWhereItWas(Kind kind) throws IOException {
        BlobStore real = open(kind);
        publisher(real).publishPool(pool("p1", "v1", 1), TENANT, true);
        byte[] pointerBefore = stored(real, layout.poolPointer(TENANT));
        Path v2 = pool("p2", "v2", 2);
        RecordingStore failing = new RecordingStore(real, op -> op.endsWith("/v2/" + PoolFiles.LISTINGS));

        assertThatThrownBy(() -> publisher(failing).publishPool(v2, TENANT, true)).isInstanceOf(StorageUnavailableException.class);

        assertThat(stored(real, layout.poolPointer(TENANT))).isEqualTo(pointerBefore);
        assertThat(real.size(versionFolder("v2") + Layout.MANIFEST)).as("no manifest for a half version").isEmpty();

        // a retry completes the version and moves the pointer
        Publisher.Published retried = publisher(real).publishPool(v2, TENANT, true);
        assertThat(retried.previous()).isEqualTo("v1");
        Artifacts artifacts = artifacts(real);
        Pointer pointer = artifacts.poolPointer(TENANT).orElseThrow();
        assertThat(pointer.version()).isEqualTo("v2");
        assertThat(artifacts.poolManifest(TENANT, pointer)).isEqualTo(PoolFiles.readManifest(v2));
    }

    // ---- fetching pools -----------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Kind.class)
    void fetchesThePublishedPool(Kind kind) throws IOException {
        // on S3, an index big enough to go up in parts
        Path dir = pool("p1", "v1", 1, kind == Kind.S3 ? 6_000_000 : 20_000);
        BlobStore store = open(kind);
        publisher(store).publishPool(dir, TENANT, true);
        Artifacts artifacts = artifacts(store);

        Pointer pointer = artifacts.poolPointer(TENANT).orElseThrow();
        Manifest manifest = artifacts.poolManifest(TENANT, pointer);
        Path local = artifacts.fetchPool(TENANT, manifest, true);

        assertThat(pointer.version()).isEqualTo("v1");
        assertThat(manifest).isEqualTo(PoolFiles.readManifest(dir));
        if (kind == Kind.S3) {
            assertThat(local).isEqualTo(cacheDir().toAbsolutePath().resolve("pools").resolve(TENANT).resolve("v1"));
            assertThat(cachedPoolEntries()).containsExactly("v1");
        } else {
            assertThat(local).isEqualTo(((FileBlobStore) store).root().resolve("lens/pools/shop-1/v1"));
            assertThat(cacheDir()).as("a folder store is read in place").doesNotExist();
        }
        try (Stream<Path> s = Files.list(local)) {
            assertThat(s.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder(PoolFiles.INDEX, PoolFiles.LISTINGS, PoolFiles.MANIFEST);
        }
        assertThat(local.resolve(PoolFiles.INDEX)).hasSameBinaryContentAs(dir.resolve(PoolFiles.INDEX));
        assertThat(local.resolve(PoolFiles.LISTINGS)).hasSameBinaryContentAs(dir.resolve(PoolFiles.LISTINGS));
        assertThat(PoolFiles.readManifest(local)).isEqualTo(manifest);
        assertThat(artifacts.currentPool(TENANT)).isEqualTo(local);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aSecondFetchUsesTheVerifiedCache(Kind kind) throws IOException {
        Path dir = pool("p1", "v1", 1);
        RecordingStore store = new RecordingStore(open(kind));
        publisher(store).publishPool(dir, TENANT, true);
        Artifacts artifacts = artifacts(store);
        Manifest manifest = artifacts.poolManifest(TENANT, artifacts.poolPointer(TENANT).orElseThrow());
        Path first = artifacts.fetchPool(TENANT, manifest, true);
        store.clear();

        Path second = artifacts.fetchPool(TENANT, manifest, true);

        assertThat(second).isEqualTo(first);
        assertThat(store.downloads()).as("nothing downloaded again").isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aDamagedCacheIsDownloadedAgain(Kind kind) throws IOException {
        Path dir = pool("p1", "v1", 1);
        BlobStore store = open(kind);
        publisher(store).publishPool(dir, TENANT, true);
        Artifacts artifacts = artifacts(store);
        Manifest manifest = artifacts.poolManifest(TENANT, artifacts.poolPointer(TENANT).orElseThrow());
        Path local = artifacts.fetchPool(TENANT, manifest, true);
        if (kind == Kind.FILE) {
            return; // read in place: there is no cache to damage
        }
        Files.write(local.resolve(PoolFiles.INDEX), new byte[10]);

        Path again = artifacts.fetchPool(TENANT, manifest, true);

        assertThat(again).isEqualTo(local);
        assertThat(again.resolve(PoolFiles.INDEX)).hasSameBinaryContentAs(dir.resolve(PoolFiles.INDEX));
        assertThat(cachedPoolEntries()).containsExactly("v1");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aCorruptedObjectIsRefusedAndLeavesNoFolderInTheCache(Kind kind) throws IOException {
        Path dir = pool("p1", "v1", 1);
        BlobStore store = open(kind);
        publisher(store).publishPool(dir, TENANT, true);
        byte[] index = bytes(dir.resolve(PoolFiles.INDEX));
        index[1234] ^= 0x40; // same size, one byte changed
        overwrite(store, versionFolder("v1") + PoolFiles.INDEX, index);
        Artifacts artifacts = artifacts(store);
        Manifest manifest = artifacts.poolManifest(TENANT, artifacts.poolPointer(TENANT).orElseThrow());

        ArtifactRefusedException e = catchThrowableOfType(ArtifactRefusedException.class,
                () -> artifacts.fetchPool(TENANT, manifest, true));

        assertThat(e).isNotNull();
        assertThat(e.reason()).isEqualTo("checksum-mismatch");
        assertThat(e.getMessage()).contains(PoolFiles.INDEX);
        assertThat(cachedPoolEntries()).as("no partial or complete folder in the cache").isEmpty();

        if (kind == Kind.S3) {
            // a fresh download is always hashed, even when the caller only asks for sizes
            ArtifactRefusedException sizesOnly = catchThrowableOfType(ArtifactRefusedException.class,
                    () -> artifacts.fetchPool(TENANT, manifest, false));
            assertThat(sizesOnly).isNotNull();
            assertThat(sizesOnly.reason()).isEqualTo("checksum-mismatch");
            assertThat(cachedPoolEntries()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aTruncatedObjectIsRefusedAndLeavesNoFolderInTheCache(Kind kind) throws IOException {
        Path dir = pool("p1", "v1", 1);
        BlobStore store = open(kind);
        publisher(store).publishPool(dir, TENANT, true);
        byte[] index = bytes(dir.resolve(PoolFiles.INDEX));
        overwrite(store, versionFolder("v1") + PoolFiles.INDEX, java.util.Arrays.copyOf(index, index.length - 100));
        Artifacts artifacts = artifacts(store);
        Manifest manifest = artifacts.poolManifest(TENANT, artifacts.poolPointer(TENANT).orElseThrow());

        ArtifactRefusedException e = catchThrowableOfType(ArtifactRefusedException.class,
                () -> artifacts.fetchPool(TENANT, manifest, false));

        assertThat(e).isNotNull();
        assertThat(e.reason()).isEqualTo("truncated");
        assertThat(cachedPoolEntries()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void anObjectLongerThanItsManifestSaysIsRefused(Kind kind) throws IOException {
        Path dir = pool("p1", "v1", 1);
        BlobStore store = open(kind);
        publisher(store).publishPool(dir, TENANT, true);
        byte[] listings = bytes(dir.resolve(PoolFiles.LISTINGS));
        overwrite(store, versionFolder("v1") + PoolFiles.LISTINGS, java.util.Arrays.copyOf(listings, listings.length + 1));
        Artifacts artifacts = artifacts(store);
        Manifest manifest = artifacts.poolManifest(TENANT, artifacts.poolPointer(TENANT).orElseThrow());

        ArtifactRefusedException e = catchThrowableOfType(ArtifactRefusedException.class,
                () -> artifacts.fetchPool(TENANT, manifest, true));

        assertThat(e).isNotNull();
        assertThat(e.reason()).isEqualTo("size-mismatch");
        assertThat(cachedPoolEntries()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aMissingObjectIsRefused(Kind kind) throws IOException {
        BlobStore store = open(kind);
        publisher(store).publishPool(pool("p1", "v1", 1), TENANT, true);
        store.delete(versionFolder("v1") + PoolFiles.LISTINGS);
        Artifacts artifacts = artifacts(store);
        Manifest manifest = artifacts.poolManifest(TENANT, artifacts.poolPointer(TENANT).orElseThrow());

        ArtifactRefusedException e = catchThrowableOfType(ArtifactRefusedException.class,
                () -> artifacts.fetchPool(TENANT, manifest, true));

        assertThat(e).isNotNull();
        assertThat(e.reason()).isEqualTo("missing-file");
        assertThat(e.getMessage()).contains(PoolFiles.LISTINGS);
        assertThat(cachedPoolEntries()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aManifestThatDiffersFromThePointersChecksumIsRefused(Kind kind) throws IOException {
        BlobStore store = open(kind);
        publisher(store).publishPool(pool("p1", "v1", 1), TENANT, true);
        String key = versionFolder("v1") + Layout.MANIFEST;
        byte[] manifest = stored(store, key);
        // the same manifest, re-indented: still valid, but not the bytes that were published
        store.write(key, new String(manifest, StandardCharsets.UTF_8).replace("\n", "\n ").getBytes(StandardCharsets.UTF_8));
        Artifacts artifacts = artifacts(store);
        Pointer pointer = artifacts.poolPointer(TENANT).orElseThrow();

        ArtifactRefusedException e = catchThrowableOfType(ArtifactRefusedException.class,
                () -> artifacts.poolManifest(TENANT, pointer));

        assertThat(e).isNotNull();
        assertThat(e.reason()).isEqualTo("checksum-mismatch");
        assertThat(e.getMessage()).contains(key);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aManifestOfAnUnknownFormatIsRefused(Kind kind) throws IOException {
        BlobStore store = open(kind);
        byte[] manifest = ("{\"formatVersion\": 99, \"poolVersion\": \"v9\", \"layout\": {\"shards\": 4},"
                + " \"files\": [{\"name\": \"index.faiss\", \"bytes\": 1, \"sha256\": \"" + "0".repeat(64) + "\"}]}")
                .getBytes(StandardCharsets.UTF_8);
        store.write(versionFolder("v9") + Layout.MANIFEST, manifest);
        store.write(layout.poolPointer(TENANT), Pointer.of("v9", Publisher.sha256(manifest), Instant.now()).toJson());
        Artifacts artifacts = artifacts(store);
        Pointer pointer = artifacts.poolPointer(TENANT).orElseThrow();

        ArtifactRefusedException e = catchThrowableOfType(ArtifactRefusedException.class,
                () -> artifacts.poolManifest(TENANT, pointer));

        assertThat(e).isNotNull();
        assertThat(e.reason()).isEqualTo("unknown-format");
        assertThat(e.getMessage()).contains("99");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aPointerToAMissingOrMislabelledVersionIsRefused(Kind kind) throws IOException {
        BlobStore store = open(kind);
        publisher(store).publishPool(pool("p1", "v1", 1), TENANT, true);
        Artifacts artifacts = artifacts(store);
        byte[] v1Manifest = stored(store, versionFolder("v1") + Layout.MANIFEST);

        ArtifactRefusedException missing = catchThrowableOfType(ArtifactRefusedException.class,
                () -> artifacts.poolManifest(TENANT, Pointer.of("v7", Publisher.sha256(v1Manifest), Instant.now())));
        assertThat(missing).isNotNull();
        assertThat(missing.reason()).isEqualTo("missing-file");

        // v2's folder holds a copy of v1's manifest: it describes another version
        store.write(versionFolder("v2") + Layout.MANIFEST, v1Manifest);
        ArtifactRefusedException mislabelled = catchThrowableOfType(ArtifactRefusedException.class,
                () -> artifacts.poolManifest(TENANT, Pointer.of("v2", Publisher.sha256(v1Manifest), Instant.now())));
        assertThat(mislabelled).isNotNull();
        assertThat(mislabelled.reason()).isEqualTo("invalid-manifest");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void anUnpublishedTenantHasNoPointer(Kind kind) throws IOException {
        BlobStore store = open(kind);
        Artifacts artifacts = artifacts(store);
        assertThat(artifacts.poolPointer(TENANT)).isEmpty();
        assertThatThrownBy(() -> artifacts.currentPool(TENANT)).isInstanceOf(StorageException.class)
                .hasMessageContaining("no pool is published for tenant " + TENANT);

        store.write(layout.poolPointer(TENANT), "garbage".getBytes(StandardCharsets.UTF_8));
        ArtifactRefusedException e = catchThrowableOfType(ArtifactRefusedException.class, () -> artifacts.poolPointer(TENANT));
        assertThat(e).isNotNull();
        assertThat(e.reason()).isEqualTo("unreadable-pointer");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void evictRemovesEveryCachedVersionButTheKeptOne(Kind kind) throws IOException {
        BlobStore store = open(kind);
        Artifacts artifacts = artifacts(store);
        List<Path> fetched = new ArrayList<>();
        for (int v = 1; v <= 3; v++) {
            publisher(store).publishPool(pool("p" + v, "v" + v, v), TENANT, true);
            Manifest m = artifacts.poolManifest(TENANT, artifacts.poolPointer(TENANT).orElseThrow());
            fetched.add(artifacts.fetchPool(TENANT, m, true));
        }

        if (kind == Kind.S3) {
            // what a crash mid-download leaves behind
            Files.createDirectories(cacheDir().resolve("pools").resolve(TENANT).resolve("v4.partial-123"));
            assertThat(cachedPoolEntries()).containsExactly("v1", "v2", "v3", "v4.partial-123");

            int removed = artifacts.evictPools(TENANT, Set.of("v3"));

            assertThat(removed).isEqualTo(3);
            assertThat(cachedPoolEntries()).containsExactly("v3");
            assertThat(fetched.get(2).resolve(PoolFiles.INDEX)).hasSameBinaryContentAs(tmp.resolve("build/p3").resolve(PoolFiles.INDEX));
            assertThat(artifacts.fetcher().evict(Artifacts.POOLS, TENANT, Set.of("v3"))).isZero();
            assertThat(artifacts.evictPools("other-tenant", Set.of())).isZero();
        } else {
            // a folder store is read in place: evicting the cache never touches the store
            assertThat(artifacts.evictPools(TENANT, Set.of("v3"))).isZero();
            for (int v = 1; v <= 3; v++) {
                assertThat(store.size(versionFolder("v" + v) + PoolFiles.INDEX)).isPresent();
            }
        }
        // the kept version still verifies
        Manifest current = artifacts.poolManifest(TENANT, artifacts.poolPointer(TENANT).orElseThrow());
        assertThat(artifacts.fetchPool(TENANT, current, true)).isEqualTo(fetched.get(2));
    }

    // ---- models -------------------------------------------------------------------------------------------------

    private Map<String, Path> modelFiles(String folder) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("models").resolve(folder));
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("int8", Files.write(dir.resolve("clip-int8.pt"), random(30_000, 11)));
        files.put("FP32", Files.write(dir.resolve("clip-fp32.pt"), random(70_000, 12)));
        return files;
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void publishesAndFetchesAModel(Kind kind) throws IOException {
        BlobStore store = open(kind);
        Map<String, Path> files = modelFiles("m1");

        Publisher.Published published = publisher(store).publishModel("clip-test", "m1", "space-a", 4, files, true);

        assertThat(published.files()).isEqualTo(3);
        assertThat(published.pointerMoved()).isTrue();
        assertThat(store.list("lens/models/clip-test/")).containsExactly(
                "lens/models/clip-test/current",
                "lens/models/clip-test/m1/clip-fp32.pt",
                "lens/models/clip-test/m1/clip-int8.pt",
                "lens/models/clip-test/m1/manifest.json");
        Pointer pointer = Pointer.parse(stored(store, layout.modelPointer("clip-test")), "test");
        assertThat(pointer.version()).isEqualTo("m1");
        assertThat(pointer.manifestSha256()).isEqualTo(Publisher.sha256(stored(store, "lens/models/clip-test/m1/manifest.json")));

        Artifacts artifacts = artifacts(store);
        ModelManifest manifest = artifacts.modelManifest("clip-test", null);
        assertThat(manifest.name()).isEqualTo("clip-test");
        assertThat(manifest.version()).isEqualTo("m1");
        assertThat(manifest.space()).isEqualTo("space-a");
        assertThat(manifest.dimension()).isEqualTo(4);
        assertThat(manifest.file("int8")).hasValueSatisfying(f -> {
            assertThat(f.name()).isEqualTo("clip-int8.pt");
            assertThat(f.bytes()).isEqualTo(30_000);
            assertThat(f.sha256()).isEqualTo(PoolFiles.sha256(files.get("int8")));
        });
        assertThat(manifest.file("fp32")).hasValueSatisfying(f -> assertThat(f.precision()).isEqualTo("fp32"));
        assertThat(artifacts.modelManifest("clip-test", "m1")).isEqualTo(manifest);

        Path local = artifacts.fetchModel(manifest);

        assertThat(local.resolve("clip-int8.pt")).hasSameBinaryContentAs(files.get("int8"));
        assertThat(local.resolve("clip-fp32.pt")).hasSameBinaryContentAs(files.get("FP32"));
        if (kind == Kind.S3) {
            assertThat(local).isEqualTo(cacheDir().toAbsolutePath().resolve("models/clip-test/m1"));
        } else {
            assertThat(local).isEqualTo(((FileBlobStore) store).root().resolve("lens/models/clip-test/m1"));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aModelVersionCarriesItsProbePhotosVerifiedLikeItsFiles(Kind kind) throws IOException {
        BlobStore store = open(kind);
        Path photos = Files.createDirectories(tmp.resolve("probe-src"));
        List<Path> probe = List.of(Files.write(photos.resolve("Banana_001.JPG"), random(5_000, 21)),
                Files.write(photos.resolve("milk.webp"), random(4_000, 22)));

        Publisher.Published published = publisher(store).publishModel("clip-test", "m2", "space-a", 4, modelFiles("m2"),
                List.of(224), probe, true);

        assertThat(published.files()).isEqualTo(5);
        assertThat(store.list("lens/models/clip-test/m2/")).contains("lens/models/clip-test/m2/probe-00.jpg",
                "lens/models/clip-test/m2/probe-01.webp");
        Artifacts artifacts = artifacts(store);
        ModelManifest manifest = artifacts.modelManifest("clip-test", null);
        assertThat(manifest.probe()).extracting(FileEntry::name).containsExactly("probe-00.jpg", "probe-01.webp");
        assertThat(manifest.probe().get(0).sha256()).isEqualTo(PoolFiles.sha256(probe.get(0)));
        assertThat(manifest.entries()).hasSize(4);
        Path local = artifacts.fetchModel(manifest);
        assertThat(local.resolve("probe-01.webp")).hasSameBinaryContentAs(probe.get(1));

        // a version published before probe photos existed reads as one without them
        String old = new String(manifest.toJson(), java.nio.charset.StandardCharsets.UTF_8).replaceAll("(?s),\\s*\"probe\"\\s*:\\s*\\[.*?\\]", "");
        assertThat(old).doesNotContain("probe");
        assertThat(ModelManifest.parse(old.getBytes(java.nio.charset.StandardCharsets.UTF_8), "old").probe()).isEmpty();
        // a manifest naming one file twice is refused
        String twice = new String(manifest.toJson(), java.nio.charset.StandardCharsets.UTF_8).replace("probe-01.webp", "probe-00.jpg");
        assertThatThrownBy(() -> ModelManifest.parse(twice.getBytes(java.nio.charset.StandardCharsets.UTF_8), "twice"))
                .isInstanceOf(ArtifactRefusedException.class).hasMessageContaining("names a file twice");
        // a missing probe photo is refused
        assertThatThrownBy(() -> publisher(store).publishModel("clip-test", "m3", "space-a", 4, modelFiles("m3"), List.of(),
                List.of(photos.resolve("nope.jpg")), true)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope.jpg");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aModelManifestReplacedAfterPublicationIsRefused(Kind kind) throws IOException {
        BlobStore store = open(kind);
        publisher(store).publishModel("clip-test", "m1", "space-a", 4, modelFiles("m1"), true);
        String key = layout.modelVersion("clip-test", "m1") + Layout.MANIFEST;
        store.write(key, (new String(stored(store, key), StandardCharsets.UTF_8) + "\n").getBytes(StandardCharsets.UTF_8));
        Artifacts artifacts = artifacts(store);

        ArtifactRefusedException e = catchThrowableOfType(ArtifactRefusedException.class,
                () -> artifacts.modelManifest("clip-test", null));

        assertThat(e).isNotNull();
        assertThat(e.reason()).isEqualTo("checksum-mismatch");
        assertThatThrownBy(() -> artifacts.modelManifest("no-such-model", null)).isInstanceOf(StorageException.class)
                .hasMessageContaining("no model no-such-model");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aCorruptedModelFileIsRefused(Kind kind) throws IOException {
        BlobStore store = open(kind);
        Map<String, Path> files = modelFiles("m1");
        publisher(store).publishModel("clip-test", "m1", "space-a", 4, files, true);
        byte[] fp32 = bytes(files.get("FP32"));
        fp32[0] ^= 0x7f;
        overwrite(store, layout.modelVersion("clip-test", "m1") + "clip-fp32.pt", fp32);
        Artifacts artifacts = artifacts(store);
        ModelManifest manifest = artifacts.modelManifest("clip-test", null);

        ArtifactRefusedException e = catchThrowableOfType(ArtifactRefusedException.class, () -> artifacts.fetchModel(manifest));

        assertThat(e).isNotNull();
        assertThat(e.reason()).isEqualTo("checksum-mismatch");
        assertThat(cacheDir().resolve("models/clip-test")).satisfiesAnyOf(
                p -> assertThat(p).doesNotExist(),
                p -> assertThat(p).isEmptyDirectory());
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void modelFilesOfTheSameNameFromTwoFoldersDoNotOverwriteEachOther(Kind kind) throws IOException {
        // e.g. exports/int8/model.pt and exports/fp32/model.pt: either refused up front, or published so that
        // every precision comes back as it was
        BlobStore store = open(kind);
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("int8", Files.write(Files.createDirectories(tmp.resolve("exports/int8")).resolve("model.pt"), random(30_000, 21)));
        files.put("fp32", Files.write(Files.createDirectories(tmp.resolve("exports/fp32")).resolve("model.pt"), random(70_000, 22)));

        Throwable refused = catchThrowable(() -> publisher(store).publishModel("clip-test", "m1", "space-a", 4, files, true));

        Artifacts artifacts = artifacts(store);
        if (refused != null) {
            assertThat(store.read(layout.modelPointer("clip-test"))).as("pointer not moved to a refused model").isEmpty();
            return;
        }
        ModelManifest manifest = artifacts.modelManifest("clip-test", null);
        Path[] local = new Path[1];
        Throwable fetch = catchThrowable(() -> local[0] = artifacts.fetchModel(manifest));
        assertThat(fetch).as("the published model must be fetchable").isNull();
        for (String precision : List.of("int8", "fp32")) {
            ModelManifest.ModelFile f = manifest.file(precision).orElseThrow();
            assertThat(local[0].resolve(f.name())).as(precision).hasSameBinaryContentAs(files.get(precision));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aModelFileNameReadersWouldRefuseIsNotPublished(Kind kind) throws IOException {
        BlobStore store = open(kind);
        Map<String, Path> files = Map.of("int8",
                Files.write(Files.createDirectories(tmp.resolve("exports")).resolve("clip int8 (final).pt"), random(1000, 31)));

        Throwable refused = catchThrowable(() -> publisher(store).publishModel("clip-test", "m1", "space-a", 4, files, true));

        if (refused == null) {
            // published: then it must be servable
            Artifacts artifacts = artifacts(store);
            ModelManifest manifest = artifacts.modelManifest("clip-test", null);
            Throwable fetch = catchThrowable(() -> artifacts.fetchModel(manifest));
            assertThat(fetch).as("a published model must be fetchable").isNull();
        } else {
            assertThat(store.read(layout.modelPointer("clip-test"))).isEmpty();
        }
    }

    // ---- a store that records what is done to it (and can fail on chosen calls) ------------------------------------

    /** Delegates to a real store; records every call; fails those whose description {@code failOn} accepts. */
    static final class RecordingStore implements BlobStore {
        private final BlobStore delegate;
        private final Predicate<String> failOn;
        private final List<String> calls = new ArrayList<>();

        RecordingStore(BlobStore delegate) {
            this(delegate, op -> false);
        }

        RecordingStore(BlobStore delegate, Predicate<String> failOn) {
            this.delegate = delegate;
            this.failOn = failOn;
        }

        private synchronized void record(String op) {
            calls.add(op);
            if (failOn.test(op)) {
                throw new StorageUnavailableException("injected failure: " + op, null);
            }
        }

        synchronized List<String> mutations() {
            return calls.stream().filter(c -> c.startsWith("upload ") || c.startsWith("write ") || c.startsWith("delete ")).toList();
        }

        synchronized List<String> downloads() {
            return calls.stream().filter(c -> c.startsWith("download ")).toList();
        }

        synchronized void clear() {
            calls.clear();
        }

        @Override
        public Optional<byte[]> read(String key) {
            record("read " + key);
            return delegate.read(key);
        }

        @Override
        public void download(String key, Path target) {
            record("download " + key);
            delegate.download(key, target);
        }

        @Override
        public void upload(Path file, String key) {
            record("upload " + key);
            delegate.upload(file, key);
        }

        @Override
        public void write(String key, byte[] bytes) {
            record("write " + key);
            delegate.write(key, bytes);
        }

        @Override
        public Optional<Long> size(String key) {
            record("size " + key);
            return delegate.size(key);
        }

        @Override
        public List<String> list(String prefix) {
            record("list " + prefix);
            return delegate.list(prefix);
        }

        @Override
        public void delete(String key) {
            record("delete " + key);
            delegate.delete(key);
        }

        @Override
        public Optional<Path> localFile(String key) {
            return delegate.localFile(key);
        }

        @Override
        public String describe() {
            return delegate.describe();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    /**
     * A full cache disk (a 512 KiB disk as the cache, the pool 1.5 MB; writes past it get the kernel's ENOSPC from
     * /dev/full, see {@link com.listinglens.support.SmallDisk}): the fetch fails with a StorageException that says the
     * local write failed (not that the store is down), leaves no partial folder and no file behind, and once there is
     * room the same fetch succeeds. No mount is needed, so it runs everywhere.
     */
    @org.junit.jupiter.api.Test
    void aFullCacheDiskFailsTheFetchClearlyAndLeavesNothingBehind() throws Exception {
        Path mountPoint = Files.createDirectories(tmp.resolve("small-disk"));
        com.listinglens.support.SmallDisk disk = new com.listinglens.support.SmallDisk(mountPoint, 512 * 1024);
        String bucket = "lens-pf-disk-" + BUCKETS.incrementAndGet();
        BlobStore store = server.store(bucket);
        opened.add(store);
        BlobStore fetching = server.store(bucket, disk);
        opened.add(fetching);
        Path dir = pool("big", "v1", 3, 1_500_000);
        publisher(store).publishPool(dir, TENANT, true);
        Artifacts artifacts = new Artifacts(fetching, layout, mountPoint);
        Manifest manifest = artifacts.poolManifest(TENANT, artifacts.poolPointer(TENANT).orElseThrow());

        Throwable thrown = catchThrowable(() -> artifacts.fetchPool(TENANT, manifest, true));
        assertThat(thrown).isInstanceOf(LocalStorageException.class).isNotInstanceOf(StorageUnavailableException.class)
                .hasMessageContaining("No space left on device").hasMessageContaining("cache disk");
        try (Stream<Path> left = Files.walk(mountPoint)) {
            assertThat(left.filter(Files::isRegularFile).toList()).as("files left on the full disk").isEmpty();
        }
        try (Stream<Path> left = Files.walk(mountPoint)) {
            assertThat(left.map(p -> p.getFileName().toString()).filter(n -> n.contains(".partial-")).toList()).isEmpty();
        }

        disk.resize(8 << 20);
        Path local = artifacts.fetchPool(TENANT, manifest, true);
        assertThat(bytes(local.resolve(PoolFiles.INDEX))).isEqualTo(bytes(dir.resolve(PoolFiles.INDEX)));
        assertThat(disk.used()).isLessThanOrEqualTo(disk.size());
    }

}
