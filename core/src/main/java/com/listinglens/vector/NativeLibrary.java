package com.listinglens.vector;

import com.listinglens.nativelib.BundledLibrary;

/**
 * Loads {@code liblensfaiss.so}, the JNI binding to FAISS, exactly once per class loader (see {@link BundledLibrary}:
 * taken from the classpath resource {@value #RESOURCE}, which the Maven build places there; the system property
 * {@value #PATH_PROPERTY} may name a library file to load instead). The library's own dependencies (OpenBLAS, libgomp,
 * libstdc++) come from the system. Failures are {@link VectorIndexException}s, remembered and re-reported.
 */
final class NativeLibrary {

    static final String RESOURCE = "/native/linux-x86_64/liblensfaiss.so";
    static final String PATH_PROPERTY = "lens.native.library";

    private static final BundledLibrary LIBRARY = new BundledLibrary("liblensfaiss.so", "the FAISS binding", PATH_PROPERTY,
            "is libopenblas0 / libgomp1 installed?", VectorIndexException::new);

    private NativeLibrary() {}

    /** Loads the library if that has not happened yet. */
    static void load() {
        LIBRARY.load();
    }

    static boolean isLoaded() {
        return LIBRARY.isLoaded();
    }
}
