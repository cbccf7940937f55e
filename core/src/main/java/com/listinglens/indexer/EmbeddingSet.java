package com.listinglens.indexer;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.listinglens.catalog.Listing;
import com.listinglens.catalog.ListingJson;
import com.listinglens.pool.PoolException;
import com.listinglens.vector.FaissIndex;

import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
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

/**
 * Embeddings made elsewhere (another machine, a GPU box, a Spark job), ready to be pooled: a directory of
 * <ul>
 *   <li>{@code embeddings.json}: what they are (space, model, dimension, count, and the projection they were made
 *       with, if any);</li>
 *   <li>{@code embeddings.f32}: {@code count} rows of {@code dimension} little-endian float32, one per listing;</li>
 *   <li>{@code listings.jsonl}: the listings as catalog lines, line i for row i.</li>
 * </ul>
 * A set is opened memory-mapped: its rows are read in batches, never all onto the heap. A {@link Writer} streams a
 * set out and writes {@code embeddings.json} last, so a set without it is incomplete and refused.
 */
public final class EmbeddingSet implements AutoCloseable {

    public static final String INFO = "embeddings.json";
    public static final String VECTORS = "embeddings.f32";
    public static final String LISTINGS = "listings.jsonl";
    public static final int FORMAT = 1;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .findAndRegisterModules();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * What a set holds. {@code projectionSha256}: the sha-256 of the projection file the rows were projected with
     * (null: the rows are the model's own embeddings).
     */
    public record Info(int format, String space, String model, int dimension, long count,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String projectionSha256) {
    }

    private final Path dir;
    private final Info info;
    private final Arena arena;
    private final MemorySegment rows;

    private EmbeddingSet(Path dir, Info info, Arena arena, MemorySegment rows) {
        this.dir = dir;
        this.info = info;
        this.arena = arena;
        this.rows = rows;
    }

    /** Opens a set, checking that its files agree with its description. */
    public static EmbeddingSet open(Path dir) {
        Path infoFile = dir.resolve(INFO);
        if (!Files.isRegularFile(infoFile)) {
            throw new PoolException("no embedding set at " + dir + ": " + INFO + " is missing (an unfinished or interrupted export)");
        }
        Info info;
        try {
            info = JSON.readValue(infoFile.toFile(), Info.class);
        } catch (IOException e) {
            throw new PoolException("embedding set " + dir + ": " + INFO + " cannot be read: " + e.getMessage(), e);
        }
        if (info.format() != FORMAT) {
            throw new PoolException(PoolException.UNKNOWN_FORMAT, "embedding set " + dir + " has format " + info.format()
                    + "; this build reads format " + FORMAT);
        }
        if (info.dimension() < 1 || info.dimension() > FaissIndex.MAX_DIMENSION || info.count() < 1
                || info.count() > FaissIndex.MAX_COUNT || info.space() == null || info.space().isBlank()) {
            throw new PoolException("embedding set " + dir + ": " + INFO + " needs a space, a dimension in 1.."
                    + FaissIndex.MAX_DIMENSION + " and a count in 1.." + FaissIndex.MAX_COUNT);
        }
        Path vectors = dir.resolve(VECTORS);
        if (!Files.isRegularFile(dir.resolve(LISTINGS))) {
            throw new PoolException("embedding set " + dir + ": " + LISTINGS + " is missing");
        }
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(vectors, StandardOpenOption.READ)) {
            long expected = info.count() * info.dimension() * 4L;
            if (ch.size() != expected) {
                throw new PoolException(PoolException.SIZE, "embedding set " + dir + ": " + VECTORS + " holds " + ch.size()
                        + " bytes; " + info.count() + " rows of " + info.dimension() + " float32 need " + expected);
            }
            return new EmbeddingSet(dir, info, arena, ch.map(FileChannel.MapMode.READ_ONLY, 0, expected, arena));
        } catch (IOException e) {
            arena.close();
            throw new PoolException("embedding set " + dir + ": cannot map " + VECTORS + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public Info info() {
        return info;
    }

    public Path dir() {
        return dir;
    }

    public Path listings() {
        return dir.resolve(LISTINGS);
    }

    public long count() {
        return info.count();
    }

    public int dimension() {
        return info.dimension();
    }

    /** Copies rows {@code from .. from + n} into {@code out} (at least n * dimension floats). */
    public void read(long from, int n, float[] out) {
        if (from < 0 || n < 0 || from + n > info.count() || (long) n * info.dimension() > out.length) {
            throw new IndexOutOfBoundsException("rows " + from + " + " + n + " of " + info.count());
        }
        MemorySegment.copy(rows, FLOAT, from * info.dimension() * 4L, out, 0, n * info.dimension());
    }

    /** Copies one row into {@code out} at {@code offset}. */
    public void row(long row, float[] out, int offset) {
        MemorySegment.copy(rows, FLOAT, row * info.dimension() * 4L, out, offset, info.dimension());
    }

    @Override
    public void close() {
        arena.close();
    }

    /** {@code n} floats of {@code v} from {@code offset} as little-endian fp32, the layout of {@link #VECTORS}. */
    /** Writes {@code n} floats of {@code v} from {@code offset}, little-endian, a chunk of at most 1M floats at a time. */
    static void writeFloats(OutputStream out, float[] v, int offset, int n) throws IOException {
        int chunk = Math.max(1, Math.min(n, 1 << 20));
        ByteBuffer bytes = ByteBuffer.allocate(chunk * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int from = 0; from < n; from += chunk) {
            int k = Math.min(chunk, n - from);
            bytes.clear();
            bytes.asFloatBuffer().put(v, offset + from, k);
            out.write(bytes.array(), 0, k * 4);
        }
    }

    /** Streams a set to a directory; {@link #finish()} writes its description, making it complete. */
    public static final class Writer implements AutoCloseable {
        private final Path dir;
        private final String space;
        private final String model;
        private final int dimension;
        private final String projectionSha256;
        private final OutputStream vectors;
        private final BufferedWriter listings;
        private long count;
        private boolean finished;

        public Writer(Path dir, String space, String model, int dimension, String projectionSha256) {
            this.dir = dir;
            this.space = space;
            this.model = model;
            this.dimension = dimension;
            this.projectionSha256 = projectionSha256;
            try {
                Files.createDirectories(dir);
                Files.deleteIfExists(dir.resolve(INFO));
                this.vectors = new BufferedOutputStream(Files.newOutputStream(dir.resolve(VECTORS)), 1 << 20);
                this.listings = Files.newBufferedWriter(dir.resolve(LISTINGS), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write embedding set " + dir + ": " + e.getMessage(), e);
            }
        }

        /** Appends a listing and its embedding ({@code dimension} floats from {@code offset}). */
        public void add(Listing listing, float[] embedding, int offset) {
            try {
                writeFloats(vectors, embedding, offset, dimension);
                listings.write(ListingJson.toLine(listing));
                listings.write('\n');
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write embedding set " + dir + ": " + e.getMessage(), e);
            }
            count++;
        }

        public long count() {
            return count;
        }

        public void finish() {
            try {
                vectors.close();
                listings.close();
                JSON.writeValue(dir.resolve(INFO).toFile(), new Info(FORMAT, space, model, dimension, count, projectionSha256));
                finished = true;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write embedding set " + dir + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            if (!finished) {
                try {
                    vectors.close();
                    listings.close();
                } catch (IOException ignored) {
                    // an unfinished set has no description and is refused anyway
                }
            }
        }
    }
}
