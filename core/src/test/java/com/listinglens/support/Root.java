package com.listinglens.support;

import java.nio.file.Path;

/**
 * The repository root, for tests of every module: the build passes it as the system property {@code test.root} (not
 * {@code lens.*}: the configuration refuses keys it does not know). The service's tests run in their module's folder,
 * as Quarkus's test framework wants, the others in the root; fixtures that several modules share (test pools,
 * stores, photos) live under it.
 */
public final class Root {

    private Root() {
    }

    public static Path path() {
        return Path.of(System.getProperty("test.root", "")).toAbsolutePath().normalize();
    }

    /** {@code target/<first>/<more>} under the root. */
    public static Path target(String first, String... more) {
        return path().resolve("target").resolve(Path.of(first, more));
    }
}
