package com.listinglens.storage;

import com.listinglens.support.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The {@link BlobStore} contract, one set of cases run against both stores: a local folder ({@link FileBlobStore})
 * and a bucket of a real S3 protocol server ({@link S3BlobStore} on S3Proxy, run as a process). What only one store
 * does (keys that leave the folder, temporary files, uploads in parts, outages, credentials) stays in
 * {@link FileBlobStoreTest} and {@link S3BlobStoreTest}.
 */
class BlobStoreContractTest {

    enum Kind { FILE, S3 }

    /** Above the S3 store's multipart threshold (S3Settings.MIN_PART, as S3ProxyServer configures it): uploaded in parts. */
    private static final int BIG = 6_000_000;
    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static S3ProxyServer server;

    @TempDir
    Path tmp;

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

    /** An empty store of the kind. */
    private BlobStore open(Kind kind) throws IOException {
        BlobStore store = switch (kind) {
            case FILE -> new FileBlobStore(Files.createDirectories(tmp.resolve("store")));
            case S3 -> server.store("lens-contract-" + BUCKETS.incrementAndGet());
        };
        opened.add(store);
        return store;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private Path randomFile(String name, int bytes, long seed) throws IOException {
        byte[] data = new byte[bytes];
        new Random(seed).nextBytes(data);
        return Files.write(tmp.resolve(name), data);
    }

    // ---- read, write, size ----------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aMissingKeyReadsEmptyAndHasNoSize(Kind kind) throws IOException {
        BlobStore store = open(kind);
        assertThat(store.read("pools/t/current")).isEmpty();
        assertThat(store.size("pools/t/current")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void writeThenReadRoundTrips(Kind kind) throws IOException {
        BlobStore store = open(kind);
        store.write("pools/t/current", utf8("{\"v\":1}"));

        assertThat(store.read("pools/t/current")).hasValueSatisfying(b -> assertThat(b).isEqualTo(utf8("{\"v\":1}")));
        assertThat(store.size("pools/t/current")).contains(7L);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void writeReplaces(Kind kind) throws IOException {
        BlobStore store = open(kind);
        store.write("a/k", utf8("first, longer content"));
        store.write("a/k", utf8("second"));

        assertThat(store.read("a/k")).hasValueSatisfying(b -> assertThat(b).isEqualTo(utf8("second")));
        assertThat(store.size("a/k")).contains(6L);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void writesAnEmptyObject(Kind kind) throws IOException {
        BlobStore store = open(kind);
        store.write("empty", new byte[0]);

        assertThat(store.read("empty")).hasValueSatisfying(b -> assertThat(b).isEmpty());
        assertThat(store.size("empty")).contains(0L);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aFolderOfKeysIsNoObject(Kind kind) throws IOException {
        BlobStore store = open(kind);
        store.write("pools/t/v1/manifest.json", utf8("{}"));

        assertThat(store.size("pools/t/v1")).isEmpty();
        assertThatThrownBy(() -> store.download("pools/t/v1", tmp.resolve("x"))).isInstanceOf(BlobNotFoundException.class);
    }

    // ---- upload, download -----------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Kind.class)
    void uploadsAndDownloadsFilesSmallAndBig(Kind kind) throws IOException {
        BlobStore store = open(kind);
        for (int bytes : new int[]{100_000, BIG}) {
            Path source = randomFile("f-" + bytes, bytes, bytes);
            String key = "pools/t/v1/f-" + bytes;

            store.upload(source, key);

            assertThat(store.size(key)).contains((long) bytes);
            Path back = tmp.resolve("back-" + bytes);
            store.download(key, back);
            assertThat(back).hasSameBinaryContentAs(source);
            assertThat(source).as("the uploaded file stays").exists();
        }
        assertThat(store.list("pools/t/")).containsExactly("pools/t/v1/f-100000", "pools/t/v1/f-" + BIG);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void uploadsAnEmptyFile(Kind kind) throws IOException {
        BlobStore store = open(kind);
        store.upload(Files.createFile(tmp.resolve("empty")), "e/empty");

        assertThat(store.size("e/empty")).contains(0L);
        assertThat(store.read("e/empty")).hasValueSatisfying(b -> assertThat(b).isEmpty());
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void uploadReplacesAnExistingObject(Kind kind) throws IOException {
        BlobStore store = open(kind);
        store.upload(randomFile("big", BIG, 4), "x/blob");
        Path small = randomFile("small", 10, 5);

        store.upload(small, "x/blob");

        assertThat(store.size("x/blob")).contains(10L);
        assertThat(store.read("x/blob")).hasValueSatisfying(b -> assertThat(b).isEqualTo(readAll(small)));
        assertThat(store.list("x/")).containsExactly("x/blob");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aFailedUploadStoresNothing(Kind kind) throws IOException {
        BlobStore store = open(kind);
        Path missing = tmp.resolve("no-such-file");

        assertThatThrownBy(() -> store.upload(missing, "pools/t/v1/index.faiss")).isInstanceOf(StorageException.class);

        assertThat(store.list("")).isEmpty();
        assertThat(store.size("pools/t/v1/index.faiss")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void downloadReplacesAnExistingTarget(Kind kind) throws IOException {
        BlobStore store = open(kind);
        store.write("k", utf8("new"));
        Path target = Files.writeString(tmp.resolve("target.txt"), "old content that is longer");

        store.download("k", target);

        assertThat(target).hasContent("new");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void downloadOfAMissingKeyThrowsBlobNotFoundNamingKeyAndStore(Kind kind) throws IOException {
        BlobStore store = open(kind);
        Path target = tmp.resolve("never.bin");

        assertThatThrownBy(() -> store.download("pools/t/v1/index.faiss", target))
                .isInstanceOf(BlobNotFoundException.class)
                .hasMessageContaining("pools/t/v1/index.faiss")
                .hasMessageContaining(store.describe());
        assertThat(target).doesNotExist();
    }

    // ---- list, delete ---------------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Kind.class)
    void listsSortedKeysUnderThePrefixOnly(Kind kind) throws IOException {
        BlobStore store = open(kind);
        for (String key : List.of("pools/t1/v2/listings.jsonl", "pools/t1/current", "pools/t1/v1/index.faiss",
                "pools/t10/current", "pools/t2/current", "models/clip/current", "pools/t1/v1/manifest.json")) {
            store.write(key, utf8(key));
        }

        assertThat(store.list("pools/t1/")).containsExactly("pools/t1/current", "pools/t1/v1/index.faiss",
                "pools/t1/v1/manifest.json", "pools/t1/v2/listings.jsonl");
        assertThat(store.list("pools/t1/v1/")).containsExactly("pools/t1/v1/index.faiss", "pools/t1/v1/manifest.json");
        // a prefix need not end at a folder
        assertThat(store.list("pools/t1")).containsExactly("pools/t1/current", "pools/t1/v1/index.faiss",
                "pools/t1/v1/manifest.json", "pools/t1/v2/listings.jsonl", "pools/t10/current");
        assertThat(store.list("pools/t1/v")).containsExactly("pools/t1/v1/index.faiss", "pools/t1/v1/manifest.json",
                "pools/t1/v2/listings.jsonl");
        assertThat(store.list("models/")).containsExactly("models/clip/current");
        assertThat(store.list("")).hasSize(7).isSorted();
        assertThat(store.list("nothing/")).isEmpty();
        assertThat(store.list("pools/t3/")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void deletesAndDeletingWhatIsNotThereIsNoError(Kind kind) throws IOException {
        BlobStore store = open(kind);
        store.write("pools/t/v1/a", utf8("a"));
        store.write("pools/t/v1/b", utf8("b"));

        store.delete("pools/t/v1/a");

        assertThat(store.read("pools/t/v1/a")).isEmpty();
        assertThat(store.size("pools/t/v1/a")).isEmpty();
        assertThat(store.list("pools/t/")).containsExactly("pools/t/v1/b");
        assertThatCode(() -> store.delete("pools/t/v1/a")).as("deleting it again").doesNotThrowAnyException();
        assertThatCode(() -> store.delete("never/was")).as("deleting what never was").doesNotThrowAnyException();
    }

    // ---- in place, describe ---------------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aLocalFileWhereThereIsOneHoldsTheObject(Kind kind) throws IOException {
        BlobStore store = open(kind);
        store.write("pools/t/v1/index.faiss", utf8("abc"));

        // a folder store is read in place, a bucket never (FileBlobStoreTest and S3BlobStoreTest say which)
        store.localFile("pools/t/v1/index.faiss").ifPresent(p -> assertThat(p).hasContent("abc"));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void describesItselfForLogsAndHealth(Kind kind) throws IOException {
        BlobStore store = open(kind);
        assertThat(store.describe()).isNotBlank().startsWith(kind == Kind.FILE ? "file:" : "s3://");
    }

    private static byte[] readAll(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
