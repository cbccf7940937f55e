package com.listinglens.vector;

import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A FAISS vector index (FAISS 1.7.3, CPU) held in native memory, accessed through our own JNI
 * binding ({@code native/}).
 *
 * <h2>Index types</h2>
 * Indexes are built with FAISS factory strings. Supported (others are rejected before FAISS sees
 * them):
 *
 * <pre>
 * factory   = [ ("IDMap" | "IDMap2") "," ] { transform "," } core
 * transform = "PCA" ["W"] ["R"] d | "L2norm" | "RR" [d] | "OPQ" m ["_" d]
 * core      = "Flat" | sq | pq
 *           | "IVF" nlist [ "_HNSW" [m] ] "," ( "Flat" | sq | pq )
 *           | "HNSW" [m] [ "_" ( "Flat" | sq ) ]
 * sq        = "SQ4" | "SQ6" | "SQ8" | "SQfp16"
 * pq        = "PQ" m [ "x" bits ] [ "np" ]     ("np": skip the slow polysemous training)
 * </pre>
 *
 * Vectors are always added with caller-chosen non-negative ids ({@link #addWithIds}); IVF indexes
 * store ids natively, other types need the {@code IDMap,} prefix (e.g. {@code "IDMap,Flat"}, {@code
 * "IDMap,HNSW32"}). Ids are not checked for uniqueness.
 *
 * <h2>Threading</h2>
 * Searches may run concurrently from any number of threads. {@link #train}, {@link #addWithIds}
 * and {@link #close} take an exclusive lock and wait for running searches; {@link #write} only
 * reads the index and runs alongside searches. FAISS parallelises each call internally with
 * OpenMP; see {@link #setThreads(int)}.
 *
 * <h2>Errors</h2>
 * Every argument is validated in Java before it reaches native code: bad arguments throw {@link
 * IllegalArgumentException}; calls on a closed, untrained or read-only index throw {@link
 * IllegalStateException}; failures inside FAISS, corrupt files and I/O errors throw {@link
 * VectorIndexException}. Native code never lets a C++ exception reach the JVM, and index files
 * are structurally checked before and after FAISS reads them, so corrupt files raise exceptions
 * instead of crashing the process.
 *
 * <p>Always {@link #close()} an index; an index that becomes unreachable unclosed is freed by a
 * {@link Cleaner} eventually.
 */
public final class FaissIndex implements AutoCloseable {

    public static final int MAX_DIMENSION = 65_536;
    /** Largest k per search. */
    public static final int MAX_K = 10_000;
    /**
     * Largest absolute value of a vector component: squared distances and dot products of {@link #MAX_DIMENSION}
     * such components stay finite in float. Beyond it FAISS's k-means meets an infinite distance, fails an
     * assertion and aborts the JVM (found by {@code NativeIndexFuzz}).
     */
    public static final float MAX_COMPONENT = 1e15f;
    /** Largest {@code n * k} per search call (result memory); split larger batches. */
    public static final long MAX_RESULTS = 1L << 24;
    /** Largest number of vectors in one index. */
    public static final long MAX_COUNT = Integer.MAX_VALUE;
    public static final int MAX_FACTORY_LENGTH = 256;
    /** Largest number allowed inside a factory string (bounds e.g. the IVF list count). */
    public static final int MAX_FACTORY_NUMBER = 1 << 20;
    public static final int MAX_THREADS = 1024;

    /** Fourccs this binding accepts as the first four bytes of an index file. */
    private static final List<String> FILE_MAGIC = List.of(
            "IxF2", "IxFI", "IxMp", "IxM2", "IxPT", "IwFl", "IwSq", "IwSQ", "IwPQ", "IHNf", "IHNs", "IxPq",
            "IxSQ");
    /** fourcc + dimension + count + 2 reserved + trained flag + metric. */
    private static final long MIN_FILE_SIZE = 4 + 4 + 8 + 8 + 8 + 1 + 4;

    private static final Cleaner CLEANER = Cleaner.create();
    private static final AtomicLong SERIALS = new AtomicLong();
    private static final Charset PATH_CHARSET = pathCharset();

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Lock readLock = lock.readLock();
    private final Lock writeLock = lock.writeLock();
    private final NativeHandle handle;
    private final Cleaner.Cleanable cleanable;
    private final int dimension;
    private final Metric metric;
    private final String factory;
    private final int traits;
    private final boolean readOnly;
    private volatile boolean closed;
    /** Orders the locks of two indexes taken together ({@link #mergeFrom}). */
    private final long serial = SERIALS.incrementAndGet();

    /** Native indexes freed by the Cleaner because they became unreachable unclosed (a leak in the caller). */
    private static final AtomicLong RECLAIMED = new AtomicLong();
    /** Native indexes allocated through this binding and not yet freed. */
    private static final AtomicLong LIVE = new AtomicLong();

    /** Owns the native pointer; run at most once, by close() or by the Cleaner. */
    private static final class NativeHandle implements Runnable {
        private long value;
        private volatile boolean closing;

        NativeHandle(long value) {
            this.value = value;
            LIVE.incrementAndGet();
        }

        @Override
        public void run() {
            long v = value;
            value = 0;
            if (v != 0) {
                FaissNative.free(v);
                LIVE.decrementAndGet();
                if (!closing) {
                    RECLAIMED.incrementAndGet();
                }
            }
        }
    }

    /**
     * How many native indexes the Cleaner has freed since start because nobody closed them: each one is memory that
     * stayed allocated until a garbage collection noticed; a growing count is a leak to find.
     */
    public static long reclaimedUnclosed() {
        return RECLAIMED.get();
    }

    /**
     * How many native indexes this binding holds now (opened, built or merged, and not yet freed). Unlike
     * {@link #nativeMemoryInUse()}, which counts every library's allocations, it changes only with indexes, so a
     * leak check can compare it exactly.
     */
    public static long liveIndexes() {
        return LIVE.get();
    }

    private FaissIndex(long nativeHandle, String factory, boolean readOnly) {
        try {
            this.dimension = FaissNative.dimension(nativeHandle);
            this.metric = Metric.fromFaissCode(FaissNative.metric(nativeHandle));
            this.traits = FaissNative.traits(nativeHandle);
            this.factory = factory != null ? factory : FaissNative.describe(nativeHandle);
        } catch (RuntimeException | Error e) {
            FaissNative.free(nativeHandle);
            throw e;
        }
        this.readOnly = readOnly || (traits & FaissNative.TRAIT_READ_ONLY) != 0;
        this.handle = new NativeHandle(nativeHandle);
        this.cleanable = CLEANER.register(this, handle);
    }

    // ------------------------------------------------------------------ creation

    /**
     * Builds an empty index with {@code faiss::index_factory}.
     *
     * @param indexFactory a FAISS factory string such as {@code "IDMap,Flat"}, {@code "IVF1024,Flat"},
     *     {@code "IDMap,HNSW32"}, {@code "PCA64,IVF256,PQ16"}; only the supported subset of the
     *     FAISS grammar (see the class documentation) is accepted, with bounded numbers (IVF lists
     *     up to 2^20, HNSW M 2..256, PQ bits 1..16, PQ sub-quantizers dividing the dimension)
     * @param dimension vector dimension, 1..{@value #MAX_DIMENSION}
     * @param metric similarity measure
     * @throws IllegalArgumentException for a bad, unparsable or unsupported factory string, bad
     *     dimension or null metric
     * @throws VectorIndexException if the native library cannot be loaded
     */
    public static FaissIndex create(String indexFactory, int dimension, Metric metric) {
        validateFactory(indexFactory);
        if (dimension < 1 || dimension > MAX_DIMENSION) {
            throw new IllegalArgumentException("dimension must be in 1.." + MAX_DIMENSION + ", got " + dimension);
        }
        if (metric == null) {
            throw new IllegalArgumentException("metric must not be null");
        }
        FactoryStrings.validate(indexFactory, dimension);
        NativeLibrary.load();
        long h = FaissNative.create(indexFactory, dimension, metric.faissCode());
        return new FaissIndex(h, indexFactory, false);
    }

    /**
     * Reads an index written by {@link #write(Path)} (or by FAISS 1.7.3, if of a supported type).
     *
     * <p>The file is checked in Java (regular, readable, not empty, known FAISS header), then
     * natively: a bounded parser walks the whole structure and rejects any length, count or
     * parameter that does not fit the file or the format before FAISS reads it; FAISS then reads
     * through a reader that cannot run past the end; finally the loaded structure (graph links,
     * list extents, ids, sizes) is verified. Corrupt or truncated files therefore throw {@link
     * VectorIndexException}; trailing bytes after the index are rejected too.
     *
     * <p>With {@code memoryMap = true} FAISS is asked for {@code IO_FLAG_MMAP | IO_FLAG_READ_ONLY}.
     * In FAISS 1.7.3 this maps only the <em>inverted lists of IVF indexes</em> (codes and ids; also
     * below {@code IDMap,} / pre-transforms) read-only from the file, so they are paged in on demand
     * and shared through the page cache; everything else (coarse quantizer, PQ/SQ tables, IDMap id
     * table, and all of Flat, HNSW, PQ and SQ indexes) is still read into memory. Either way the
     * returned index is read-only: {@link #train}, {@link #addWithIds} and {@link #write} throw
     * {@link IllegalStateException}. Do not modify or truncate a mapped file in place while it is
     * open (replacing it by rename, as {@link #write} does, is safe).
     *
     * @throws IllegalArgumentException if {@code file} is null, missing, a directory, not a regular
     *     file or not readable
     * @throws VectorIndexException if the file is empty, truncated, corrupt, of an unsupported index
     *     type, or cannot be read
     */
    public static FaissIndex read(Path file, boolean memoryMap) {
        if (file == null) {
            throw new IllegalArgumentException("file must not be null");
        }
        Path path = file.toAbsolutePath();
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("index file does not exist: " + path);
        }
        if (Files.isDirectory(path)) {
            throw new IllegalArgumentException("index file is a directory: " + path);
        }
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("index file is not a regular file: " + path);
        }
        if (!Files.isReadable(path)) {
            throw new IllegalArgumentException("index file is not readable: " + path);
        }
        checkFileHeader(path);
        NativeLibrary.load();
        long h = FaissNative.read(pathBytes(path), memoryMap);
        return new FaissIndex(h, null, memoryMap);
    }

    // ------------------------------------------------------------------ properties

    /** The vector dimension. */
    public int dimension() {
        ensureOpen();
        return dimension;
    }

    public Metric metric() {
        ensureOpen();
        return metric;
    }

    /**
     * The factory string this index was created with; for an index read from a file, an equivalent
     * factory-style description of its structure (e.g. {@code "IDMap,IVF16,Flat"}).
     */
    public String factory() {
        ensureOpen();
        return factory;
    }

    /** Whether the index was opened read-only ({@code read(file, true)}). */
    public boolean isReadOnly() {
        ensureOpen();
        return readOnly;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Whether the index is trained (ready for {@link #addWithIds} and {@link #search}). */
    public boolean isTrained() {
        ensureOpen();
        readLock.lock();
        try {
            return FaissNative.isTrained(liveHandle());
        } finally {
            readLock.unlock();
            Reference.reachabilityFence(this);
        }
    }

    /** Number of vectors in the index. */
    public long count() {
        ensureOpen();
        readLock.lock();
        try {
            return FaissNative.count(liveHandle());
        } finally {
            readLock.unlock();
            Reference.reachabilityFence(this);
        }
    }

    // ------------------------------------------------------------------ mutation

    /**
     * Trains the index (IVF coarse quantizer, PQ/SQ codebooks, PCA, ...) on {@code n} vectors;
     * a no-op for index types that need no training. Train before adding vectors.
     *
     * @param vectors row-major {@code n x dimension} floats, all finite and within +-{@value #MAX_COMPONENT}
     * @param n number of training vectors, >= 1 (IVF needs at least as many as it has lists)
     * @throws IllegalStateException if the index is closed, read-only or already holds vectors
     * @throws VectorIndexException if FAISS refuses (e.g. too few training vectors)
     */
    public void train(float[] vectors, int n) {
        ensureOpen();
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, got " + n);
        }
        checkVectors(vectors, n, "vectors");
        writeLock.lock();
        try {
            long h = liveHandle();
            requireWritable();
            if (FaissNative.count(h) > 0) {
                throw new IllegalStateException("index already contains vectors; train before adding");
            }
            FaissNative.train(h, vectors, n);
        } finally {
            writeLock.unlock();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Adds {@code ids.length} vectors with the given ids.
     *
     * @param vectors row-major {@code ids.length x dimension} floats, all finite and within +-{@value #MAX_COMPONENT}
     * @param ids non-negative ids, one per vector (uniqueness is not checked)
     * @throws IllegalStateException if the index is closed, read-only or not trained
     * @throws VectorIndexException if the index type cannot store ids (use an {@code "IDMap,"}
     *     prefix) or FAISS fails
     */
    public void addWithIds(float[] vectors, long[] ids) {
        ensureOpen();
        if (ids == null) {
            throw new IllegalArgumentException("ids must not be null");
        }
        int n = ids.length;
        checkVectors(vectors, n, "vectors");
        for (int i = 0; i < n; i++) {
            if (ids[i] < 0) {
                throw new IllegalArgumentException("ids must be non-negative, ids[" + i + "] = " + ids[i]);
            }
        }
        writeLock.lock();
        try {
            long h = liveHandle();
            requireWritable();
            if (n == 0) {
                return;
            }
            if ((traits & FaissNative.TRAIT_ACCEPTS_IDS) == 0) {
                throw new VectorIndexException("index '" + factory + "' cannot store caller-supplied ids;"
                        + " create it with an \"IDMap,\" prefix, e.g. \"IDMap," + factory + "\"");
            }
            if (!FaissNative.isTrained(h)) {
                throw new IllegalStateException("index is not trained; call train() first");
            }
            long count = FaissNative.count(h);
            if (count + n > MAX_COUNT) {
                throw new IllegalArgumentException("adding " + n + " vectors to " + count
                        + " would exceed the maximum of " + MAX_COUNT);
            }
            FaissNative.addWithIds(h, vectors, ids);
        } finally {
            writeLock.unlock();
            Reference.reachabilityFence(this);
        }
    }

    // ------------------------------------------------------------------ shards

    /**
     * Moves every vector of {@code source} into this index, with its id; {@code source} stays open and is left
     * empty. For shards of one pool encoded apart (a distributed build): both must be copies of one trained
     * index, that is of one structure, dimension and metric with equal {@link #trainedFingerprint()}s, and
     * neither memory-mapped. Ids are taken as they are; {@link #censusIds} tells whether the result holds each
     * expected id once.
     *
     * @throws IllegalArgumentException for a null or the same index, or indexes that differ in structure,
     *     dimension, metric or training, or a result beyond {@value #MAX_COUNT} vectors
     * @throws IllegalStateException if either index is closed, read-only or untrained
     * @throws VectorIndexException if this index type cannot be merged (HNSW graphs)
     */
    public void mergeFrom(FaissIndex source) {
        ensureOpen();
        if (source == null) {
            throw new IllegalArgumentException("source index must not be null");
        }
        if (source == this) {
            throw new IllegalArgumentException("an index cannot be merged into itself");
        }
        source.ensureOpen();
        if (dimension != source.dimension || metric != source.metric) {
            throw new IllegalArgumentException("cannot merge " + source + " into " + this
                    + ": dimension or metric differ");
        }
        FaissIndex first = serial < source.serial ? this : source;
        FaissIndex second = first == this ? source : this;
        first.writeLock.lock();
        try {
            second.writeLock.lock();
            try {
                long target = liveHandle();
                long from = source.liveHandle();
                requireWritable();
                source.requireWritable();
                if (!FaissNative.isTrained(target) || !FaissNative.isTrained(from)) {
                    throw new IllegalStateException("both indexes must be trained before they are merged");
                }
                long total = FaissNative.count(target) + FaissNative.count(from);
                if (total > MAX_COUNT) {
                    throw new IllegalArgumentException("the merged index would hold " + total
                            + " vectors, more than the maximum of " + MAX_COUNT);
                }
                FaissNative.mergeFrom(target, from);
            } finally {
                second.writeLock.unlock();
            }
        } finally {
            first.writeLock.unlock();
            Reference.reachabilityFence(this);
            Reference.reachabilityFence(source);
        }
    }

    /**
     * A 64-bit fingerprint of what training fixed in this index (structure, dimension, metric, transforms,
     * coarse quantizer, product or scalar quantizer), never of its vectors: copies of one trained index share it
     * however many vectors each holds; indexes trained apart do not. Costs the size of the trained parameters.
     *
     * @throws VectorIndexException for index types that cannot be merged (HNSW graphs)
     */
    public long trainedFingerprint() {
        ensureOpen();
        readLock.lock();
        try {
            return FaissNative.trainedFingerprint(liveHandle());
        } finally {
            readLock.unlock();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * Counts the ids this index holds against the expected set {@code [0, expected)}: those out of range,
     * duplicated and missing (one pass over the id map or the inverted lists, a bitmap of {@code expected}
     * bits).
     */
    public IdCensus censusIds(long expected) {
        ensureOpen();
        if (expected < 0 || expected > MAX_COUNT) {
            throw new IllegalArgumentException("expected id count " + expected + " out of range 0.." + MAX_COUNT);
        }
        long[] out = new long[4];
        readLock.lock();
        try {
            FaissNative.censusIds(liveHandle(), expected, out);
        } finally {
            readLock.unlock();
            Reference.reachabilityFence(this);
        }
        return new IdCensus(expected, out[0], out[1], out[2], out[3]);
    }

    // ------------------------------------------------------------------ search

    /** {@link #search(float[], int, int, SearchParams)} with {@link SearchParams#DEFAULT}. */
    public SearchResult search(float[] queries, int n, int k) {
        return search(queries, n, k, SearchParams.DEFAULT);
    }

    /**
     * Finds the {@code k} nearest vectors of each of {@code n} queries. Safe to call concurrently.
     *
     * @param queries row-major {@code n x dimension} floats, all finite and within +-{@value #MAX_COMPONENT}
     * @param n number of queries, >= 0
     * @param k results per query, 1..{@value #MAX_K}; {@code n * k <= MAX_RESULTS}. k may exceed
     *     the number of vectors: missing results have id -1
     * @param params per-call nprobe / efSearch ({@link SearchParams#DEFAULT} for index defaults)
     * @throws IllegalStateException if the index is closed or not trained
     */
    public SearchResult search(float[] queries, int n, int k, SearchParams params) {
        return search(queries, n, k, params, null);
    }

    /**
     * Finds the {@code k} nearest vectors of each of {@code n} queries among the vectors whose ids
     * are members of {@code filter}. Safe to call concurrently.
     *
     * <p>Every returned id is a member of the filter; rows hold fewer than {@code k} results (the
     * rest id -1, score NaN) when fewer members are found. Scores are on the same scale as an
     * unfiltered search, best first. How the filter is applied:
     *
     * <ul>
     *   <li>Flat, SQ, PQ: an exact scan of the members only (the bitmap is walked word by word, so
     *       a filter keeping 1 % of the vectors costs about 1 % of an unfiltered search, plus one
     *       pass over the id table below {@code IDMap,}); {@code exhaustive} changes nothing.
     *   <li>IVF: the probed lists are scanned skipping non-members, so a selective filter with a small
     *       {@code nprobe} may return fewer than {@code k} results; {@code exhaustive} scans every
     *       list.
     *   <li>HNSW: the graph walk goes through non-members as usual but only members are returned,
     *       so with a selective filter it may find fewer than {@code k} members, or not the nearest
     *       ones; {@code exhaustive} scans the members of the storage exactly instead.
     * </ul>
     *
     * With {@code params.exhaustive()} every index type returns exactly {@code min(k, members in the
     * index)} results: the exact nearest members for Flat / HNSW, the best by the index's own
     * (quantised) distances for SQ / PQ / IVF.
     *
     * @param queries row-major {@code n x dimension} floats, all finite and within +-{@value #MAX_COMPONENT}
     * @param n number of queries, >= 0
     * @param k results per query, 1..{@value #MAX_K}; {@code n * k <= MAX_RESULTS}
     * @param params per-call nprobe / efSearch / exhaustive
     * @param filter the ids that may be returned; null for no filter (same as {@link #search(float[],
     *     int, int, SearchParams)}). Only ids below {@code filter.size()} can be members.
     * @throws IllegalStateException if the index is closed or not trained
     */
    public SearchResult search(float[] queries, int n, int k, SearchParams params, IdFilter filter) {
        ensureOpen();
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, got " + n);
        }
        if (k < 1 || k > MAX_K) {
            throw new IllegalArgumentException("k must be in 1.." + MAX_K + ", got " + k);
        }
        if ((long) n * k > MAX_RESULTS) {
            throw new IllegalArgumentException("n * k = " + (long) n * k + " exceeds " + MAX_RESULTS
                    + " results per call; split the batch");
        }
        if (params == null) {
            throw new IllegalArgumentException("params must not be null; use SearchParams.DEFAULT");
        }
        checkVectors(queries, n, "queries");
        long[] ids = new long[n * k];
        float[] scores = new float[n * k];
        readLock.lock();
        try {
            long h = liveHandle();
            if (!FaissNative.isTrained(h)) {
                throw new IllegalStateException("index is not trained; call train() first");
            }
            if (n > 0) {
                FaissNative.search(h, queries, n, k, params.nprobe(), params.efSearch(), params.exhaustive(),
                        filter == null ? null : filter.wordsNoCopy(), filter == null ? 0 : filter.size(), ids,
                        scores);
            }
        } finally {
            readLock.unlock();
            Reference.reachabilityFence(this);
        }
        return new SearchResult(n, k, ids, scores);
    }

    // ------------------------------------------------------------------ persistence

    /**
     * Writes the index to {@code file}: FAISS writes a temporary file in the same directory, which
     * is flushed to disk, re-validated and then atomically renamed over {@code file}, so readers
     * never see a partial file. Runs concurrently with searches.
     *
     * @throws IllegalArgumentException if {@code file} is null, its directory does not exist or is
     *     not writable, or {@code file} is a directory
     * @throws IllegalStateException if the index is closed or read-only
     * @throws VectorIndexException if writing fails
     */
    public void write(Path file) {
        ensureOpen();
        if (file == null) {
            throw new IllegalArgumentException("file must not be null");
        }
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        if (dir == null || target.getFileName() == null) {
            throw new IllegalArgumentException("not a file path: " + target);
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("directory does not exist: " + dir);
        }
        if (!Files.isWritable(dir)) {
            throw new IllegalArgumentException("directory is not writable: " + dir);
        }
        if (Files.isDirectory(target)) {
            throw new IllegalArgumentException("target is a directory: " + target);
        }
        readLock.lock();
        try {
            long h = liveHandle();
            requireWritable();
            Path tmp = createTempSibling(target);
            try {
                FaissNative.write(h, pathBytes(tmp));
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                syncDirectory(dir);
            } catch (IOException e) {
                throw new VectorIndexException("cannot write index to " + target + ": " + e, e);
            } finally {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort
                }
            }
        } finally {
            readLock.unlock();
            Reference.reachabilityFence(this);
        }
    }

    // ------------------------------------------------------------------ lifecycle

    /**
     * Frees the native index. Waits for running searches; idempotent. Afterwards every method
     * except {@code close}, {@link #isClosed} and {@code toString} throws {@link
     * IllegalStateException}.
     */
    @Override
    public void close() {
        writeLock.lock();
        try {
            if (!closed) {
                closed = true;
                handle.closing = true;
                cleanable.clean();
            }
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Sets how many OpenMP threads each FAISS call may use, process-wide; 0 restores the default
     * ({@code OMP_NUM_THREADS} or the number of CPUs). Also applied to OpenBLAS. In a server that
     * already runs many searches in parallel, 1 avoids oversubscription (and libgomp keeping a
     * thread pool per calling thread).
     */
    public static void setThreads(int threads) {
        if (threads < 0 || threads > MAX_THREADS) {
            throw new IllegalArgumentException("threads must be in 0.." + MAX_THREADS + ", got " + threads);
        }
        NativeLibrary.load();
        FaissNative.setThreads(threads);
    }

    /** The number of threads FAISS calls use (see {@link #setThreads}). */
    public static int threads() {
        NativeLibrary.load();
        return FaissNative.threads();
    }

    /**
     * Bytes the process holds from the C allocator: every index, and the other native libraries' memory
     * (libtorch, OpenCV), but not the Java heap. For leak checks and the memory gauge.
     */
    public static long nativeMemoryInUse() {
        NativeLibrary.load();
        return FaissNative.mallocInUse();
    }

    /** Version of the linked FAISS library, e.g. {@code "faiss 1.7.3"}. */
    public static String nativeVersion() {
        NativeLibrary.load();
        return FaissNative.version();
    }

    @Override
    public String toString() {
        return "FaissIndex[" + factory + ", d=" + dimension + ", " + metric + (readOnly ? ", read-only" : "")
                + (closed ? ", closed" : "") + "]";
    }

    // ------------------------------------------------------------------ helpers

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("index is closed");
        }
    }

    /** Call with the read or write lock held. */
    private long liveHandle() {
        long h = handle.value;
        if (closed || h == 0) {
            throw new IllegalStateException("index is closed");
        }
        return h;
    }

    private void requireWritable() {
        if (readOnly) {
            throw new IllegalStateException("index was opened memory-mapped and is read-only;"
                    + " read it with memoryMap=false to modify or re-write it");
        }
    }

    private void checkVectors(float[] vectors, int n, String what) {
        if (vectors == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        long expected = (long) n * dimension;
        if (vectors.length != expected) {
            throw new IllegalArgumentException(what + " must have n * dimension = " + n + " * " + dimension
                    + " = " + expected + " elements, got " + vectors.length);
        }
        for (int i = 0; i < vectors.length; i++) {
            if (!(Math.abs(vectors[i]) <= MAX_COMPONENT)) { // also true for NaN
                throw new IllegalArgumentException(what + "[" + i + "] (vector " + i / dimension + ", component "
                        + i % dimension + ") is " + vectors[i] + "; components must be finite and within +-"
                        + MAX_COMPONENT + " (NaN, infinity and values whose squares overflow are not allowed)");
            }
        }
    }

    private static void validateFactory(String factory) {
        if (factory == null) {
            throw new IllegalArgumentException("index factory string must not be null");
        }
        if (factory.isBlank()) {
            throw new IllegalArgumentException("index factory string must not be empty");
        }
        if (factory.length() > MAX_FACTORY_LENGTH) {
            throw new IllegalArgumentException("index factory string is longer than " + MAX_FACTORY_LENGTH);
        }
        long number = -1;
        for (int i = 0; i < factory.length(); i++) {
            char c = factory.charAt(i);
            boolean digit = c >= '0' && c <= '9';
            if (!(digit || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ',')) {
                throw new IllegalArgumentException("index factory string '" + factory
                        + "' may only contain letters, digits, '_' and ',' (e.g. \"IDMap,IVF256,Flat\")");
            }
            if (digit) {
                number = (number < 0 ? 0 : number * 10) + (c - '0');
                if (number > MAX_FACTORY_NUMBER) {
                    throw new IllegalArgumentException("index factory string '" + factory
                            + "' contains a number larger than " + MAX_FACTORY_NUMBER);
                }
            } else {
                number = -1;
            }
        }
    }

    private static void checkFileHeader(Path path) {
        long size;
        byte[] head = new byte[4];
        try (InputStream in = Files.newInputStream(path)) {
            size = Files.size(path);
            if (size == 0) {
                throw new VectorIndexException("index file is empty: " + path);
            }
            if (size < MIN_FILE_SIZE) {
                throw new VectorIndexException("index file " + path + " is only " + size
                        + " bytes, too small to be a FAISS index (truncated?)");
            }
            if (in.readNBytes(head, 0, 4) != 4) {
                throw new VectorIndexException("cannot read the header of " + path);
            }
        } catch (IOException e) {
            throw new VectorIndexException("cannot read index file " + path + ": " + e, e);
        }
        String magic = new String(head, StandardCharsets.ISO_8859_1);
        if (!FILE_MAGIC.contains(magic)) {
            StringBuilder shown = new StringBuilder();
            for (byte b : head) {
                shown.append(b >= 0x20 && b < 0x7f ? Character.toString(b) : String.format("\\x%02x", b & 0xff));
            }
            throw new VectorIndexException("not a FAISS index of a supported type: " + path + " starts with '"
                    + shown + "', expected one of " + FILE_MAGIC);
        }
    }

    private static Path createTempSibling(Path target) {
        Path dir = target.getParent();
        String base = "." + target.getFileName() + ".";
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve(base + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
            try {
                return Files.createFile(tmp);
            } catch (FileAlreadyExistsException e) {
                if (attempt > 100) {
                    throw new VectorIndexException("cannot create a temporary file next to " + target, e);
                }
            } catch (IOException e) {
                throw new VectorIndexException("cannot create a temporary file next to " + target + ": " + e, e);
            }
        }
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | RuntimeException ignored) {
            // not supported everywhere; the rename itself is atomic
        }
    }

    private static byte[] pathBytes(Path path) {
        return path.toString().getBytes(PATH_CHARSET);
    }

    private static Charset pathCharset() {
        String name = System.getProperty("sun.jnu.encoding");
        try {
            return name != null ? Charset.forName(name) : Charset.defaultCharset();
        } catch (RuntimeException e) {
            return StandardCharsets.UTF_8;
        }
    }
}
