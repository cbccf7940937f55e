package com.listinglens.pool;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The model's own embeddings of a pool's listings (before the pool's projection), one row per listing in index order,
 * as little-endian fp16: what tells "the same photo" apart from "the same product" once a projection has made photos
 * of one product alike. Memory-mapped read-only; only the rows of the listings a query finds are read.
 */
public final class PhotoVectors implements AutoCloseable {

    private static final ValueLayout.OfShort FP16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FP32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Arena arena;
    private final MemorySegment rows;
    private final long count;
    private final int dimension;
    /** 2: fp16 rows, 4: fp32 rows. */
    private final int bytes;

    private PhotoVectors(Arena arena, MemorySegment rows, long count, int dimension, int bytes) {
        this.arena = arena;
        this.rows = rows;
        this.count = count;
        this.dimension = dimension;
        this.bytes = bytes;
    }

    /** Writes {@code n} rows of {@code d} floats as fp16. */
    public static void write(Path file, float[] vectors, int n, int d) throws IOException {
        if (n < 0 || d < 1 || (long) n * d > vectors.length) {
            throw new IllegalArgumentException("photo vectors: " + n + " rows of " + d + " need " + (long) n * d
                    + " floats, got " + vectors.length);
        }
        ByteBuffer row = ByteBuffer.allocate(d * 2).order(ByteOrder.LITTLE_ENDIAN);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            for (int r = 0; r < n; r++) {
                row.clear();
                for (int i = 0; i < d; i++) {
                    row.putShort(Float.floatToFloat16(vectors[r * d + i]));
                }
                out.write(row.array(), 0, d * 2);
            }
        }
    }

    /** Maps a file of {@code count} fp16 rows of {@code dimension}; its size must be exactly that. */
    public static PhotoVectors open(Path file, long count, int dimension) {
        return open(file, count, dimension, 2);
    }

    /** Maps a file of {@code count} rows of {@code dimension} fp16 ({@code bytes} 2) or fp32 (4) components. */
    public static PhotoVectors open(Path file, long count, int dimension, int bytes) {
        if (bytes != 2 && bytes != 4) {
            throw new IllegalArgumentException("rows are fp16 (2 bytes) or fp32 (4), not " + bytes + " bytes a component");
        }
        if (count < 0 || dimension < 1) {
            throw new IllegalArgumentException("photo vectors need count >= 0 and dimension >= 1");
        }
        return MappedFiles.map(file, count * dimension * (long) bytes, "vectors",
                count + " rows of " + dimension + (bytes == 2 ? " fp16" : " fp32"),
                (arena, seg) -> new PhotoVectors(arena, seg, count, dimension, bytes));
    }

    public long count() {
        return count;
    }

    public int dimension() {
        return dimension;
    }

    /** Row {@code row} as floats, into {@code out}. */
    public void row(long row, float[] out) {
        if (row < 0 || row >= count) {
            throw new IndexOutOfBoundsException("row " + row + " of " + count);
        }
        if (out.length != dimension) {
            throw new IllegalArgumentException("a row has " + dimension + " components, got room for " + out.length);
        }
        long base = row * dimension * (long) bytes;
        if (bytes == 4) {
            MemorySegment.copy(rows, FP32, base, out, 0, dimension);
            return;
        }
        for (int i = 0; i < dimension; i++) {
            out[i] = Float.float16ToFloat(rows.get(FP16, base + 2L * i));
        }
    }

    /** Inner product of row {@code row} with {@code query} (cosine for unit vectors). */
    public float dot(long row, float[] query) {
        if (row < 0 || row >= count) {
            throw new IndexOutOfBoundsException("row " + row + " of " + count);
        }
        if (query.length != dimension) {
            throw new IllegalArgumentException("query of dimension " + query.length + ", photo vectors have " + dimension);
        }
        long base = row * dimension * (long) bytes;
        double sum = 0;
        if (bytes == 4) {
            for (int i = 0; i < dimension; i++) {
                sum += rows.get(FP32, base + 4L * i) * query[i];
            }
            return (float) sum;
        }
        for (int i = 0; i < dimension; i++) {
            sum += Float.float16ToFloat(rows.get(FP16, base + 2L * i)) * query[i];
        }
        return (float) sum;
    }

    @Override
    public void close() {
        arena.close();
    }
}
