import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop load on POST /v1/suggestions: requests arrive at a fixed mean RATE as a Poisson process (exponential gaps,
 * seeded), on a schedule drawn independently of the answers, so a slow answer does not hold back the next request
 * (no coordinated omission): each request's latency runs from its scheduled send time, and includes any wait for a
 * free connection. Requests go out over a pool of keep-alive connections ({@link LoadClient}, one thread each) that
 * grows when none is idle at a request's scheduled time, up to MAX_CONNECTIONS; past the cap a request waits in a
 * queue for the first free connection (counted: "pool full"), and one whose send starts more than 5 ms after its
 * scheduled time is counted late. Each request carries new photo bytes (a 1024-px JPEG made from SOURCE_PHOTO with a
 * counter in a JPEG comment, as {@link ThroughputBench}), so none is a cache hit. Loopback only.
 * <p>
 * Bounded: arrivals stop after WARMUP + SECONDS or MAX_REQUESTS (default 1.5 times the expected count), and the run
 * waits at most DRAIN_SECONDS afterwards for outstanding answers (those left are counted unanswered, not timed).
 * Measured: requests scheduled after the warm-up (latency percentiles, statuses), and answers completed in the
 * measured window (achieved rate). Progress every 5 s on stderr; the summary on stdout ends with one "RESULT" line of
 * key=value pairs for scripts (bench/open-loop.sh).
 * Usage: java bench/OpenLoopBench.java URL SOURCE_PHOTO RATE SECONDS [WARMUP=10] [MAX_CONNECTIONS=128]
 *            [MAX_REQUESTS] [DRAIN_SECONDS=30] [SEED=1]
 */
public class OpenLoopBench {

    static final long LATE_NANOS = 5_000_000L;

    record Job(int seq, long scheduled) {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: java bench/OpenLoopBench.java URL SOURCE_PHOTO RATE SECONDS [WARMUP=10] "
                    + "[MAX_CONNECTIONS=128] [MAX_REQUESTS] [DRAIN_SECONDS=30] [SEED=1]");
            System.exit(2);
        }
        URI base = URI.create(args[0]);
        double rate = Double.parseDouble(args[2]);
        double seconds = Double.parseDouble(args[3]);
        double warmup = args.length > 4 ? Double.parseDouble(args[4]) : 10;
        int maxConnections = args.length > 5 ? Integer.parseInt(args[5]) : 128;
        int maxRequests = args.length > 6 && !args[6].isEmpty() && !args[6].equals("-")
                ? Integer.parseInt(args[6]) : (int) Math.ceil(rate * (warmup + seconds) * 1.5 + 100);
        double drain = args.length > 7 ? Double.parseDouble(args[7]) : 30;
        long seed = args.length > 8 ? Long.parseLong(args[8]) : 1;
        if (!(rate > 0) || !(seconds > 0) || warmup < 0 || maxConnections < 1 || maxRequests < 1) {
            throw new IllegalArgumentException("need RATE > 0, SECONDS > 0, WARMUP >= 0, MAX_CONNECTIONS >= 1, MAX_REQUESTS >= 1");
        }
        for (InetAddress a : InetAddress.getAllByName(base.getHost())) {
            if (!a.isLoopbackAddress()) {
                throw new IllegalArgumentException("open-loop load goes to loopback only; " + base.getHost() + " is " + a);
            }
        }
        BufferedImage src = ImageIO.read(Path.of(args[1]).toFile());
        byte[] photo = ThroughputBench.jpeg(ThroughputBench.scale(src, 1024, 1024));

        long[] scheduledAt = new long[maxRequests];
        long[] sentAt = new long[maxRequests];
        int[] status = new int[maxRequests];
        boolean[] retryAfter = new boolean[maxRequests];
        AtomicLongArray doneAt = new AtomicLongArray(maxRequests); // set last (release): the row above is complete
        Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
        AtomicLong answered = new AtomicLong();
        AtomicLong ok = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicInteger idle = new AtomicInteger();
        AtomicInteger connections = new AtomicInteger();
        AtomicInteger workerIds = new AtomicInteger();
        BlockingQueue<Job> queue = new LinkedBlockingQueue<>();

        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long start = System.nanoTime() + 100_000_000L;
        long measureFrom = start + (long) (warmup * 1e9);
        long end = measureFrom + (long) (seconds * 1e9);
        System.err.printf(Locale.ROOT, "open-loop: %s, %.2f requests/s (Poisson, seed %d) for %.0f s after %.0f s warm-up, "
                        + "at most %d connections and %d requests, %d-byte photo%n",
                base, rate, seed, seconds, warmup, maxConnections, maxRequests, photo.length);

        Runnable worker = () -> {
            int id = workerIds.incrementAndGet(); // a tag of its own: no two connections send the same bytes
            LoadClient http = new LoadClient(base);
            LoadClient.PhotoRequest request = new LoadClient.PhotoRequest(base, "/v1/suggestions", photo,
                    "lens-open-" + start + "-" + id);
            long n = 0;
            while (true) {
                idle.incrementAndGet();
                Job job;
                try {
                    job = queue.take();
                } catch (InterruptedException e) {
                    return;
                } finally {
                    idle.decrementAndGet();
                }
                byte[] body = request.with(n++);
                int i = job.seq();
                sentAt[i] = System.nanoTime();
                try {
                    status[i] = http.send(body);
                    retryAfter[i] = http.retryAfter();
                    answered.incrementAndGet();
                    if (status[i] == 200) {
                        ok.incrementAndGet();
                    } else if (status[i] == 503) {
                        refused.incrementAndGet();
                    }
                } catch (IOException | RuntimeException e) {
                    status[i] = -1;
                    String what = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
                    errors.computeIfAbsent(what.length() > 80 ? what.substring(0, 80) : what, k -> new AtomicLong())
                            .incrementAndGet();
                }
                doneAt.set(i, System.nanoTime());
            }
        };

        // the schedule: exponential gaps, independent of the answers
        SplittableRandom random = new SplittableRandom(seed);
        int scheduled = 0;
        int peakConnections = 0;
        long poolFull = 0;
        double t = 0;
        long nextReport = start + 5_000_000_000L;
        while (scheduled < maxRequests) {
            t += -Math.log(1 - random.nextDouble()) / rate;
            long at = start + (long) (t * 1e9);
            if (at >= end) {
                break;
            }
            for (long now; (now = System.nanoTime()) < at; ) {
                if (now >= nextReport) {
                    report(start, scheduled, answered, ok, refused, queue, connections);
                    nextReport += 5_000_000_000L;
                }
                LockSupport.parkNanos(Math.min(at - now, nextReport - now));
            }
            scheduledAt[scheduled] = at;
            if (idle.get() <= queue.size()) { // no connection free for this one
                if (connections.get() < maxConnections) {
                    connections.incrementAndGet();
                    Thread th = new Thread(null, worker, "open-loop-" + connections.get(), 256 * 1024);
                    th.setDaemon(true);
                    th.start();
                    peakConnections = Math.max(peakConnections, connections.get());
                } else if (at >= measureFrom) {
                    poolFull++;
                }
            }
            queue.add(new Job(scheduled, at));
            scheduled++;
        }
        boolean capped = scheduled == maxRequests;
        long scheduleEnd = System.nanoTime();
        // drain: wait for the outstanding answers, at most DRAIN seconds
        long drainDeadline = Math.max(scheduleEnd, end) + (long) (drain * 1e9);
        while (System.nanoTime() < drainDeadline && completed(doneAt, scheduled) < scheduled) {
            if (System.nanoTime() >= nextReport) {
                report(start, scheduled, answered, ok, refused, queue, connections);
                nextReport += 5_000_000_000L;
            }
            Thread.sleep(50);
        }
        long stoppedAt = System.nanoTime();
        double clientCpuMs = (os.getProcessCpuTime() - cpu0) / 1e6;

        // figures
        int measured = 0;
        long done200InWindow = 0;
        long doneInWindow = 0;
        long s200 = 0, s503 = 0, s503Retry = 0, transport = 0, unanswered = 0, late = 0;
        Map<Integer, Long> other = new TreeMap<>();
        double[] lat200 = new double[scheduled];
        double[] latAll = new double[scheduled];
        double[] delay = new double[scheduled];
        int n200 = 0, nAll = 0, nDelay = 0;
        double oldestUnanswered = 0;
        for (int i = 0; i < scheduled; i++) {
            long done = doneAt.get(i);
            if (done != 0 && done >= measureFrom && done <= end) {
                doneInWindow++;
                if (status[i] == 200) {
                    done200InWindow++;
                }
            }
            if (scheduledAt[i] < measureFrom) {
                continue;
            }
            measured++;
            if (done == 0) {
                unanswered++;
                oldestUnanswered = Math.max(oldestUnanswered, (stoppedAt - scheduledAt[i]) / 1e6);
                continue;
            }
            double ms = (done - scheduledAt[i]) / 1e6;
            delay[nDelay++] = (sentAt[i] - scheduledAt[i]) / 1e6;
            if (sentAt[i] - scheduledAt[i] > LATE_NANOS) {
                late++;
            }
            if (status[i] < 0) {
                transport++;
                continue;
            }
            latAll[nAll++] = ms;
            if (status[i] == 200) {
                s200++;
                lat200[n200++] = ms;
            } else if (status[i] == 503) {
                s503++;
                if (retryAfter[i]) {
                    s503Retry++;
                }
            } else {
                other.merge(status[i], 1L, Long::sum);
            }
        }
        lat200 = Arrays.copyOf(lat200, n200);
        latAll = Arrays.copyOf(latAll, nAll);
        delay = Arrays.copyOf(delay, nDelay);
        Arrays.sort(lat200);
        Arrays.sort(latAll);
        Arrays.sort(delay);
        double offered = measured / seconds;
        double achieved = done200InWindow / seconds;
        System.out.printf(Locale.ROOT, "open loop on %s: %.2f requests/s asked (Poisson, seed %d), %.0f s measured after "
                        + "%.0f s warm-up%s%n", base, rate, seed, seconds, warmup,
                capped ? "; arrivals stopped early at MAX_REQUESTS " + maxRequests : "");
        System.out.printf(Locale.ROOT, "  offered %.2f/s (%d requests scheduled in the window), achieved %.2f answers/s "
                + "(200, completed in the window; %.2f/s any status)%n", offered, measured, achieved, doneInWindow / seconds);
        System.out.printf(Locale.ROOT, "  latency from the scheduled send, 200 answers: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, "
                        + "max %.1f ms; all answers: p50 %.1f ms, p99 %.1f ms%n",
                pct(lat200, 0.50), pct(lat200, 0.90), pct(lat200, 0.99), lat200.length == 0 ? Double.NaN : lat200[lat200.length - 1],
                pct(latAll, 0.50), pct(latAll, 0.99));
        System.out.printf(Locale.ROOT, "  statuses: 200 %d, 503 %d (with Retry-After %d), other %s; transport errors %d %s; "
                        + "unanswered after the %.0f s drain %d%s%n", s200, s503, s503Retry, other, transport, new TreeMap<>(errors),
                drain, unanswered, unanswered > 0 ? String.format(Locale.ROOT, " (oldest waited %.0f ms)", oldestUnanswered) : "");
        System.out.printf(Locale.ROOT, "  connections: %d opened (cap %d), pool full at %d scheduled times, %d sent more than "
                        + "%d ms late; send delay p99 %.2f ms, max %.1f ms; client CPU %.2f ms per request%n",
                peakConnections, maxConnections, poolFull, late, LATE_NANOS / 1_000_000, pct(delay, 0.99),
                delay.length == 0 ? Double.NaN : delay[delay.length - 1], clientCpuMs / Math.max(1, scheduled));
        System.out.printf(Locale.ROOT, "RESULT rate=%.2f offered=%.2f achieved=%.2f p50=%.1f p90=%.1f p99=%.1f max=%.1f "
                        + "ok=%d s503=%d retry_after=%d other=%d errors=%d unanswered=%d late=%d pool_full=%d connections=%d%n",
                rate, offered, achieved, pct(lat200, 0.50), pct(lat200, 0.90), pct(lat200, 0.99),
                lat200.length == 0 ? Double.NaN : lat200[lat200.length - 1], s200, s503, s503Retry,
                other.values().stream().mapToLong(Long::longValue).sum(), transport, unanswered, late, poolFull, peakConnections);
    }

    static int completed(AtomicLongArray doneAt, int scheduled) {
        int n = 0;
        for (int i = 0; i < scheduled; i++) {
            if (doneAt.get(i) != 0) {
                n++;
            }
        }
        return n;
    }

    static void report(long start, int scheduled, AtomicLong answered, AtomicLong ok, AtomicLong refused,
                       BlockingQueue<Job> queue, AtomicInteger connections) {
        System.err.printf(Locale.ROOT, "open-loop: %.0f s, %d scheduled, %d answered (200: %d, 503: %d), %d waiting for a "
                        + "connection, %d connections%n", (System.nanoTime() - start) / 1e9, scheduled, answered.get(), ok.get(),
                refused.get(), queue.size(), connections.get());
    }

    /** The nearest-rank percentile of sorted values. */
    static double pct(double[] sorted, double p) {
        return sorted.length == 0 ? Double.NaN : sorted[Math.max(0, (int) Math.ceil(p * sorted.length) - 1)];
    }
}
