package com.listinglens.storage;

import com.listinglens.support.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The store as a bucket of a real S3 protocol server (S3Proxy, run as a process): what only a bucket does (uploads
 * in one request or in parts, pages of keys, missing buckets, credentials, outages). The cases every store meets
 * run on both stores in {@link BlobStoreContractTest}.
 */
class S3BlobStoreTest {

    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static S3ProxyServer server;

    @TempDir
    Path tmp;

    private String bucket;
    private S3BlobStore store;

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

    @BeforeEach
    void openBucket() {
        bucket = "lens-s3-test-" + BUCKETS.incrementAndGet();
        store = server.store(bucket);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private Path randomFile(String name, long bytes, long seed) throws IOException {
        byte[] data = new byte[Math.toIntExact(bytes)];
        new Random(seed).nextBytes(data);
        return Files.write(tmp.resolve(name), data);
    }

    @Test
    void uploadsASmallFileInOneRequest() throws IOException {
        Path source = randomFile("listings.jsonl", 100_000, 1);

        store.upload(source, "pools/t/v1/listings.jsonl");

        assertThat(store.size("pools/t/v1/listings.jsonl")).contains(100_000L);
        Path back = tmp.resolve("back.bin");
        store.download("pools/t/v1/listings.jsonl", back);
        assertThat(back).hasSameBinaryContentAs(source);
        try (S3Client s3 = server.client()) {
            assertThat(s3.headObject(b -> b.bucket(bucket).key("pools/t/v1/listings.jsonl")).eTag())
                    .as("a single PUT has a plain MD5 ETag").doesNotContain("-");
        }
    }

    @Test
    void uploadsABigFileInParts() throws IOException {
        long size = 12_000_000; // two full parts of 5 MiB and a last one of ~1.5 MB
        Path source = randomFile("index.faiss", size, 2);

        store.upload(source, "pools/t/v1/index.faiss");

        assertThat(store.size("pools/t/v1/index.faiss")).contains(size);
        Path back = tmp.resolve("back.faiss");
        store.download("pools/t/v1/index.faiss", back);
        assertThat(back).hasSize(size).hasSameBinaryContentAs(source);
        assertThat(store.list("pools/t/")).containsExactly("pools/t/v1/index.faiss");
        try (S3Client s3 = server.client()) {
            assertThat(s3.headObject(b -> b.bucket(bucket).key("pools/t/v1/index.faiss")).eTag())
                    .as("the ETag of an object uploaded in 3 parts").endsWith("-3\"");
            assertThat(s3.listMultipartUploads(b -> b.bucket(bucket)).uploads())
                    .as("no multipart upload is left open").isEmpty();
        }
    }

    @Test
    void uploadsAFileOfExactlyOnePartInParts() throws IOException {
        long size = S3Settings.MIN_PART; // the threshold itself: one part
        Path source = randomFile("one-part.bin", size, 3);

        store.upload(source, "parts/one");

        try (S3Client s3 = server.client()) {
            assertThat(s3.headObject(b -> b.bucket(bucket).key("parts/one")).eTag()).endsWith("-1\"");
        }

        Path back = tmp.resolve("back.bin");
        store.download("parts/one", back);
        assertThat(back).hasSize(size).hasSameBinaryContentAs(source);
    }

    @Test
    void listsMoreKeysThanOnePage() throws Exception {
        // one ListObjectsV2 page holds 1000 keys: the store follows the continuation
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<?>> writes = new ArrayList<>();
            for (int i = 0; i < 1010; i++) {
                int n = i;
                writes.add(pool.submit(() -> store.write("many/k" + String.format("%05d", n), new byte[]{(byte) n})));
            }
            for (Future<?> w : writes) {
                w.get();
            }
        }
        List<String> keys = store.list("many/");
        assertThat(keys).hasSize(1010).isSorted().doesNotHaveDuplicates();
        assertThat(keys.getFirst()).isEqualTo("many/k00000");
        assertThat(keys.getLast()).isEqualTo("many/k01009");
    }

    @Test
    void readsNothingInPlace() {
        store.write("k", utf8("v"));
        assertThat(store.localFile("k")).isEmpty();
        assertThat(store.describe()).contains("s3://" + bucket).contains(server.endpoint().toString());
    }

    @Test
    void createBucketIfMissingIsIdempotent() {
        store.write("k", utf8("v"));
        store.createBucketIfMissing();
        assertThat(store.read("k")).isPresent();
    }

    @Test
    void aMissingBucketIsUnavailableNotEmpty() {
        try (S3BlobStore noBucket = new S3BlobStore(server.settings("lens-no-such-bucket"))) {
            assertThatThrownBy(() -> noBucket.write("k", utf8("v"))).isInstanceOf(StorageUnavailableException.class)
                    .hasMessageContaining("lens-no-such-bucket");
            assertThatThrownBy(() -> noBucket.list("")).isInstanceOf(StorageUnavailableException.class);
        }
    }

    @Test
    void wrongCredentialsAreUnavailable() {
        S3Settings good = server.settings(bucket);
        S3Settings wrong = new S3Settings(bucket, good.endpoint(), good.region(), true, good.accessKey(), "not-the-secret",
                good.callTimeout(), 0, good.multipartThreshold(), good.partSize());
        try (S3BlobStore badKey = new S3BlobStore(wrong)) {
            Throwable t = catchThrowable(() -> badKey.read("k"));
            assertThat(t).isInstanceOf(StorageUnavailableException.class).hasMessageContaining("HTTP 403");
        }
    }

    @Test
    void everyCallIsUnavailableWhileTheServerIsDownAndWorksAgainAfterItComesBack() throws IOException {
        store.write("before/outage", utf8("kept"));
        Path small = randomFile("small", 1000, 6);
        Path big = randomFile("big", 6_000_000, 7);

        server.stop();
        try {
            Map<String, ThrowingCallable> calls = new LinkedHashMap<>();
            calls.put("read", () -> store.read("before/outage"));
            calls.put("read missing", () -> store.read("never/was"));
            calls.put("download", () -> store.download("before/outage", tmp.resolve("d")));
            calls.put("upload", () -> store.upload(small, "during/small"));
            calls.put("multipart upload", () -> store.upload(big, "during/big"));
            calls.put("write", () -> store.write("during/write", utf8("x")));
            calls.put("size", () -> store.size("before/outage"));
            calls.put("list", () -> store.list("before/"));
            calls.put("delete", () -> store.delete("before/outage"));
            calls.put("create bucket", () -> store.createBucketIfMissing());
            for (Map.Entry<String, ThrowingCallable> call : calls.entrySet()) {
                long t0 = System.nanoTime();
                Throwable thrown = catchThrowable(call.getValue());
                Duration took = Duration.ofNanos(System.nanoTime() - t0);
                assertThat(thrown).as(call.getKey()).isInstanceOf(StorageUnavailableException.class);
                assertThat(thrown.getMessage()).as(call.getKey()).contains(bucket);
                assertThat(took).as("%s gives up within a few seconds", call.getKey()).isLessThan(Duration.ofSeconds(10));
            }
        } finally {
            server.start();
        }

        // the same store instance (and its connection pool) works again; what was stored before is still there
        assertThat(store.read("before/outage")).hasValueSatisfying(b -> assertThat(b).isEqualTo(utf8("kept")));
        store.write("after/outage", utf8("new"));
        assertThat(store.list("")).containsExactly("after/outage", "before/outage");
        store.upload(big, "after/big");
        Path back = tmp.resolve("back-big");
        store.download("after/big", back);
        assertThat(back).hasSameBinaryContentAs(big);
    }

    @Test
    void aStoreOpenedWhileTheServerIsDownWorksOnceItIsUp() throws IOException {
        server.stop();
        S3BlobStore early;
        try {
            early = new S3BlobStore(server.settings(bucket));
            assertThatThrownBy(() -> early.read("k")).isInstanceOf(StorageUnavailableException.class);
        } finally {
            server.start();
        }
        try (early) {
            early.write("k", utf8("v"));
            assertThat(early.read("k")).hasValueSatisfying(b -> assertThat(b).isEqualTo(utf8("v")));
        }
    }
}
