package com.listinglens.vector;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Loads {@code liblensfaiss.so}, the JNI binding to FAISS, exactly once per class loader.
 *
 * <p>By default the library is taken from the classpath resource {@value #RESOURCE} (placed there
 * by the Maven build, which compiles {@code native/} with CMake), copied to a temporary file and
 * loaded with {@link System#load}; the temporary file is deleted right after loading (Linux keeps
 * the mapping), or at JVM exit at the latest. No {@code LD_LIBRARY_PATH} is needed; the library's
 * own dependencies (OpenBLAS, libgomp, libstdc++) come from the system.
 *
 * <p>The system property {@value #PATH_PROPERTY} may name a library file to load instead.
 *
 * <p>Thread-safe; a failure is remembered and re-reported on later calls.
 */
final class NativeLibrary {

    static final String RESOURCE = "/native/linux-x86_64/liblensfaiss.so";
    static final String PATH_PROPERTY = "lens.native.library";

    private static volatile boolean loaded;
    private static VectorIndexException failure; // guarded by NativeLibrary.class

    private NativeLibrary() {}

    /** Loads the library if that has not happened yet. */
    static void load() {
        if (loaded) {
            return;
        }
        synchronized (NativeLibrary.class) {
            if (loaded) {
                return;
            }
            if (failure != null) {
                throw new VectorIndexException(failure.getMessage(), failure);
            }
            try {
                doLoad();
                loaded = true;
            } catch (VectorIndexException e) {
                failure = e;
                throw e;
            } catch (RuntimeException | LinkageError e) {
                failure = new VectorIndexException("cannot load the FAISS binding liblensfaiss.so: " + e, e);
                throw failure;
            }
        }
    }

    static boolean isLoaded() {
        return loaded;
    }

    private static void doLoad() {
        String override = System.getProperty(PATH_PROPERTY);
        if (override != null && !override.isBlank()) {
            Path file = Path.of(override).toAbsolutePath();
            if (!Files.isRegularFile(file)) {
                throw new VectorIndexException(
                        "-D" + PATH_PROPERTY + "=" + override + " does not name a readable file");
            }
            System.load(file.toString());
            return;
        }
        checkPlatform();
        try (InputStream in = NativeLibrary.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new VectorIndexException("the FAISS binding " + RESOURCE
                        + " is not on the classpath; run ./mvnw package (it builds native/ with CMake"
                        + " and needs libfaiss-dev), or set -D" + PATH_PROPERTY
                        + "=/path/to/liblensfaiss.so");
            }
            Path tmp = Files.createTempFile("liblensfaiss-", ".so");
            tmp.toFile().deleteOnExit();
            try {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                System.load(tmp.toString());
            } catch (UnsatisfiedLinkError e) {
                throw new VectorIndexException("cannot load the FAISS binding extracted to " + tmp
                        + ": " + e.getMessage() + " (is libopenblas0 / libgomp1 installed? is "
                        + System.getProperty("java.io.tmpdir") + " mounted noexec? then set -D"
                        + PATH_PROPERTY + " or -Djava.io.tmpdir)", e);
            } finally {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // deleteOnExit is registered
                }
            }
        } catch (IOException e) {
            throw new VectorIndexException("cannot extract the FAISS binding " + RESOURCE + ": " + e, e);
        }
    }

    private static void checkPlatform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.startsWith("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new VectorIndexException("the FAISS binding is only built for linux-x86_64, this JVM runs on "
                    + System.getProperty("os.name") + "/" + System.getProperty("os.arch")
                    + "; build native/ for this platform and set -D" + PATH_PROPERTY);
        }
    }
}
