package com.listinglens.pool;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.listinglens.catalog.Listing;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A pool's listings, off the Java heap: one memory-mapped file ({@code listings.bin}) written by
 * {@link ListingStoreWriter}. Opening it reads a small header and the dictionaries (category paths and brands, each
 * stored once); nothing is made per listing until a caller asks for one, so a pool of 50 million listings costs no
 * heap at load and only the pages of the listings a query finds become resident.
 *
 * <p>Layout (little-endian; offsets from the start of the file):
 * <pre>
 * header   128 bytes: magic "LLSTORE1", version, rows, and offset + size of each section
 * dict     category paths (a count, then per path its parts), then brands; code 0 of each is "none"
 * rows     32 bytes per listing: heap offset (8), category code (4), brand code (4), price (8), weight grams (8); NaN: none
 * slots    open-addressing table of listing ids, a power of two of longs: (32-bit id hash &lt;&lt; 32) | (row + 1), 0 empty
 * heap     per listing: id, image, title, extra fields as JSON; each a varint byte count (title, extra: count + 1, 0 none)
 * </pre>
 * Every offset read from the file is bounds-checked by the memory segment, so a damaged file gives an exception, never
 * a crash; {@link #open} checks the header's section layout against the file's size.
 */
public final class ListingStore implements AutoCloseable {

    static final byte[] MAGIC = "LLSTORE1".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int HEADER_BYTES = 128;
    static final int ROW_BYTES = 32;
    /** Most listings one store holds (rows are ints in the rest of the service, and ids are 32-bit in a slot). */
    public static final long MAX_ROWS = Integer.MAX_VALUE - 1L;

    static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Arena arena;
    private final MemorySegment file;
    private final long rows;
    private final MemorySegment rowTable;
    private final MemorySegment slots;
    private final long slotMask;
    private final MemorySegment heap;
    private final List<List<String>> categories;
    private final List<String> brands;

    private ListingStore(Arena arena, MemorySegment file, String name) {
        this.arena = arena;
        this.file = file;
        if (file.byteSize() < HEADER_BYTES || !Arrays.equals(file.asSlice(0, 8).toArray(ValueLayout.JAVA_BYTE), MAGIC)) {
            throw new PoolException(PoolException.UNKNOWN_FORMAT, "listing store " + name + " is not a Listing Lens listing store");
        }
        int version = file.get(INT, 8);
        if (version != VERSION) {
            throw new PoolException(PoolException.UNKNOWN_FORMAT, "listing store " + name + " has format version " + version
                    + "; this service reads version " + VERSION);
        }
        rows = file.get(LONG, 16);
        if (rows < 0 || rows > MAX_ROWS) {
            throw invalid(name, "row count " + rows);
        }
        MemorySegment dict = section(file, name, 24, "dictionaries");
        rowTable = section(file, name, 40, "rows");
        slots = section(file, name, 56, "id slots");
        heap = section(file, name, 72, "heap");
        if (rowTable.byteSize() != rows * ROW_BYTES) {
            throw invalid(name, "row table of " + rowTable.byteSize() + " bytes for " + rows + " rows");
        }
        long slotCount = slots.byteSize() / 8;
        if (slots.byteSize() % 8 != 0 || Long.bitCount(slotCount) != 1 || slotCount < rows + 1) {
            throw invalid(name, "id table of " + slots.byteSize() + " bytes for " + rows + " rows");
        }
        slotMask = slotCount - 1;
        long[] at = {0};
        try {
            int categoryCount = dictCount(dict, at, name);
            List<List<String>> cats = new ArrayList<>(categoryCount);
            for (int c = 0; c < categoryCount; c++) {
                int parts = dictCount(dict, at, name);
                String[] path = new String[parts];
                for (int p = 0; p < parts; p++) {
                    path[p] = dictString(dict, at, name);
                }
                cats.add(List.of(path));
            }
            int brandCount = dictCount(dict, at, name);
            List<String> br = new ArrayList<>(brandCount);
            for (int b = 0; b < brandCount; b++) {
                br.add(dictString(dict, at, name));
            }
            if (cats.isEmpty() || !cats.get(0).isEmpty() || br.isEmpty() || !br.get(0).isEmpty()) {
                throw invalid(name, "dictionaries without their 'none' entries");
            }
            categories = List.copyOf(cats);
            brands = List.copyOf(br);
        } catch (IndexOutOfBoundsException e) {
            throw invalid(name, "dictionaries run past their section");
        }
    }

    /** Maps a store file read-only; its memory is released by {@link #close()}. */
    public static ListingStore open(Path path) {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            return new ListingStore(arena, seg, path.toString());
        } catch (IOException e) {
            arena.close();
            throw new PoolException("cannot map listing store " + path + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * A store written by {@code fill} into a temporary file that is unlinked once mapped (its disk space is freed with
     * the mapping): for listings that arrive as catalog lines rather than as a store.
     */
    public static ListingStore temporary(Consumer<ListingStoreWriter> fill) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile("lens-listings-", ".bin");
            try (ListingStoreWriter out = ListingStoreWriter.create(tmp)) {
                fill.accept(out);
                out.finish();
            }
            return open(tmp);
        } catch (IOException e) {
            throw new PoolException("cannot write a temporary listing store: " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the mapping keeps the unlinked file alive; a leftover temp file is only disk space
                }
            }
        }
    }

    /** A temporary store of these listings (see {@link #temporary(java.util.function.Consumer)}). */
    public static ListingStore of(Iterable<Listing> listings) {
        return temporary(w -> listings.forEach(w::add));
    }

    private static MemorySegment section(MemorySegment file, String name, long at, String what) {
        long offset = file.get(LONG, at);
        long size = file.get(LONG, at + 8);
        if (offset < HEADER_BYTES || size < 0 || offset > file.byteSize() || size > file.byteSize() - offset) {
            throw invalid(name, "its " + what + " section (" + offset + " + " + size + ") lies outside the file of "
                    + file.byteSize() + " bytes");
        }
        return file.asSlice(offset, size);
    }

    private static int dictCount(MemorySegment dict, long[] at, String name) {
        int n = dict.get(INT, at[0]);
        at[0] += 4;
        if (n < 0 || n > dict.byteSize()) {
            throw invalid(name, "dictionary count " + n);
        }
        return n;
    }

    private static String dictString(MemorySegment dict, long[] at, String name) {
        int n = dictCount(dict, at, name);
        String s = new String(dict.asSlice(at[0], n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        at[0] += n;
        return s;
    }

    private static PoolException invalid(String name, String why) {
        return new PoolException(PoolException.INVALID, "listing store " + name + " is damaged: " + why);
    }

    public long rows() {
        return rows;
    }

    /** Bytes of the store (mapped, not necessarily resident). */
    public long bytes() {
        return file.byteSize();
    }

    /** Category paths by code; code 0 is "no category". */
    public List<List<String>> categories() {
        return categories;
    }

    /** Brands as written by sellers, by code; code 0 is "no brand". */
    public List<String> brands() {
        return brands;
    }

    public int categoryCode(long row) {
        return rowTable.get(INT, checked(row) * ROW_BYTES + 8);
    }

    public int brandCode(long row) {
        return rowTable.get(INT, checked(row) * ROW_BYTES + 12);
    }

    /** Price, NaN when unknown. */
    public double price(long row) {
        return rowTable.get(DOUBLE, checked(row) * ROW_BYTES + 16);
    }

    /** The listing of a row, read from the store. */
    public Listing listing(long row) {
        long base = checked(row) * ROW_BYTES;
        long at = rowTable.get(LONG, base);
        int category = rowTable.get(INT, base + 8);
        int brand = rowTable.get(INT, base + 12);
        double price = rowTable.get(DOUBLE, base + 16);
        double weight = rowTable.get(DOUBLE, base + 24);
        if (category < 0 || category >= categories.size() || brand < 0 || brand >= brands.size()) {
            throw new PoolException(PoolException.INVALID, "listing store: row " + row + " has codes out of its dictionaries");
        }
        long[] pos = {at};
        String id = heapString(pos, false);
        String image = heapString(pos, false);
        String title = heapString(pos, true);
        String extraJson = heapString(pos, true);
        Map<String, Object> extra = Map.of();
        if (extraJson != null) {
            try {
                extra = JSON.readValue(extraJson, new TypeReference<Map<String, Object>>() { });
            } catch (IOException e) {
                throw new PoolException(PoolException.INVALID, "listing store: row " + row + " has unreadable extra fields");
            }
        }
        return new Listing(id, image, title, categories.get(category), brand == 0 ? null : brands.get(brand),
                Double.isNaN(weight) ? null : weight, Double.isNaN(price) ? null : price, extra);
    }

    /** The row of a listing id, or -1: one hash probe sequence over the id table, comparing stored id bytes. */
    public long row(String id) {
        byte[] key = id.getBytes(StandardCharsets.UTF_8);
        long h = hash(key);
        int tag = (int) (h >>> 32);
        long slot = h & slotMask;
        for (long probes = 0; probes <= slotMask; probes++) {
            long entry = slots.getAtIndex(LONG, slot);
            if (entry == 0) {
                return -1;
            }
            if ((int) (entry >>> 32) == tag) {
                long row = (entry & 0xFFFF_FFFFL) - 1;
                if (row >= 0 && row < rows && idEquals(row, key)) {
                    return row;
                }
            }
            slot = (slot + 1) & slotMask;
        }
        return -1;
    }

    private boolean idEquals(long row, byte[] key) {
        long[] pos = {rowTable.get(LONG, row * ROW_BYTES)};
        long n = varint(pos);
        if (n != key.length) {
            return false;
        }
        return MemorySegment.mismatch(heap, pos[0], pos[0] + n, MemorySegment.ofArray(key), 0, n) == -1;
    }

    private String heapString(long[] pos, boolean optional) {
        long n = varint(pos);
        if (optional) {
            if (n == 0) {
                return null;
            }
            n--;
        }
        if (n > Integer.MAX_VALUE - 16) {
            throw new PoolException(PoolException.INVALID, "listing store: a string of " + n + " bytes");
        }
        String s = new String(heap.asSlice(pos[0], n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        pos[0] += n;
        return s;
    }

    private long varint(long[] pos) {
        return varint(heap, pos);
    }

    /** The varint at {@code pos[0]} of {@code heap}, moving {@code pos[0]} past it. */
    static long varint(MemorySegment heap, long[] pos) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = heap.get(ValueLayout.JAVA_BYTE, pos[0]++);
            value |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return value;
            }
        }
        throw new PoolException(PoolException.INVALID, "listing store: a length runs past 64 bits");
    }

    private long checked(long row) {
        if (row < 0 || row >= rows) {
            throw new IndexOutOfBoundsException("row " + row + " of " + rows);
        }
        return row;
    }

    /** 64-bit FNV-1a of the id's bytes, finished with a murmur mix so that both halves are well spread. */
    static long hash(byte[] key) {
        long h = 0xcbf29ce484222325L;
        for (byte b : key) {
            h ^= b & 0xFF;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    @Override
    public void close() {
        arena.close();
    }
}
