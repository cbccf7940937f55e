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

/**
 * The store as a local folder: what only a folder does (keys that would leave it, temporary files, reading in
 * place). The cases every store meets run on both stores in {@link BlobStoreContractTest}.
 */
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
