package com.listinglens.vector;

/**
 * The JNI entry points implemented in {@code native/src/lensfaiss_jni.cpp}. Callers must have
 * loaded the library ({@link NativeLibrary#load()}) and validated every argument; handles are
 * owned by {@link FaissIndex}, which serialises mutation against searches.
 */
final class FaissNative {

    /** {@link #traits(long)} bits. */
    static final int TRAIT_ACCEPTS_IDS = 1;
    static final int TRAIT_IVF = 2;
    static final int TRAIT_HNSW = 4;
    static final int TRAIT_READ_ONLY = 8;

    private FaissNative() {}

    static native String version();

    /** faiss::index_factory; returns a handle. */
    static native long create(String factory, int dimension, int metric);

    /** Validates, reads and checks an index file; returns a handle. */
    static native long read(byte[] path, boolean memoryMap);

    /** Writes to {@code path} (created/truncated), fsyncs and re-validates the file. */
    static native void write(long handle, byte[] path);

    static native void free(long handle);

    static native long count(long handle);

    static native boolean isTrained(long handle);

    static native int dimension(long handle);

    static native int metric(long handle);

    static native int traits(long handle);

    static native String describe(long handle);

    static native void train(long handle, float[] vectors, int n);

    static native void addWithIds(long handle, float[] vectors, long[] ids);

    /**
     * k-NN search. {@code filterWords} null: no filter; else a bitmap of the ids that may be returned
     * ({@link IdFilter} layout: exactly {@code ceil(filterSize / 64)} words, no bits at or beyond
     * {@code filterSize}).
     */
    static native void search(
            long handle,
            float[] queries,
            int n,
            int k,
            int nprobe,
            int efSearch,
            boolean exhaustive,
            long[] filterWords,
            long filterSize,
            long[] outIds,
            float[] outScores);

    /** Moves every vector of {@code source} into {@code target} (index_merge.h: checked compatible first). */
    static native void mergeFrom(long target, long source);

    /** A 64-bit fingerprint of what training fixed (index_merge.h). */
    static native long trainedFingerprint(long handle);

    /** {@code out} (4 longs): ids enumerated, out of [0, expected), duplicates, missing. */
    static native void censusIds(long handle, long expected, long[] out);

    static native void setThreads(int threads);

    static native int threads();

    /** Bytes in use from the C allocator (glibc mallinfo2: uordblks + hblkhd). */
    static native long mallocInUse();
}
