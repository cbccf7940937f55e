package com.listinglens.pool;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.function.LongConsumer;

/**
 * A pool's index rows quantized to 8 bits a component ({@link PoolFiles#INDEX_VECTORS_SQ8}), memory-mapped read-only:
 * component {@code i} of a row is {@code min[i] + (code + 0.5) * step[i]}, with each dimension's range taken over all
 * rows, so the error is at most half a step ({@code (max - min) / 512}). Re-ranking scores many candidates with these
 * (80 bytes a row at dimension 80) and leaves the final order to the fp32 rows.
 * <p>
 * Layout (little-endian): 64-byte header (magic {@code LLSQ8v1\0}, row count as int64, dimension as int32, zeros),
 * then {@code dimension} fp32 minima and {@code dimension} fp32 steps, zero-padded to a multiple of 64 bytes, then the
 * rows, {@code dimension} unsigned bytes each.
 */
public final class Sq8Rows implements AutoCloseable {

    static final byte[] MAGIC = "LLSQ8v1\0".getBytes(StandardCharsets.US_ASCII);
    static final int HEADER_BYTES = 64;
    /** Codes per dimension. */
    static final int LEVELS = 256;
    /** Rows read from the fp32 file at a time while encoding. */
    static final int ENCODE_BLOCK_ROWS = 1 << 16;

    private static final ValueLayout.OfFloat FP32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Arena arena;
    private final MemorySegment file;
    private final long rowsOffset;
    private final long count;
    private final int dimension;
    private final float[] min;
    private final float[] step;

    private Sq8Rows(Arena arena, MemorySegment file, long rowsOffset, long count, int dimension, float[] min, float[] step) {
        this.arena = arena;
        this.file = file;
        this.rowsOffset = rowsOffset;
        this.count = count;
        this.dimension = dimension;
        this.min = min;
        this.step = step;
    }

    /** Where the rows start in a file of {@code dimension}. */
    static long rowsOffset(int dimension) {
        long tables = HEADER_BYTES + 8L * dimension;
        return (tables + 63) / 64 * 64;
    }

    /** The file's size for {@code count} rows of {@code dimension}. */
    public static long fileBytes(long count, int dimension) {
        return rowsOffset(dimension) + count * dimension;
    }

    /**
     * Encodes the {@code count} fp32 rows of {@code dimension} in {@code fp32File} (as {@link PoolFiles#INDEX_VECTORS}
     * holds them) into {@code out}: one pass for each dimension's range, one to write the codes. {@code progress} hears
     * rows done (both passes: {@code 2 * count} in all).
     */
    public static void encode(Path fp32File, long count, int dimension, Path out, LongConsumer progress) throws IOException {
        if (count < 0 || dimension < 1) {
            throw new IllegalArgumentException("sq8 rows need count >= 0 and dimension >= 1, got " + count + " x " + dimension);
        }
        try (Arena arena = Arena.ofConfined(); FileChannel ch = FileChannel.open(fp32File, StandardOpenOption.READ)) {
            MemorySegment rows = MappedFiles.map(ch, fp32File, count * dimension * 4L, "fp32 rows", count + " rows of " + dimension, arena);
            float[] lo = new float[dimension];
            float[] hi = new float[dimension];
            Arrays.fill(lo, Float.POSITIVE_INFINITY);
            Arrays.fill(hi, Float.NEGATIVE_INFINITY);
            float[] block = new float[ENCODE_BLOCK_ROWS * dimension];
            for (long r = 0; r < count; r += ENCODE_BLOCK_ROWS) {
                int n = (int) Math.min(ENCODE_BLOCK_ROWS, count - r);
                MemorySegment.copy(rows, FP32, r * dimension * 4L, block, 0, n * dimension);
                for (int j = 0; j < n * dimension; j++) {
                    float v = block[j];
                    if (!Float.isFinite(v)) {
                        throw new PoolException("fp32 rows " + fp32File + ": row " + (r + j / dimension) + " is not finite");
                    }
                    int i = j % dimension;
                    lo[i] = Math.min(lo[i], v);
                    hi[i] = Math.max(hi[i], v);
                }
                progress.accept(n);
            }
            float[] step = new float[dimension];
            for (int i = 0; i < dimension; i++) {
                if (count == 0) {
                    lo[i] = 0;
                    hi[i] = 0;
                }
                step[i] = Math.max((hi[i] - lo[i]) / LEVELS, Float.MIN_NORMAL);
            }
            try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(out), 1 << 20)) {
                ByteBuffer head = ByteBuffer.allocate((int) rowsOffset(dimension)).order(ByteOrder.LITTLE_ENDIAN);
                head.put(MAGIC).putLong(count).putInt(dimension);
                head.position(HEADER_BYTES);
                for (float v : lo) {
                    head.putFloat(v);
                }
                for (float v : step) {
                    head.putFloat(v);
                }
                o.write(head.array());
                byte[] codes = new byte[ENCODE_BLOCK_ROWS * dimension];
                for (long r = 0; r < count; r += ENCODE_BLOCK_ROWS) {
                    int n = (int) Math.min(ENCODE_BLOCK_ROWS, count - r);
                    MemorySegment.copy(rows, FP32, r * dimension * 4L, block, 0, n * dimension);
                    for (int j = 0; j < n * dimension; j++) {
                        int i = j % dimension;
                        codes[j] = (byte) code(block[j], lo[i], step[i]);
                    }
                    o.write(codes, 0, n * dimension);
                    progress.accept(n);
                }
            }
        }
    }

    /** The code of {@code v} in a dimension starting at {@code lo} with {@code step}: 0..255. */
    static int code(float v, float lo, float step) {
        int c = (int) ((v - lo) / step);
        return Math.max(0, Math.min(LEVELS - 1, c));
    }

    /** Maps a file written by {@link #encode}, checked against the {@code count} rows of {@code dimension} the pool has. */
    public static Sq8Rows open(Path path, long count, int dimension) {
        return open(path, count, dimension, false);
    }

    /**
     * As {@link #open(Path, long, int)}; {@code preload}: reads the whole file into the page cache now (one sequential
     * pass) rather than a random page at a time under the first queries.
     */
    public static Sq8Rows open(Path path, long count, int dimension, boolean preload) {
        if (count < 0 || dimension < 1) {
            throw new IllegalArgumentException("sq8 rows need count >= 0 and dimension >= 1");
        }
        return MappedFiles.map(path, fileBytes(count, dimension), "sq8 rows", count + " rows of " + dimension, (arena, seg) -> {
            byte[] magic = seg.asSlice(0, MAGIC.length).toArray(ValueLayout.JAVA_BYTE);
            if (!Arrays.equals(magic, MAGIC) || seg.get(I64, 8) != count || seg.get(I32, 16) != dimension) {
                throw new PoolException(PoolException.SIZE, "sq8 rows " + path + " are not " + count + " rows of " + dimension
                        + " in this format");
            }
            float[] min = new float[dimension];
            float[] step = new float[dimension];
            MemorySegment.copy(seg, FP32, HEADER_BYTES, min, 0, dimension);
            MemorySegment.copy(seg, FP32, HEADER_BYTES + 4L * dimension, step, 0, dimension);
            for (int i = 0; i < dimension; i++) {
                if (!Float.isFinite(min[i]) || !(step[i] > 0) || !Float.isFinite(step[i])) {
                    throw new PoolException(PoolException.SIZE, "sq8 rows " + path + ": dimension " + i + " has no valid range");
                }
            }
            if (preload) {
                seg.load();
            }
            return new Sq8Rows(arena, seg, rowsOffset(dimension), count, dimension, min, step);
        });
    }

    public long count() {
        return count;
    }

    public int dimension() {
        return dimension;
    }

    /**
     * A query prepared for scoring: {@code weights[i] = query[i] * step[i]} and, last, the constant
     * {@code sum(query[i] * (min[i] + step[i] / 2))}, so that a row's inner product is one pass over its codes.
     */
    public float[] prepare(float[] query) {
        if (query.length != dimension) {
            throw new IllegalArgumentException("query of dimension " + query.length + ", sq8 rows have " + dimension);
        }
        float[] w = new float[dimension + 1];
        double c = 0;
        for (int i = 0; i < dimension; i++) {
            w[i] = query[i] * step[i];
            c += (double) query[i] * (min[i] + 0.5 * step[i]);
        }
        w[dimension] = (float) c;
        return w;
    }

    /** Inner product of row {@code row}'s decoded vector with the query {@code prepared} stands for. */
    public float dot(long row, float[] prepared) {
        if (row < 0 || row >= count) {
            throw new IndexOutOfBoundsException("row " + row + " of " + count);
        }
        if (prepared.length != dimension + 1) {
            throw new IllegalArgumentException("a prepared query has " + (dimension + 1) + " values, got " + prepared.length);
        }
        long base = rowsOffset + row * dimension;
        float sum = 0;
        for (int i = 0; i < dimension; i++) {
            sum += prepared[i] * (file.get(ValueLayout.JAVA_BYTE, base + i) & 0xFF);
        }
        return sum + prepared[dimension];
    }

    /** Row {@code row} decoded, into {@code out}. */
    public void row(long row, float[] out) {
        if (row < 0 || row >= count) {
            throw new IndexOutOfBoundsException("row " + row + " of " + count);
        }
        if (out.length != dimension) {
            throw new IllegalArgumentException("a row has " + dimension + " components, got room for " + out.length);
        }
        long base = rowsOffset + row * dimension;
        for (int i = 0; i < dimension; i++) {
            out[i] = min[i] + ((file.get(ValueLayout.JAVA_BYTE, base + i) & 0xFF) + 0.5f) * step[i];
        }
    }

    /** Bytes of the mapped file (header and rows). */
    public long bytes() {
        return file.byteSize();
    }

    @Override
    public void close() {
        arena.close();
    }
}
