import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closed-loop load at fixed concurrency on POST /v1/suggestions with a 1024-px JPEG made from a real photo: every
 * request new bytes (a counter in a JPEG comment), so none is answered from the cache. Prints throughput, p50/p99
 * of the round trip, the answers by status and the client's own CPU per request (it shares the machine with the
 * service; {@link LoadClient} keeps that small), with progress every 10 s.
 * Usage: java bench/ThroughputBench.java URL SOURCE_PHOTO CONCURRENCY SECONDS WARMUP_SECONDS
 */
public class ThroughputBench {

    public static void main(String[] args) throws Exception {
        String url = args[0];
        BufferedImage src = ImageIO.read(Path.of(args[1]).toFile());
        int concurrency = Integer.parseInt(args[2]);
        double seconds = Double.parseDouble(args[3]);
        double warmup = Double.parseDouble(args[4]);
        byte[] photo = jpeg(scale(src, 1024, 1024));
        URI base = URI.create(url);
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime();
        AtomicLong sent = new AtomicLong();
        long start = System.nanoTime();
        long measureFrom = start + (long) (warmup * 1e9);
        long end = measureFrom + (long) (seconds * 1e9);
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
        AtomicLong failures = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < concurrency; c++) {
            int client = c;
            Thread t = new Thread(() -> {
                LoadClient http = new LoadClient(base);
                LoadClient.PhotoRequest request = new LoadClient.PhotoRequest(base, "/v1/suggestions", photo,
                        "lens-bench-" + start + "-" + client);
                long n = 0;
                while (System.nanoTime() < end) {
                    byte[] body = request.with(n++);
                    long t0 = System.nanoTime();
                    int status;
                    try {
                        status = http.send(body);
                        sent.incrementAndGet();
                    } catch (Exception e) {
                        status = -1;
                        failures.incrementAndGet();
                    }
                    long t1 = System.nanoTime();
                    if (t0 >= measureFrom && t1 <= end) {
                        latencies.add((t1 - t0) / 1e6);
                        statuses.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
                    }
                }
            });
            t.start();
            threads.add(t);
        }
        long nextReport = start + 10_000_000_000L;
        while (threads.stream().anyMatch(Thread::isAlive)) {
            Thread.sleep(200);
            if (System.nanoTime() > nextReport) {
                System.err.printf(Locale.ROOT, "throughput: %.0f s, %d requests measured%n", (System.nanoTime() - start) / 1e9, latencies.size());
                nextReport += 10_000_000_000L;
            }
        }
        List<Double> sorted = new ArrayList<>(latencies);
        sorted.sort(Double::compare);
        long ok = statuses.getOrDefault(200, new AtomicLong()).get();
        double clientCpuMs = (((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime() - cpu0) / 1e6;
        System.out.printf(Locale.ROOT, "concurrency %d, %.0f s after %.0f s warm-up: %d requests, %.2f answers/s (200), "
                        + "p50 %.1f ms, p99 %.1f ms, statuses %s, transport failures %d; client CPU %.2f ms per request%n",
                concurrency, seconds, warmup, sorted.size(), ok / seconds,
                sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() / 2),
                sorted.isEmpty() ? Double.NaN : sorted.get(Math.max(0, (int) Math.ceil(0.99 * sorted.size()) - 1)),
                statuses, failures.get(), clientCpuMs / Math.max(1, sent.get()));
    }

    static BufferedImage scale(BufferedImage src, int w, int h) {
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        g.drawImage(src, 0, 0, w, h, null);
        g.dispose();
        return out;
    }

    static byte[] jpeg(BufferedImage image) throws Exception {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0.9f);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            writer.write(null, new IIOImage(image, null, null), param);
        }
        writer.dispose();
        return out.toByteArray();
    }
}
