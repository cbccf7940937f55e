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
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
 * of the round trip and the answers by status, with progress every 10 s.
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
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        AtomicLong counter = new AtomicLong();
        long start = System.nanoTime();
        long measureFrom = start + (long) (warmup * 1e9);
        long end = measureFrom + (long) (seconds * 1e9);
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
        AtomicLong failures = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < concurrency; c++) {
            Thread t = new Thread(() -> {
                while (System.nanoTime() < end) {
                    byte[] body = withComment(photo, "lens-bench-" + start + "-" + counter.incrementAndGet());
                    long t0 = System.nanoTime();
                    int status;
                    try {
                        status = send(http, url, body);
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
        System.out.printf(Locale.ROOT, "concurrency %d, %.0f s after %.0f s warm-up: %d requests, %.2f answers/s (200), "
                        + "p50 %.1f ms, p99 %.1f ms, statuses %s, transport failures %d%n",
                concurrency, seconds, warmup, sorted.size(), ok / seconds,
                sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() / 2),
                sorted.isEmpty() ? Double.NaN : sorted.get(Math.max(0, (int) Math.ceil(0.99 * sorted.size()) - 1)),
                statuses, failures.get());
    }

    static int send(HttpClient http, String url, byte[] photo) throws Exception {
        String boundary = "lensbench" + System.nanoTime();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"p.jpg\"\r\n"
                + "Content-Type: image/jpeg\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        body.write(photo);
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/v1/suggestions"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build();
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** The JPEG with a COM segment after SOI: new bytes, same pixels. */
    static byte[] withComment(byte[] jpeg, String comment) {
        byte[] text = comment.getBytes(StandardCharsets.US_ASCII);
        int len = text.length + 2;
        byte[] out = new byte[jpeg.length + 4 + text.length];
        out[0] = jpeg[0];
        out[1] = jpeg[1];
        out[2] = (byte) 0xFF;
        out[3] = (byte) 0xFE;
        out[4] = (byte) (len >> 8);
        out[5] = (byte) len;
        System.arraycopy(text, 0, out, 6, text.length);
        System.arraycopy(jpeg, 2, out, 6 + text.length, jpeg.length - 2);
        return out;
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
