package com.listinglens.image;

import org.opencv.core.Core;

/** Loads the OpenCV native library bundled in {@code org.openpnp:opencv} once per JVM. */
public final class OpenCv {

    private static volatile boolean loaded;

    private OpenCv() {}

    /** Idempotent and thread-safe; throws {@link IllegalStateException} if the native library cannot load. */
    public static void ensureLoaded() {
        if (loaded) {
            return;
        }
        synchronized (OpenCv.class) {
            if (loaded) {
                return;
            }
            try {
                nu.pattern.OpenCV.loadLocally();
            } catch (Throwable t) {
                throw new IllegalStateException("could not load the OpenCV native library (org.openpnp:opencv)", t);
            }
            loaded = true;
        }
    }

    /** Sets OpenCV's process-wide worker threads ({@code threads < 0}: leave OpenCV's default, one per core). */
    public static void threads(int threads) {
        ensureLoaded();
        if (threads >= 0) {
            Core.setNumThreads(threads);
        }
    }

    /** OpenCV's worker threads now. */
    public static int threads() {
        ensureLoaded();
        return Core.getNumThreads();
    }
}
