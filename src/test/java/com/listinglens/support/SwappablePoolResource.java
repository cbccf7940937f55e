package com.listinglens.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Two small real pools (iconic listings 0-40 and 40-81) and a served directory that tests replace with either,
 * as a pool publisher would (copy beside, then rename into place). Admin token "test-token"; no Redis, so every
 * request runs the whole pipeline.
 */
public class SwappablePoolResource implements QuarkusTestResourceLifecycleManager {

    public static final String TOKEN = "test-token";
    private static Path served;
    private static Path a;
    private static Path b;

    @Override
    public Map<String, String> start() {
        a = TestPools.iconic("iconic-a", 0, 40);
        b = TestPools.iconic("iconic-b", 40, 81);
        served = Path.of("target/test-pools/served-" + System.nanoTime()).toAbsolutePath();
        publish(a);
        return Map.of("lens.pool.dir", served.toString(), "lens.admin.token", TOKEN, "lens.redis.enabled", "false",
                "lens.shared-dir", TestPools.sharedDir().toString());
    }

    public static Path a() {
        return a;
    }

    public static Path b() {
        return b;
    }

    public static Path served() {
        return served;
    }

    /** Puts a copy of {@code pool} at the served place: copied beside it, then renamed over it. */
    public static synchronized void publish(Path pool) {
        try {
            Path staging = served.resolveSibling(served.getFileName() + ".staging");
            copy(pool, staging);
            Path old = served.resolveSibling(served.getFileName() + ".old");
            if (Files.exists(served)) {
                Files.move(served, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(staging, served, StandardCopyOption.ATOMIC_MOVE);
            delete(old);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        delete(to);
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
    }

    @Override
    public void stop() {
    }
}
