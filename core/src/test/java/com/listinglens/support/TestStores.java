package com.listinglens.support;

import com.listinglens.storage.FileBlobStore;
import com.listinglens.storage.Layout;
import com.listinglens.storage.Publisher;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Folder stores for tests, laid out as the service reads them (pools/&lt;tenant&gt;/&lt;version&gt;/, pointers). */
public final class TestStores {

    private TestStores() {
    }

    /** A folder store holding the demo pool as tenant "default"'s current pool (published once per checkout). */
    public static synchronized Path demo() {
        Path store = Root.target("test-stores", "demo");
        publish(store, TestPools.demo(), "default");
        return store;
    }

    /** A new, empty folder store. */
    public static Path fresh(String name) {
        try {
            return Files.createDirectories(Root.target("test-stores", name + "-" + System.nanoTime()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new, empty cache folder. */
    public static Path cache(String name) {
        return Root.target("test-cache", name + "-" + System.nanoTime());
    }

    /** Publishes {@code pool} into the folder store for {@code tenant} and moves its pointer. */
    public static void publish(Path store, Path pool, String tenant) {
        try (FileBlobStore files = new FileBlobStore(store)) {
            new Publisher(files, new Layout(""), new PrintStream(PrintStream.nullOutputStream())).publishPool(pool, tenant, true);
        }
    }
}
