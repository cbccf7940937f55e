package com.listinglens.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Decodes admitted against a memory budget: they wait for room, are refused when none comes, and give it back. */
class DecodeBudgetTest {

    @Test
    void permitsAddUpAndAreGivenBackOnce() {
        DecodeBudget budget = new DecodeBudget(1000, Duration.ZERO);
        DecodeBudget.Permit a = budget.acquire(600);
        assertThat(budget.used()).isEqualTo(600);
        assertThatThrownBy(() -> budget.acquire(500)).isInstanceOf(DecodeBudget.DecodeBusyException.class)
                .hasMessageContaining("this one needs");
        assertThat(budget.refused()).isEqualTo(1);
        DecodeBudget.Permit b = budget.acquire(400);
        assertThat(budget.used()).isEqualTo(1000);
        a.close();
        a.close(); // idempotent
        assertThat(budget.used()).isEqualTo(400);
        b.close();
        assertThat(budget.used()).isZero();
    }

    @Test
    void moreThanTheWholeBudgetIsTooManyPixelsNotBusy() {
        DecodeBudget budget = new DecodeBudget(100 << 20, Duration.ofSeconds(5));
        assertThatThrownBy(() -> budget.acquire(200L << 20)).isInstanceOf(ImageRejectedException.class)
                .satisfies(e -> assertThat(((ImageRejectedException) e).reason()).isEqualTo(ImageRejectedException.Reason.TOO_MANY_PIXELS))
                .hasMessageContaining("200 MB").hasMessageContaining("100 MB");
    }

    @Test
    void aDecodeWaitsForRoomWithinItsWait() throws Exception {
        DecodeBudget budget = new DecodeBudget(1000, Duration.ofSeconds(10));
        DecodeBudget.Permit held = budget.acquire(900);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            CountDownLatch started = new CountDownLatch(1);
            Future<DecodeBudget.Permit> waiting = pool.submit(() -> {
                started.countDown();
                return budget.acquire(500);
            });
            started.await();
            Thread.sleep(100);
            assertThat(waiting).isNotDone();
            held.close();
            assertThat(waiting.get(5, TimeUnit.SECONDS).bytes()).isEqualTo(500);
            assertThat(budget.used()).isEqualTo(500);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theCostPerPixelFollowsTheFormat() {
        assertThat(DecodeBudget.bytesPerPixel(new ImageHeader(ImageFormat.JPEG, 10, 10, false))).isEqualTo(6);
        assertThat(DecodeBudget.bytesPerPixel(new ImageHeader(ImageFormat.PNG, 10, 10, true))).isEqualTo(11);
        assertThat(DecodeBudget.bytesPerPixel(new ImageHeader(ImageFormat.GIF, 10, 10, false))).isEqualTo(4);
        DecodeBudget oneGiB = new DecodeBudget(1L << 30, Duration.ZERO);
        // a 40 MP PNG with alpha fits one at a time; a 40 MP JPEG four at once
        assertThat(oneGiB.capacity() / DecodeBudget.bytesPerPixel(new ImageHeader(ImageFormat.PNG, 1, 1, true))).isGreaterThan(40_000_000L).isLessThan(100_000_000L);
        assertThat(DecodeBudget.automaticCapacity()).isGreaterThanOrEqualTo(256L << 20);
    }

    /** The decoder holds a photo's share until its image is closed, and gives it back when decoding fails. */
    @Test
    void theDecoderHoldsItsShareUntilTheImageIsClosed() throws Exception {
        DecodeBudget budget = new DecodeBudget(64L << 20, Duration.ZERO);
        ImageDecoder decoder = new ImageDecoder(ImageSettings.defaults()).withBudget(budget);
        byte[] jpeg = Files.readAllBytes(Path.of("test-images/quadrants-96x64.jpg"));
        try (DecodedImage image = decoder.decode(jpeg)) {
            assertThat(budget.used()).isEqualTo(96L * 64 * 6);
            assertThat(image.width()).isEqualTo(96);
        }
        assertThat(budget.used()).isZero();
        byte[] truncated = Files.readAllBytes(Path.of("test-images/truncated.jpg"));
        assertThatThrownBy(() -> decoder.decode(truncated)).isInstanceOf(ImageRejectedException.class);
        assertThat(budget.used()).isZero();
    }

    /** Many concurrent decodes of big photos never hold more than the budget; those that find no room in time are busy. */
    @Test
    void concurrentBigDecodesStayWithinTheBudget() throws Exception {
        byte[] gif = TestImageFixtures.gif(new java.awt.image.BufferedImage(2000, 1500, java.awt.image.BufferedImage.TYPE_BYTE_INDEXED), null);
        long perImage = 2000L * 1500 * 4;
        DecodeBudget budget = new DecodeBudget(perImage * 2, Duration.ofMillis(50));
        ImageDecoder decoder = new ImageDecoder(ImageSettings.defaults()).withBudget(budget);
        AtomicInteger busy = new AtomicInteger();
        AtomicInteger decoded = new AtomicInteger();
        long[] peak = {0};
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                all.add(pool.submit(() -> {
                    try (DecodedImage image = decoder.decode(gif)) {
                        synchronized (peak) {
                            peak[0] = Math.max(peak[0], budget.used());
                        }
                        decoded.incrementAndGet();
                        Thread.sleep(20);
                    } catch (DecodeBudget.DecodeBusyException e) {
                        busy.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(decoded.get() + busy.get()).isEqualTo(16);
        assertThat(decoded.get()).isPositive();
        assertThat(peak[0]).isLessThanOrEqualTo(budget.capacity());
        assertThat(budget.used()).isZero();
        assertThat(budget.refused()).isEqualTo(busy.get());
    }

    /**
     * A 40-megapixel GIF of a few KB: decoded through the reader's 1-byte indexed raster row by row, it allocates about
     * 40 MB of heap (the raster), not the 280-320 MB of a full-frame int[] plus a byte[] copy.
     */
    @Test
    void aGifBombAllocatesItsIndexedRasterOnly() {
        byte[] bomb = TestImageFixtures.gif(new java.awt.image.BufferedImage(8000, 5000, java.awt.image.BufferedImage.TYPE_BYTE_INDEXED), null);
        assertThat(bomb.length).isLessThan(200_000);
        ImageDecoder decoder = new ImageDecoder(ImageSettings.defaults());
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        try (DecodedImage image = decoder.decode(bomb)) {
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertThat(image.width()).isEqualTo(8000);
            assertThat(allocated).as("heap bytes allocated decoding a 40 MP GIF").isLessThan(100L << 20);
        }
    }

    /** Large decodes beyond the cap are refused at once, whatever room is left; small ones go on; the wait is bounded. */
    @Test
    void largeDecodesAreCappedAndTheWaitIsBoundedByTheCaller() {
        DecodeBudget budget = new DecodeBudget(1L << 30, Duration.ofSeconds(10), 16_000_000, 1);
        try (DecodeBudget.Permit big = budget.acquire(240L << 20, 40_000_000, Duration.ofSeconds(10))) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> budget.acquire(240L << 20, 40_000_000, Duration.ofSeconds(10)))
                    .isInstanceOf(DecodeBudget.DecodeBusyException.class).hasMessageContaining("lens.image.large-decodes");
            assertThat((System.nanoTime() - t0) / 1_000_000).as("refused without waiting").isLessThan(5_000);
            try (DecodeBudget.Permit small = budget.acquire(6L << 20, 1_000_000, Duration.ZERO)) {
                assertThat(budget.used()).isEqualTo((240L << 20) + (6L << 20));
            }
        }
        try (DecodeBudget.Permit again = budget.acquire(240L << 20, 40_000_000, Duration.ZERO)) {
            assertThat(again.bytes()).isEqualTo(240L << 20);
        }
        // the caller's bound (a request's remaining deadline) shortens the configured 10 s wait
        DecodeBudget full = new DecodeBudget(1000, Duration.ofSeconds(10));
        try (DecodeBudget.Permit held = full.acquire(1000)) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> full.acquire(10, 1, Duration.ofMillis(50))).isInstanceOf(DecodeBudget.DecodeBusyException.class);
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5_000);
        }
    }
}
