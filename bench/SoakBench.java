import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;

/**
 * Soak: closed-loop load at fixed concurrency on POST /v1/suggestions (new 1024-px JPEG bytes every request, so no
 * cache hits) for a long time, sampling every INTERVAL seconds the answers per second, p50/p99 of the round trip,
 * the errors (any status but 200, and transport failures) and the service's resident memory (VmRSS of PID). Writes
 * the samples as CSV and a PNG plot, and prints a summary: totals, errors, and RSS growth from the end of the
 * warm-up to the end.
 * Usage: java bench/SoakBench.java URL SOURCE_PHOTO CONCURRENCY SECONDS WARMUP_SECONDS PID CSV PNG [INTERVAL=10]
 * (multi-file source program: uses ThroughputBench beside it for the request and the photo)
 */
public class SoakBench {

    record Sample(double t, long answers, double perSecond, double p50, double p99, long errors, double rssMiB, boolean warm) {}

    public static void main(String[] args) throws Exception {
        String url = args[0];
        byte[] photo = ThroughputBench.jpeg(ThroughputBench.scale(ImageIO.read(Path.of(args[1]).toFile()), 1024, 1024));
        int concurrency = Integer.parseInt(args[2]);
        double seconds = Double.parseDouble(args[3]);
        double warmup = Double.parseDouble(args[4]);
        long pid = Long.parseLong(args[5]);
        Path csv = Path.of(args[6]);
        Path png = Path.of(args[7]);
        double interval = args.length > 8 ? Double.parseDouble(args[8]) : 10;
        java.net.URI base = java.net.URI.create(url);
        long start = System.nanoTime();
        long end = start + (long) ((warmup + seconds) * 1e9);
        List<Double> window = new ArrayList<>();
        Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
        AtomicLong windowErrors = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < concurrency; c++) {
            int client = c;
            Thread t = new Thread(() -> {
                LoadClient http = new LoadClient(base);
                LoadClient.PhotoRequest request = new LoadClient.PhotoRequest(base, "/v1/suggestions", photo,
                        "lens-soak-" + start + "-" + client);
                long n = 0;
                while (System.nanoTime() < end) {
                    byte[] body = request.with(n++);
                    long t0 = System.nanoTime();
                    int status;
                    try {
                        status = http.send(body);
                    } catch (Exception e) {
                        status = -1;
                    }
                    double ms = (System.nanoTime() - t0) / 1e6;
                    statuses.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
                    synchronized (window) {
                        if (status == 200) {
                            window.add(ms);
                        } else {
                            windowErrors.incrementAndGet();
                        }
                    }
                }
            });
            t.start();
            threads.add(t);
        }
        List<Sample> samples = new ArrayList<>();
        long next = start + (long) (interval * 1e9);
        while (threads.stream().anyMatch(Thread::isAlive)) {
            Thread.sleep(100);
            long now = System.nanoTime();
            if (now < next && threads.stream().anyMatch(Thread::isAlive)) {
                continue;
            }
            List<Double> lat;
            long errors;
            synchronized (window) {
                lat = new ArrayList<>(window);
                window.clear();
                errors = windowErrors.getAndSet(0);
            }
            lat.sort(Double::compare);
            double t = (now - start) / 1e9;
            double from = samples.isEmpty() ? 0 : samples.get(samples.size() - 1).t();
            double span = t - from;
            if (span < 1 && lat.isEmpty() && errors == 0) {
                continue; // the loop's last pass after the final sample
            }
            // a sample counts after the warm-up when its whole window is
            Sample s = new Sample(t, lat.size(), lat.size() / span, percentile(lat, 0.5), percentile(lat, 0.99), errors,
                    rssMiB(pid), from >= warmup - 0.5);
            samples.add(s);
            System.out.printf(Locale.ROOT, "soak: %5.0f s%s  %6.2f answers/s  p50 %6.1f ms  p99 %6.1f ms  errors %d  rss %7.1f MiB%n",
                    s.t(), s.warm() ? "" : " (warm-up)", s.perSecond(), s.p50(), s.p99(), s.errors(), s.rssMiB());
            next += (long) (interval * 1e9);
        }
        Files.createDirectories(csv.toAbsolutePath().getParent());
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(csv))) {
            w.println("t_s,answers,answers_per_s,p50_ms,p99_ms,errors,rss_mib,after_warmup");
            for (Sample s : samples) {
                w.printf(Locale.ROOT, "%.1f,%d,%.3f,%.2f,%.2f,%d,%.1f,%s%n", s.t(), s.answers(), s.perSecond(), s.p50(), s.p99(),
                        s.errors(), s.rssMiB(), s.warm());
            }
        }
        plot(samples, warmup, png, concurrency);
        List<Sample> warm = samples.stream().filter(Sample::warm).toList();
        long answers = warm.stream().mapToLong(Sample::answers).sum();
        long errors = warm.stream().mapToLong(Sample::errors).sum();
        double rssStart = warm.isEmpty() ? Double.NaN : warm.get(0).rssMiB();
        double rssEnd = warm.isEmpty() ? Double.NaN : warm.get(warm.size() - 1).rssMiB();
        double rssMax = warm.stream().mapToDouble(Sample::rssMiB).max().orElse(Double.NaN);
        double p99Max = warm.stream().mapToDouble(Sample::p99).max().orElse(Double.NaN);
        Map<Integer, Long> byStatus = new TreeMap<>();
        statuses.forEach((k, v) -> byStatus.put(k, v.get()));
        System.out.printf(Locale.ROOT, "%nsoak summary: concurrency %d, %.0f s after %.0f s warm-up: %d answers (%.2f/s), %d errors "
                        + "(all statuses incl. warm-up %s, -1 = transport failure); worst %ss-window p99 %.1f ms; "
                        + "resident memory %.1f MiB after warm-up, %.1f MiB at the end (%+.2f %%), peak %.1f MiB; csv %s, plot %s%n",
                concurrency, seconds, warmup, answers, answers / seconds, errors, byStatus, fmt(interval), p99Max, rssStart, rssEnd,
                100 * (rssEnd - rssStart) / rssStart, rssMax, csv, png);
    }

    static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    static double percentile(List<Double> sorted, double q) {
        return sorted.isEmpty() ? Double.NaN : sorted.get(Math.max(0, (int) Math.ceil(q * sorted.size()) - 1));
    }

    static double rssMiB(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (Exception e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    /** Two panels over time: answers/s and p99 (ms), resident memory (MiB); the warm-up shaded. */
    static void plot(List<Sample> samples, double warmup, Path png, int concurrency) throws Exception {
        int w = 1000;
        int h = 640;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        double tMax = samples.isEmpty() ? 1 : samples.get(samples.size() - 1).t();
        panel(g, samples, 60, 40, w - 120, 240, tMax, warmup, "answers/s (blue) and p99 ms (red), concurrency " + concurrency,
                new java.util.function.ToDoubleFunction[] {s -> ((Sample) s).perSecond(), s -> ((Sample) s).p99()},
                new Color[] {new Color(30, 90, 200), new Color(200, 40, 40)});
        panel(g, samples, 60, 350, w - 120, 240, tMax, warmup, "resident memory of the service, MiB",
                new java.util.function.ToDoubleFunction[] {s -> ((Sample) s).rssMiB()}, new Color[] {new Color(20, 140, 60)});
        g.dispose();
        Files.createDirectories(png.toAbsolutePath().getParent());
        ImageIO.write(img, "png", png.toFile());
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    static void panel(Graphics2D g, List<Sample> samples, int x0, int y0, int pw, int ph, double tMax, double warmup, String title,
                      java.util.function.ToDoubleFunction[] series, Color[] colours) {
        double[] max = new double[series.length];
        double[] min = new double[series.length];
        for (int k = 0; k < series.length; k++) {
            int kk = k;
            max[k] = samples.stream().mapToDouble(s -> series[kk].applyAsDouble(s)).filter(Double::isFinite).max().orElse(1);
            min[k] = series.length == 1
                    ? samples.stream().mapToDouble(s -> series[kk].applyAsDouble(s)).filter(Double::isFinite).min().orElse(0) * 0.98
                    : 0;
            if (max[k] <= min[k]) {
                max[k] = min[k] + 1;
            }
        }
        g.setColor(new Color(235, 235, 235));
        g.fillRect(x0, y0, (int) (pw * Math.min(1, warmup / tMax)), ph);
        g.setColor(Color.BLACK);
        g.drawRect(x0, y0, pw, ph);
        g.drawString(title, x0, y0 - 8);
        g.drawString("0 s", x0, y0 + ph + 16);
        g.drawString(String.format(Locale.ROOT, "%.0f s", tMax), x0 + pw - 40, y0 + ph + 16);
        for (int k = 0; k < series.length; k++) {
            g.setColor(colours[k]);
            g.setStroke(new BasicStroke(1.6f));
            g.drawString(String.format(Locale.ROOT, "%.1f", max[k]), k == 0 ? x0 - 55 : x0 + pw + 5, y0 + 12);
            g.drawString(String.format(Locale.ROOT, "%.1f", min[k]), k == 0 ? x0 - 55 : x0 + pw + 5, y0 + ph);
            int px = -1;
            int py = -1;
            for (Sample s : samples) {
                double v = series[k].applyAsDouble(s);
                if (!Double.isFinite(v)) {
                    continue;
                }
                int x = x0 + (int) (pw * s.t() / tMax);
                int y = y0 + ph - (int) (ph * (v - min[k]) / (max[k] - min[k]));
                if (px >= 0) {
                    g.drawLine(px, py, x, y);
                }
                px = x;
                py = y;
            }
        }
    }
}
