package com.listinglens.pool;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.listinglens.catalog.Listing;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
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
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Writes a {@link ListingStore} file while listings stream in: rows and strings go to two part files beside the
 * target as they come (only the dictionaries of category paths and brands stay in memory), and {@link #finish()}
 * assembles the store and fills its id table, refusing duplicate ids. Until {@code finish} returns, the target
 * does not exist; {@link #close()} removes the part files, and the target too when it was not finished.
 */
public final class ListingStoreWriter implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path target;
    private final Path rowsPart;
    private final Path heapPart;
    private final OutputStream rowsOut;
    private final OutputStream heapOut;
    private final ByteBuffer row = ByteBuffer.allocate(ListingStore.ROW_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteArrayOutputStream record = new ByteArrayOutputStream(256);
    private final Map<List<String>, Integer> categoryCodes = new HashMap<>();
    private final List<List<String>> categories = new ArrayList<>();
    private final Map<String, Integer> brandCodes = new HashMap<>();
    private final List<String> brands = new ArrayList<>();
    private long rows;
    private long heapBytes;
    private boolean finished;
    private boolean closed;

    private ListingStoreWriter(Path target) throws IOException {
        this.target = target;
        this.rowsPart = target.resolveSibling(target.getFileName() + ".rows-part");
        this.heapPart = target.resolveSibling(target.getFileName() + ".heap-part");
        Files.deleteIfExists(target);
        this.rowsOut = new BufferedOutputStream(Files.newOutputStream(rowsPart), 1 << 16);
        this.heapOut = new BufferedOutputStream(Files.newOutputStream(heapPart), 1 << 16);
        categories.add(List.of());
        categoryCodes.put(List.of(), 0);
        brands.add("");
        brandCodes.put("", 0);
    }

    /** Starts a store at {@code target} (replacing a file there once finished). */
    public static ListingStoreWriter create(Path target) {
        try {
            return new ListingStoreWriter(target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write listing store " + target + ": " + e.getMessage(), e);
        }
    }

    /** Writes the listings to a store file at {@code target}. */
    public static void write(Path target, Iterable<Listing> listings) {
        try (ListingStoreWriter w = create(target)) {
            for (Listing l : listings) {
                w.add(l);
            }
            w.finish();
        }
    }

    /** Appends a listing; returns its row. */
    public long add(Listing listing) {
        if (finished || closed) {
            throw new IllegalStateException("listing store " + target + " is already finished");
        }
        if (rows >= ListingStore.MAX_ROWS) {
            throw new PoolException("a listing store holds at most " + ListingStore.MAX_ROWS + " listings");
        }
        int category = categoryCodes.computeIfAbsent(listing.category(), c -> {
            categories.add(c);
            return categories.size() - 1;
        });
        int brand = listing.brand() == null ? 0 : brandCodes.computeIfAbsent(listing.brand(), b -> {
            brands.add(b);
            return brands.size() - 1;
        });
        record.reset();
        string(listing.id(), false);
        string(listing.image(), false);
        string(listing.title(), true);
        String extra = null;
        if (!listing.extra().isEmpty()) {
            try {
                extra = JSON.writeValueAsString(listing.extra());
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("listing " + listing.id() + ": extra fields cannot be written", e);
            }
        }
        string(extra, true);
        row.clear();
        row.putLong(heapBytes).putInt(category).putInt(brand)
                .putDouble(listing.price() == null ? Double.NaN : listing.price())
                .putDouble(listing.weightGrams() == null ? Double.NaN : listing.weightGrams());
        try {
            rowsOut.write(row.array(), 0, ListingStore.ROW_BYTES);
            record.writeTo(heapOut);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write listing store " + target + ": " + e.getMessage(), e);
        }
        heapBytes += record.size();
        return rows++;
    }

    public long rows() {
        return rows;
    }

    private void string(String s, boolean optional) {
        if (s == null) {
            varint(0);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        varint(optional ? b.length + 1L : b.length);
        record.writeBytes(b);
    }

    private void varint(long v) {
        while ((v & ~0x7FL) != 0) {
            record.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        record.write((int) v);
    }

    /** Id table size for {@code rows}: a power of two, at most three quarters full. */
    static long slotCount(long rows) {
        long want = Math.max(2, rows + rows / 3 + 1);
        return Long.highestOneBit(want - 1) << 1;
    }

    /** Assembles the store file; a duplicate id fails the whole store. */
    public void finish() {
        if (finished) {
            return;
        }
        try {
            rowsOut.close();
            heapOut.close();
            byte[] dict = dictionaries();
            long dictOffset = ListingStore.HEADER_BYTES;
            long rowsOffset = align(dictOffset + dict.length);
            long rowBytes = rows * ListingStore.ROW_BYTES;
            long slotsOffset = align(rowsOffset + rowBytes);
            long slotBytes = slotCount(rows) * 8;
            long heapOffset = slotsOffset + slotBytes;
            ByteBuffer header = ByteBuffer.allocate(ListingStore.HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            header.put(ListingStore.MAGIC).putInt(ListingStore.VERSION).putInt(0).putLong(rows)
                    .putLong(dictOffset).putLong(dict.length)
                    .putLong(rowsOffset).putLong(rowBytes)
                    .putLong(slotsOffset).putLong(slotBytes)
                    .putLong(heapOffset).putLong(heapBytes);
            header.clear();
            Path part = target.resolveSibling(target.getFileName() + ".part");
            try (FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                writeFully(out, header, 0);
                writeFully(out, ByteBuffer.wrap(dict), dictOffset);
                copy(rowsPart, out, rowsOffset);
                copy(heapPart, out, heapOffset);
                if (out.size() < heapOffset + heapBytes) {
                    writeFully(out, ByteBuffer.allocate(0), heapOffset + heapBytes);
                }
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment file = out.map(FileChannel.MapMode.READ_WRITE, 0, heapOffset + heapBytes, arena);
                    fillSlots(file.asSlice(rowsOffset, rowBytes), file.asSlice(slotsOffset, slotBytes),
                            file.asSlice(heapOffset, heapBytes));
                    file.force();
                }
            } catch (RuntimeException | IOException e) {
                Files.deleteIfExists(part);
                throw e;
            }
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            finished = true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write listing store " + target + ": " + e.getMessage(), e);
        } finally {
            deleteParts();
        }
    }

    private void fillSlots(MemorySegment rowTable, MemorySegment slots, MemorySegment heap) {
        long mask = slots.byteSize() / 8 - 1;
        for (long r = 0; r < rows; r++) {
            long at = rowTable.get(ListingStore.LONG, r * ListingStore.ROW_BYTES);
            long[] pos = {at};
            long n = ListingStore.varint(heap, pos);
            byte[] id = heap.asSlice(pos[0], n).toArray(ValueLayout.JAVA_BYTE);
            long h = ListingStore.hash(id);
            int tag = (int) (h >>> 32);
            long slot = h & mask;
            while (true) {
                long entry = slots.getAtIndex(ListingStore.LONG, slot);
                if (entry == 0) {
                    slots.setAtIndex(ListingStore.LONG, slot, ((long) tag << 32) | (r + 1));
                    break;
                }
                if ((int) (entry >>> 32) == tag) {
                    long other = (entry & 0xFFFF_FFFFL) - 1;
                    long[] p2 = {rowTable.get(ListingStore.LONG, other * ListingStore.ROW_BYTES)};
                    long n2 = ListingStore.varint(heap, p2);
                    if (n2 == n && MemorySegment.mismatch(heap, p2[0], p2[0] + n2, heap, pos[0], pos[0] + n) == -1) {
                        throw new PoolException("duplicate listing id '" + new String(id, StandardCharsets.UTF_8)
                                + "' (listings " + other + " and " + r + ")");
                    }
                }
                slot = (slot + 1) & mask;
            }
        }
    }

    private byte[] dictionaries() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer four = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        IntConsumer putInt = v -> out.write(four.clear().putInt(v).array(), 0, 4);
        putInt.accept(categories.size());
        for (List<String> path : categories) {
            putInt.accept(path.size());
            for (String part : path) {
                byte[] b = part.getBytes(StandardCharsets.UTF_8);
                putInt.accept(b.length);
                out.writeBytes(b);
            }
        }
        putInt.accept(brands.size());
        for (String brand : brands) {
            byte[] b = brand.getBytes(StandardCharsets.UTF_8);
            putInt.accept(b.length);
            out.writeBytes(b);
        }
        return out.toByteArray();
    }

    private static long align(long offset) {
        return (offset + 7) & ~7L;
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer, long position) throws IOException {
        if (!buffer.hasRemaining()) {
            // extends the file to position (sparse) by writing its last byte
            out.write(ByteBuffer.wrap(new byte[1]), position - 1);
            return;
        }
        while (buffer.hasRemaining()) {
            position += out.write(buffer, position);
        }
    }

    private static void copy(Path from, FileChannel out, long position) throws IOException {
        try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ)) {
            long size = in.size();
            long done = 0;
            while (done < size) {
                done += out.transferFrom(in.position(done), position + done, size - done);
            }
        }
    }

    private void deleteParts() {
        try {
            Files.deleteIfExists(rowsPart);
            Files.deleteIfExists(heapPart);
        } catch (IOException ignored) {
            // best effort: part files beside a finished or abandoned store
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            rowsOut.close();
            heapOut.close();
        } catch (IOException ignored) {
            // closing part files that are deleted next
        }
        deleteParts();
        if (!finished) {
            try {
                Files.deleteIfExists(target.resolveSibling(target.getFileName() + ".part"));
            } catch (IOException ignored) {
                // best effort
            }
        }
    }
}
