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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Single-photo latency of POST /v1/suggestions, p50/p99 per stage, for a 1024-px JPEG and a 4000 x 3000 JPEG
 * that this bench makes itself (a real grocery photo scaled up). One request at a time, sequential. Each
 * uncached request carries a JPEG comment with a counter, so its bytes (and cache key) are new while its
 * pixels are the same; the cached phase repeats one photo and reports the cache's hit rate.
 * Usage: java bench/LatencyBench.java URL SOURCE_PHOTO REQUESTS WARMUP
 */
public class LatencyBench {

    static final String[] STAGES = {"decodeMs", "embedMs", "searchMs", "aggregateMs", "totalMs"};

    public static void main(String[] args) throws Exception {
        String url = args.length > 0 ? args[0] : "http://localhost:8080";
        Path source = Path.of(args.length > 1 ? args[1] : "../shared/datasets/grocery/val/Fruit/Banana/Banana_001.jpg");
        int requests = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        BufferedImage src = ImageIO.read(source.toFile());
        Map<String, byte[]> photos = new LinkedHashMap<>();
        photos.put("1024x1024 JPEG", jpeg(scale(src, 1024, 1024)));
        photos.put("4000x3000 JPEG", jpeg(scale(src, 4000, 3000)));
        HttpClient http = HttpClient.newHttpClient();
        System.out.printf(Locale.ROOT, "Listing Lens latency bench: %s, %d requests per photo after %d warm-up, one at a time, %d cores%n",
                url, requests, warmup, Runtime.getRuntime().availableProcessors());
        Map<String, Map<String, double[]>> all = new LinkedHashMap<>();
        Map<String, Double> hitRates = new LinkedHashMap<>();
        long run = System.nanoTime();
        photos.put("1024x1024 JPEG, cached", photos.get("1024x1024 JPEG"));
        for (var e : photos.entrySet()) {
            boolean cachedPhase = e.getKey().endsWith("cached");
            System.out.printf(Locale.ROOT, "%s (%d KB)%n", e.getKey(), e.getValue().length / 1024);
            for (int i = 0; i < warmup; i++) {
                send(http, url, cachedPhase ? e.getValue() : withComment(e.getValue(), run + "-w" + i));
            }
            Map<String, List<Double>> stages = new LinkedHashMap<>();
            int hits = 0;
            for (int i = 0; i < requests; i++) {
                byte[] photo = cachedPhase ? e.getValue() : withComment(e.getValue(), run + "-" + i);
                long t0 = System.nanoTime();
                String body = send(http, url, photo);
                if (body.contains("\"cached\":true")) {
                    hits++;
                }
                double client = (System.nanoTime() - t0) / 1e6;
                for (String s : STAGES) {
                    stages.computeIfAbsent(s, k -> new ArrayList<>()).add(field(body, s));
                }
                stages.computeIfAbsent("clientMs", k -> new ArrayList<>()).add(client);
                if ((i + 1) % 50 == 0) {
                    System.out.printf(Locale.ROOT, "  %d/%d%n", i + 1, requests);
                }
            }
            Map<String, double[]> sorted = new LinkedHashMap<>();
            stages.forEach((k, v) -> {
                double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
                Arrays.sort(a);
                sorted.put(k, a);
            });
            all.put(e.getKey(), sorted);
            hitRates.put(e.getKey(), (double) hits / requests);
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "%-16s %-12s %9s %9s %9s%n", "photo", "stage", "p50 ms", "p99 ms", "mean ms");
        all.forEach((photo, stages) -> stages.forEach((stage, a) -> System.out.printf(Locale.ROOT, "%-16s %-12s %9.1f %9.1f %9.1f%n",
                photo, stage.replace("Ms", ""), pct(a, 50), pct(a, 99), Arrays.stream(a).average().orElse(0))));
        hitRates.forEach((photo, rate) -> System.out.printf(Locale.ROOT, "cache hit rate %-24s %5.1f %%%n", photo, 100 * rate));
        var keys = new ArrayList<>(all.keySet());
        double small = pct(all.get(keys.get(0)).get("clientMs"), 50);
        double large = pct(all.get(keys.get(1)).get("clientMs"), 50);
        System.out.printf(Locale.ROOT, "ratio p50 client latency %s / %s: %.2f%n", keys.get(1), keys.get(0), large / small);
    }

    /** The same JPEG with a COM segment right after SOI: new bytes, same pixels. */
    static byte[] withComment(byte[] jpeg, String text) {
        byte[] t = text.getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream out = new ByteArrayOutputStream(jpeg.length + t.length + 4);
        out.write(jpeg, 0, 2);
        out.write(0xFF);
        out.write(0xFE);
        out.write((t.length + 2) >> 8);
        out.write((t.length + 2) & 0xFF);
        out.writeBytes(t);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    static double pct(double[] sorted, double p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    static double field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*([0-9.eE+-]+)").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in answer: " + json);
        }
        return Double.parseDouble(m.group(1));
    }

    static String send(HttpClient http, String url, byte[] photo) throws Exception {
        String boundary = "lensbench" + System.nanoTime();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"p.jpg\"\r\n"
                + "Content-Type: image/jpeg\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        body.writeBytes(photo);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/suggestions"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    static BufferedImage scale(BufferedImage src, int w, int h) {
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        g.drawImage(src, 0, 0, w, h, null);
        g.dispose();
        return out;
    }

    static byte[] jpeg(BufferedImage img) throws Exception {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam p = writer.getDefaultWriteParam();
        p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        p.setCompressionQuality(0.9f);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            writer.write(null, new IIOImage(img, null, null), p);
        }
        writer.dispose();
        return out.toByteArray();
    }
}
