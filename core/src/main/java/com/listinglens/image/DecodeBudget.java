package com.listinglens.image;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The memory that decodes may hold at once, in bytes: each decode is admitted with its estimated peak (decoded pixels
 * x {@link #bytesPerPixel bytes per pixel} of its format), held until its {@link DecodedImage} is closed. A decode
 * that does not fit waits up to {@code wait} for others to finish, then is refused with {@link DecodeBusyException}
 * (the service answers 503 with Retry-After); one that could never fit, even alone, is refused as too many pixels. So
 * however many uploads arrive at once, decoding never holds more than the budget: sixteen 40-megapixel GIF or PNG
 * bombs wait their turn instead of taking the pod's memory.
 *
 * <p>{@link #unlimited()} admits everything (the command-line tools, whose concurrency is their thread count).
 */
public final class DecodeBudget {

    private final long capacity;
    private final Duration wait;
    private final long largePixels;
    private final int maxLarge;
    private int large;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition freed = lock.newCondition();
    private long used;
    private long refused;

    /** Refused: the budget is held by other decodes for longer than the wait. */
    public static final class DecodeBusyException extends RuntimeException {
        public DecodeBusyException(String message) {
            super(message);
        }
    }

    /** A decode's share of the budget, given back once (idempotent). */
    public final class Permit implements AutoCloseable {
        private final long bytes;
        private final boolean isLarge;
        private boolean released;

        private Permit(long bytes, boolean isLarge) {
            this.bytes = bytes;
            this.isLarge = isLarge;
        }

        public long bytes() {
            return bytes;
        }

        @Override
        public void close() {
            lock.lock();
            try {
                if (!released) {
                    released = true;
                    used -= bytes;
                    if (isLarge) {
                        large--;
                    }
                    freed.signalAll();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    public DecodeBudget(long capacity, Duration wait) {
        this(capacity, wait, Long.MAX_VALUE, Integer.MAX_VALUE);
    }

    /**
     * @param largePixels decodes of more pixels than this (after a JPEG's DCT reduction: in practice huge PNG, WebP,
     *     GIF or BMP files) are "large": each costs about a second of CPU at 40 MP
     * @param maxLarge large decodes at once; one more is refused at once (busy), so that a flood of such uploads can
     *     take at most that many cores from the other requests
     */
    public DecodeBudget(long capacity, Duration wait, long largePixels, int maxLarge) {
        if (capacity < 1 || wait == null || wait.isNegative() || largePixels < 1 || maxLarge < 1) {
            throw new IllegalArgumentException("a decode budget needs capacity >= 1 byte, a wait >= 0, largePixels >= 1 and maxLarge >= 1");
        }
        this.capacity = capacity;
        this.wait = wait;
        this.largePixels = largePixels;
        this.maxLarge = maxLarge;
    }

    /** Admits every decode at once (no budget). */
    public static DecodeBudget unlimited() {
        return new DecodeBudget(Long.MAX_VALUE, Duration.ZERO);
    }

    /**
     * The automatic budget: a quarter of the memory this process may use (the cgroup's memory.max when one is set,
     * else the machine's memory), so that decodes, the heap, the model and the pool share a container's limit.
     */
    public static long automaticCapacity() {
        long limit = cgroupLimit().orElse(physicalMemory());
        return Math.max(256L << 20, limit / 4);
    }

    /**
     * Peak bytes per decoded pixel while a format is decoded here (see {@link ImageDecoder}): the decoder's own output
     * plus the RGB copy made from it (and the oriented copy, which replaces one of them). GIF: the JDK reader's
     * 1-byte indexed raster and the RGB Mat. With alpha: OpenCV keeps 4 channels of up to 16 bits (8 bytes) before
     * compositing into 3.
     */
    public static int bytesPerPixel(ImageHeader header) {
        if (header.format() == ImageFormat.GIF) {
            return 4;
        }
        return header.hasAlpha() ? 11 : 6;
    }

    /**
     * Takes {@code bytes} of the budget, waiting up to the configured wait for them.
     *
     * @throws ImageRejectedException (too many pixels) when it exceeds the whole budget
     * @throws DecodeBusyException when it does not fit in time
     */
    public Permit acquire(long bytes) {
        return acquire(bytes, 0, wait);
    }

    /**
     * Takes {@code bytes} of the budget for a decode of {@code pixels}, waiting up to {@code maxWait} (at most the
     * configured wait: pass what is left of the request's deadline) for them; a large decode beyond
     * {@code maxLarge} is refused at once.
     *
     * @throws ImageRejectedException (too many pixels) when it exceeds the whole budget
     * @throws DecodeBusyException when it does not fit in time
     */
    public Permit acquire(long bytes, long pixels, Duration maxWait) {
        if (bytes > capacity) {
            throw new ImageRejectedException(ImageRejectedException.Reason.TOO_MANY_PIXELS, String.format(Locale.ROOT,
                    "Decoding this image needs about %d MB, more than the %d MB this service decodes at once "
                            + "(lens.image.decode-budget).", bytes >> 20, capacity >> 20));
        }
        long deadline = System.nanoTime() + Math.min(wait.toNanos(), Math.max(0, maxWait.toNanos()));
        boolean isLarge = pixels > largePixels;
        lock.lock();
        try {
            if (isLarge && large >= maxLarge) {
                refused++;
                throw new DecodeBusyException(String.format(Locale.ROOT, "the service is decoding %d image(s) of more than %d "
                        + "megapixels already (lens.image.large-decodes); this one has %.1f", large, largePixels / 1_000_000,
                        pixels / 1e6));
            }
            while (used + bytes > capacity) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    refused++;
                    throw new DecodeBusyException(String.format(Locale.ROOT, "the service is decoding %d MB of images already "
                            + "(lens.image.decode-budget %d MB); this one needs %d MB", used >> 20, capacity >> 20, bytes >> 20));
                }
                try {
                    freed.awaitNanos(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new DecodeBusyException("interrupted while waiting to decode");
                }
            }
            used += bytes;
            if (isLarge) {
                large++;
            }
            return new Permit(bytes, isLarge);
        } finally {
            lock.unlock();
        }
    }

    public long capacity() {
        return capacity;
    }

    /** Bytes held by decodes now. */
    public long used() {
        lock.lock();
        try {
            return used;
        } finally {
            lock.unlock();
        }
    }

    /** Decodes refused for want of room since start. */
    public long refused() {
        lock.lock();
        try {
            return refused;
        } finally {
            lock.unlock();
        }
    }

    /** The memory limit of this process's cgroup (v2 memory.max or v1 memory.limit_in_bytes), if it has one. */
    private static OptionalLong cgroupLimit() {
        List<Path> candidates = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
                String[] f = line.split(":", 3); // "0::/path" (v2) or "N:memory:/path" (v1)
                if (f.length == 3 && f[1].isEmpty()) {
                    candidates.add(Path.of("/sys/fs/cgroup" + f[2], "memory.max"));
                } else if (f.length == 3 && Arrays.asList(f[1].split(",")).contains("memory")) {
                    candidates.add(Path.of("/sys/fs/cgroup/memory" + f[2], "memory.limit_in_bytes"));
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc: the mount points below are all there is to read
        }
        candidates.add(Path.of("/sys/fs/cgroup/memory.max"));
        candidates.add(Path.of("/sys/fs/cgroup/memory/memory.limit_in_bytes"));
        for (Path p : candidates) {
            try {
                String v = Files.readString(p).strip();
                if (!v.equals("max")) {
                    long bytes = Long.parseLong(v);
                    if (bytes > 0 && bytes < (1L << 50)) {
                        return OptionalLong.of(bytes);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // not this cgroup version, or no limit
            }
        }
        return OptionalLong.empty();
    }

    private static long physicalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return Runtime.getRuntime().maxMemory() * 4;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "DecodeBudget[%d MB, wait %d ms]", capacity >> 20, wait.toMillis());
    }
}
