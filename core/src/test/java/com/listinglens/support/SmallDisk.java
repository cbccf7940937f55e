package com.listinglens.support;

import com.listinglens.storage.S3BlobStore;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * A disk of a given size under a folder, for the disk-full drills without a mount: the downloads of an
 * {@link S3BlobStore} made with it, and {@link #create} for anything else, are written to real files under the
 * folder, and a write that would take the folder's files past {@link #size()} writes what fits, and the rest goes to
 * {@code /dev/full}, so the writer gets the kernel's own ENOSPC ("No space left on device"), as from a full tmpfs.
 */
public final class SmallDisk implements S3BlobStore.LocalFiles {

    private static final Path FULL = Path.of("/dev/full");

    private final Path root;
    private volatile long size;

    public SmallDisk(Path root, long size) {
        if (!Files.isWritable(FULL)) {
            throw new IllegalStateException(FULL + " is not writable: the drill needs the kernel's full device");
        }
        this.root = root.toAbsolutePath();
        this.size = size;
    }

    public long size() {
        return size;
    }

    /** Gives the disk another size (a grown volume). */
    public void resize(long bytes) {
        size = bytes;
    }

    /** Bytes the regular files under the folder hold now. */
    public long used() throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException gone) {
                    return 0;   // removed while counting
                }
            }).sum();
        }
    }

    @Override
    public OutputStream create(Path target) throws IOException {
        if (!target.toAbsolutePath().startsWith(root)) {
            throw new IllegalArgumentException(target + " is not on this disk (" + root + ")");
        }
        return new FilterOutputStream(Files.newOutputStream(target)) {
            @Override
            public void write(int b) throws IOException {
                write(new byte[]{(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                long room = size - used();
                if (len > room) {
                    // as a real disk does: what fits is written, then the write fails
                    if (room > 0) {
                        out.write(b, off, (int) room);
                        out.flush();
                    }
                    try (OutputStream full = Files.newOutputStream(FULL)) {
                        full.write(b, off, len);   // throws IOException: No space left on device
                        full.flush();
                    }
                    throw new IllegalStateException(FULL + " accepted a write");
                }
                out.write(b, off, len);
            }
        };
    }
}
