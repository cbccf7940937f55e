package com.listinglens.nativelib;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.function.BiFunction;

/**
 * One of the project's own shared libraries (built from {@code native/} by CMake during the Maven build and shipped
 * in the jar under {@code /native/linux-x86_64/}), loaded exactly once per class loader.
 *
 * <p>The library is copied from the classpath to a temporary file and loaded with {@link System#load}; the temporary
 * file is deleted right after loading (Linux keeps the mapping), or at JVM exit at the latest. No
 * {@code LD_LIBRARY_PATH} is needed. A system property may name a library file to load instead. A failure is
 * remembered and re-reported, as the same exception type and message, on later calls. Thread-safe.
 */
public final class BundledLibrary {

    private final String fileName;
    private final String what;
    private final String pathProperty;
    private final String runtimeHint;
    private final BiFunction<String, Throwable, RuntimeException> error;
    private volatile boolean loaded;
    private RuntimeException failure; // guarded by this

    /**
     * @param fileName     the library's file name, e.g. {@code liblensfaiss.so}
     * @param what         what it is, for messages ("the FAISS binding")
     * @param pathProperty the system property that may name a file to load instead
     * @param runtimeHint  what the library needs at run time, for the message when loading fails
     * @param error        makes the exception a failure is reported as (message, cause or null)
     */
    public BundledLibrary(String fileName, String what, String pathProperty, String runtimeHint,
                          BiFunction<String, Throwable, RuntimeException> error) {
        this.fileName = fileName;
        this.what = what;
        this.pathProperty = pathProperty;
        this.runtimeHint = runtimeHint;
        this.error = error;
    }

    /** The classpath resource the library is shipped as. */
    public String resource() {
        return "/native/linux-x86_64/" + fileName;
    }

    public boolean isLoaded() {
        return loaded;
    }

    /** Loads the library if that has not happened yet; throws the caller's exception type when it cannot. */
    public void load() {
        if (loaded) {
            return;
        }
        synchronized (this) {
            if (loaded) {
                return;
            }
            if (failure != null) {
                throw error.apply(failure.getMessage(), failure);
            }
            try {
                doLoad();
                loaded = true;
            } catch (Refused e) {
                failure = error.apply(e.getMessage(), e.getCause());
                throw failure;
            } catch (RuntimeException | LinkageError e) {
                failure = error.apply("cannot load " + what + " " + fileName + ": " + e, e);
                throw failure;
            }
        }
    }

    private void doLoad() {
        String override = System.getProperty(pathProperty);
        if (override != null && !override.isBlank()) {
            Path file = Path.of(override).toAbsolutePath();
            if (!Files.isRegularFile(file)) {
                throw new Refused("-D" + pathProperty + "=" + override + " does not name a readable file", null);
            }
            System.load(file.toString());
            return;
        }
        checkPlatform();
        try (InputStream in = BundledLibrary.class.getResourceAsStream(resource())) {
            if (in == null) {
                throw new Refused(what + " " + resource() + " is not on the classpath; run ./mvnw package (it builds "
                        + "native/ with CMake), or set -D" + pathProperty + "=/path/to/" + fileName, null);
            }
            Path tmp = Files.createTempFile(fileName.replace(".so", "") + "-", ".so");
            tmp.toFile().deleteOnExit();
            try {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                System.load(tmp.toString());
            } catch (UnsatisfiedLinkError e) {
                throw new Refused("cannot load " + what + " extracted to " + tmp + ": " + e.getMessage() + " ("
                        + runtimeHint + " is " + System.getProperty("java.io.tmpdir") + " mounted noexec? then set -D"
                        + pathProperty + " or -Djava.io.tmpdir)", e);
            } finally {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // deleteOnExit is registered
                }
            }
        } catch (IOException e) {
            throw new Refused("cannot extract " + what + " " + resource() + ": " + e, e);
        }
    }

    /** Why the library was not loaded, turned into the caller's exception type by {@link #load()}. */
    private static final class Refused extends RuntimeException {
        Refused(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private void checkPlatform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.startsWith("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new Refused(what + " is only built for linux-x86_64, this JVM runs on " + System.getProperty("os.name")
                    + "/" + System.getProperty("os.arch") + "; build native/ for this platform and set -D" + pathProperty,
                    null);
        }
    }
}
