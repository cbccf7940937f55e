package com.listinglens.storage;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The store as a local folder: the {@link BlobStore} contract on real files. */
class FileBlobStoreTest {

    @TempDir
    Path tmp;

    private Path root;
    private FileBlobStore store;

    @BeforeEach
    void open() throws IOException {
        root = Files.createDirectories(tmp.resolve("store"));
        store = new FileBlobStore(root);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private Path randomFile(String name, int bytes, long seed) throws IOException {
        byte[] data = new byte[bytes];
        new Random(seed).nextBytes(data);
        return Files.write(tmp.resolve(name), data);
    }

    private List<Path> filesUnder(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void readOfAMissingKeyIsEmpty() {
        assertThat(store.read("pools/t/current")).isEmpty();
        assertThat(store.size("pools/t/current")).isEmpty();
    }

    @Test
    void writeThenReadRoundTrips() {
        store.write("pools/t/current", utf8("{\"v\":1}"));

        assertThat(store.read("pools/t/current")).hasValueSatisfying(b -> assertThat(b).isEqualTo(utf8("{\"v\":1}")));
        assertThat(store.size("pools/t/current")).contains(7L);
        assertThat(root.resolve("pools/t/current")).hasContent("{\"v\":1}");
    }

    @Test
    void writeReplaces() {
        store.write("a/k", utf8("first, longer content"));
        store.write("a/k", utf8("second"));
        assertThat(store.read("a/k")).hasValueSatisfying(b -> assertThat(b).isEqualTo(utf8("second")));
    }

    @Test
    void writesAnEmptyObject() {
        store.write("empty", new byte[0]);
        assertThat(store.read("empty")).hasValueSatisfying(b -> assertThat(b).isEmpty());
        assertThat(store.size("empty")).contains(0L);
    }

    @Test
    void uploadsAndDownloadsAFile() throws IOException {
        Path source = randomFile("index.faiss", 300_000, 1);

        store.upload(source, "pools/t/v1/index.faiss");

        assertThat(store.size("pools/t/v1/index.faiss")).contains(300_000L);
        Path back = tmp.resolve("back.bin");
        store.download("pools/t/v1/index.faiss", back);
        assertThat(back).hasSameBinaryContentAs(source);
        assertThat(source).exists();
    }

    @Test
    void downloadReplacesAnExistingTarget() throws IOException {
        store.write("k", utf8("new"));
        Path target = Files.writeString(tmp.resolve("target.txt"), "old content that is longer");

        store.download("k", target);

        assertThat(target).hasContent("new");
    }

    @Test
    void uploadReplacesAnExistingObject() throws IOException {
        store.upload(randomFile("one", 1000, 1), "x/blob");
        Path two = randomFile("two", 10, 2);
        store.upload(two, "x/blob");
        assertThat(root.resolve("x/blob")).hasSameBinaryContentAs(two);
    }

    @Test
    void downloadOfAMissingKeyThrowsBlobNotFound() {
        Path target = tmp.resolve("never.bin");
        assertThatThrownBy(() -> store.download("pools/t/v1/index.faiss", target))
                .isInstanceOf(BlobNotFoundException.class)
                .hasMessageContaining("pools/t/v1/index.faiss");
        assertThat(target).doesNotExist();
    }

    @Test
    void aFolderIsNoObject() {
        store.write("pools/t/v1/manifest.json", utf8("{}"));
        assertThat(store.size("pools/t/v1")).isEmpty();
        assertThatThrownBy(() -> store.download("pools/t/v1", tmp.resolve("x"))).isInstanceOf(BlobNotFoundException.class);
    }

    @Test
    void listsSortedKeysUnderThePrefixOnly() {
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

    @Test
    void deletes() {
        store.write("pools/t/v1/a", utf8("a"));
        store.write("pools/t/v1/b", utf8("b"));

        store.delete("pools/t/v1/a");

        assertThat(store.read("pools/t/v1/a")).isEmpty();
        assertThat(store.list("pools/t/")).containsExactly("pools/t/v1/b");
        // deleting what is not there is no error
        store.delete("pools/t/v1/a");
        store.delete("never/was");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "../../etc/passwd", "a/../../x", "/abs", "/etc/passwd", "a\\b", "", ".."})
    void refusesKeysEscapingTheRoot(String key) throws IOException {
        Path outside = Files.writeString(tmp.resolve("x"), "outside");
        assertThatThrownBy(() -> store.read(key)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.write(key, utf8("pwned"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.upload(outside, key)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.download(key, tmp.resolve("y"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.size(key)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.delete(key)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.localFile(key)).isInstanceOf(IllegalArgumentException.class);
        assertThat(outside).hasContent("outside");
        assertThat(tmp.resolve("y")).doesNotExist();
    }

    @Test
    void refusesKeysOfASiblingFolderWithTheSameNamePrefix() throws IOException {
        // root is <tmp>/store: <tmp>/store-other starts with the same characters but is outside
        Files.createDirectories(tmp.resolve("store-other"));
        assertThatThrownBy(() -> store.write("../store-other/x", utf8("x"))).isInstanceOf(IllegalArgumentException.class);
        assertThat(tmp.resolve("store-other/x")).doesNotExist();
    }

    @Test
    void localFileIsThePathInTheStore() {
        store.write("pools/t/v1/index.faiss", utf8("abc"));

        assertThat(store.localFile("pools/t/v1/index.faiss")).contains(root.resolve("pools/t/v1/index.faiss"));
        assertThat(store.localFile("pools/t/v1/index.faiss").orElseThrow()).hasContent("abc");
        // present for absent keys too: the folder store is always read in place
        assertThat(store.localFile("pools/t/v9/index.faiss")).contains(root.resolve("pools/t/v9/index.faiss"));
    }

    @Test
    void writesLeaveNoTemporaryFilesBehind() throws IOException {
        store.write("pools/t/current", utf8("1"));
        store.write("pools/t/current", utf8("2"));
        store.upload(randomFile("big", 2_000_000, 3), "pools/t/v1/index.faiss");
        store.upload(randomFile("small", 10, 4), "pools/t/v1/index.faiss");
        store.write("pools/t/v1/manifest.json", utf8("{}"));

        assertThat(filesUnder(root)).extracting(p -> root.relativize(p).toString().replace('\\', '/'))
                .containsExactlyInAnyOrder("pools/t/current", "pools/t/v1/index.faiss", "pools/t/v1/manifest.json");
    }

    @Test
    void aFailedUploadLeavesNothingBehind() {
        Path missing = tmp.resolve("no-such-file");
        assertThatThrownBy(() -> store.upload(missing, "pools/t/v1/index.faiss"))
                .isInstanceOf(StorageException.class);
        assertThat(store.list("")).isEmpty();
    }

    @Test
    void listSkipsHiddenTemporaryFiles() throws IOException {
        store.write("pools/t/v1/index.faiss", utf8("x"));
        // what a crashed writer leaves beside its target
        Files.writeString(root.resolve("pools/t/v1/.index.faiss.part-123"), "half");
        assertThat(store.list("pools/t/")).containsExactly("pools/t/v1/index.faiss");
    }

    @Test
    void describesItselfAsAFileUri() {
        assertThat(store.describe()).startsWith("file:").contains(root.getFileName().toString());
        assertThat(store.root()).isEqualTo(root.toAbsolutePath().normalize());
    }

    @Test
    void aRootGivenRelativeOrUnnormalisedIsTheSameStore() {
        FileBlobStore other = new FileBlobStore(root.resolve("sub/.."));
        other.write("k", utf8("v"));
        assertThat(store.read("k")).hasValueSatisfying(b -> assertThat(b).isEqualTo(utf8("v")));
    }
}
