package com.listinglens.pool;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Read-only memory maps of pool files that must hold an exact number of bytes. */
final class MappedFiles {

    /** What owns a mapped file: built from its arena and segment, closing the arena when closed. */
    @FunctionalInterface
    interface Owner<T> {
        T make(Arena arena, MemorySegment segment);
    }

    private MappedFiles() {
    }

    /**
     * Maps {@code file} in a new shared arena once it is found to hold exactly {@code expectedBytes} (else a
     * {@link PoolException} naming {@code what} and {@code layout}, the shape those bytes stand for) and hands both to
     * {@code owner}; on any failure, the owner's included, the arena is closed again.
     */
    static <T> T map(Path file, long expectedBytes, String what, String layout, Owner<T> owner) {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment seg = map(ch, file, expectedBytes, what, layout, arena);
            return owner.make(arena, seg);
        } catch (IOException e) {
            arena.close();
            throw new PoolException("cannot map " + what + " " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Maps the open {@code ch} into {@code arena} once it holds exactly {@code expectedBytes} (0 bytes: the null segment). */
    static MemorySegment map(FileChannel ch, Path file, long expectedBytes, String what, String layout, Arena arena) throws IOException {
        if (ch.size() != expectedBytes) {
            throw new PoolException(PoolException.SIZE, what + " " + file + " hold " + ch.size() + " bytes; " + layout + " need "
                    + expectedBytes);
        }
        return expectedBytes == 0 ? MemorySegment.NULL : ch.map(FileChannel.MapMode.READ_ONLY, 0, expectedBytes, arena);
    }
}
