package com.listinglens.app;

import com.listinglens.budget.Deadline;
import com.listinglens.image.OpenCv;
import com.listinglens.pipeline.SuggestPipeline;
import com.listinglens.pool.PoolManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.MatOfInt;
import org.opencv.imgcodecs.Imgcodecs;

/**
 * Runs synthetic photos through the whole pipeline before the service reports ready: two threads at once, so the
 * micro-batcher forms batches of one and of two photos, each photo new bytes (no cache involved), through decoding
 * at reduced scale, both views, the model and a search of a served pool. A failure here is logged, never fatal: the
 * service then starts cold.
 */
final class Warmup {

    private static final Logger LOG = Logger.getLogger(Warmup.class);
    private static final int THREADS = 2;

    private Warmup() {}

    /** @param pools a loaded pool to search, or null to warm up decoding and the model only */
    static void run(SuggestPipeline pipeline, PoolManager pools, int photos) {
        if (photos <= 0) {
            return;
        }
        long t0 = System.nanoTime();
        byte[][] jpegs = new byte[Math.min(photos, 4)][];
        for (int i = 0; i < jpegs.length; i++) {
            jpegs[i] = syntheticJpeg(1024, 768, i);
        }
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            Thread thread = Thread.ofPlatform().name("lens-warmup-" + t).start(() -> {
                int i;
                while ((i = next.getAndIncrement()) < photos) {
                    try {
                        byte[] photo = jpegs[i % jpegs.length];
                        if (pools != null) {
                            pipeline.suggest(List.of(photo), pools, Deadline.NONE);
                        } else {
                            pipeline.embed(List.of(photo), Deadline.NONE);
                        }
                    } catch (RuntimeException e) {
                        if (failed.getAndIncrement() == 0) {
                            LOG.warn("warm-up request failed (the service starts cold): " + e);
                        }
                    }
                }
            });
            threads.add(thread);
        }
        for (Thread thread : threads) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        LOG.infof("warmed up with %d synthetic photos (%d threads) in %.1f s%s", photos, THREADS, (System.nanoTime() - t0) / 1e9,
                failed.get() == 0 ? "" : ", " + failed.get() + " failed");
    }

    /** A photo-like JPEG: smooth gradients and seeded noise (real entropy-coded data, like a phone photo). */
    static byte[] syntheticJpeg(int w, int h, long seed) {
        OpenCv.ensureLoaded();
        Random random = new Random(seed);
        byte[] px = new byte[w * h * 3];
        for (int y = 0, i = 0; y < h; y++) {
            for (int x = 0; x < w; x++, i += 3) {
                int n = random.nextInt(16) - 8;
                px[i] = (byte) clamp(255 * x / w + n);
                px[i + 1] = (byte) clamp(255 * y / h + n);
                px[i + 2] = (byte) clamp(128 + (int) (90 * Math.sin((x + 2 * y + seed * 37) / 41.0)) + n);
            }
        }
        Mat m = new Mat(h, w, CvType.CV_8UC3);
        MatOfByte out = new MatOfByte();
        MatOfInt params = new MatOfInt(Imgcodecs.IMWRITE_JPEG_QUALITY, 90);
        try {
            m.put(0, 0, px);
            if (!Imgcodecs.imencode(".jpg", m, out, params)) {
                throw new IllegalStateException("OpenCV could not encode the warm-up photo");
            }
            return out.toArray();
        } finally {
            m.release();
            out.release();
            params.release();
        }
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }
}
