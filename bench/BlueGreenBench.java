import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The blue-green rehearsal's client and switch (issue 29): CLIENTS closed-loop clients post val photos (each photo in
 * turn, so that a photo comes back once the cache holds it) as raw JPEG bodies through the proxy, and the proxy's
 * route is switched from blue to green after a third of REQUESTS have been answered and back to blue after two
 * thirds, through HAProxy's admin socket ({@code set map MAP active COLOUR}): the map the frontend's
 * {@code use_backend} reads, as the chart's stable Service's selector follows {@code activeColor}. Every answer's pool
 * version is read and checked against the colour that was active when the request was sent. Bars: zero answers other
 * than 200 and zero transport errors; every request sent after a switch answered by the new colour's pool version (the
 * first one included); no answer, cached or not, naming the other colour's version (the shared Redis keeps them apart).
 * Prints a summary and writes every request to OUT (CSV); exits 1 when a bar is missed.
 *   java bench/BlueGreenBench.java URL SOCKET MAP BLUE_VERSION GREEN_VERSION PHOTO_DIR REQUESTS CLIENTS OUT.csv
 */
public final class BlueGreenBench {

    record Result(int client, long sentNanos, long doneNanos, int status, String version, boolean cached, String error) {}

    private static final Pattern POOL_VERSION = Pattern.compile("\"pool\":\\{\"version\":\"([^\"]+)\"");
    private static final Pattern CACHED = Pattern.compile("\"cached\":(true|false)");
    private static final Pattern PROBLEM = Pattern.compile("\"type\":\"urn:listing-lens:problem:([^\"]+)\"");

    public static void main(String[] args) throws Exception {
        URI url = URI.create(args[0] + "/v1/suggestions");
        Path socket = Path.of(args[1]);
        String map = args[2];
        Map<String, String> versions = Map.of("blue", args[3], "green", args[4]);
        List<Path> photos;
        try (Stream<Path> s = Files.walk(Path.of(args[5]))) {
            photos = s.filter(p -> p.toString().endsWith(".jpg")).sorted().toList();
        }
        int requests = Integer.parseInt(args[6]);
        int clients = Integer.parseInt(args[7]);
        Path out = Path.of(args[8]);
        List<byte[]> bodies = new ArrayList<>();
        for (Path p : photos) {
            bodies.add(Files.readAllBytes(p));
        }
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

        String active = show(socket, map);
        if (!active.equals("blue")) {
            throw new IllegalStateException("the proxy must route to blue first, not " + active);
        }
        long t0 = System.nanoTime();
        List<Result> results = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger issued = new AtomicInteger();
        AtomicInteger answered = new AtomicInteger();
        // [switch to green, switch back to blue]: when the command was sent, and when the proxy had confirmed it
        long[] switchSent = {Long.MAX_VALUE, Long.MAX_VALUE};
        long[] switches = {Long.MAX_VALUE, Long.MAX_VALUE};
        CountDownLatch first = new CountDownLatch(1);
        CountDownLatch second = new CountDownLatch(1);
        Thread switcher = Thread.ofPlatform().start(() -> {
            try {
                first.await();
                switchSent[0] = System.nanoTime();
                switches[0] = set(socket, map, "green");
                System.out.printf(Locale.ROOT, "%6.1f s  switched to green after %d answers%n", (switches[0] - t0) / 1e9, answered.get());
                second.await();
                switchSent[1] = System.nanoTime();
                switches[1] = set(socket, map, "blue");
                System.out.printf(Locale.ROOT, "%6.1f s  switched back to blue after %d answers%n", (switches[1] - t0) / 1e9, answered.get());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            threads.add(Thread.ofPlatform().start(() -> {
                int k;
                while ((k = issued.getAndIncrement()) < requests) {
                    byte[] body = bodies.get(k % bodies.size());
                    HttpRequest req = HttpRequest.newBuilder(url).header("Content-Type", "image/jpeg").timeout(Duration.ofSeconds(60))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
                    long sent = System.nanoTime();
                    Result r;
                    try {
                        HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
                        Matcher v = POOL_VERSION.matcher(resp.body());
                        Matcher cached = CACHED.matcher(resp.body());
                        r = new Result(client, sent, System.nanoTime(), resp.statusCode(), v.find() ? v.group(1) : null,
                                cached.find() && cached.group(1).equals("true"), resp.statusCode() == 200 ? null : resp.body());
                    } catch (Exception e) {
                        r = new Result(client, sent, System.nanoTime(), 0, null, false, e.toString());
                    }
                    results.add(r);
                    int n = answered.incrementAndGet();
                    if (n == requests / 3) {
                        first.countDown();
                    } else if (n == 2 * requests / 3) {
                        second.countDown();
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        first.countDown();
        second.countDown();
        switcher.join();
        double seconds = (System.nanoTime() - t0) / 1e9;

        // ---- the bars ----
        List<Result> all = new ArrayList<>(results);
        all.sort((a, b) -> Long.compare(a.sentNanos(), b.sentNanos()));
        Map<String, Integer> statuses = new TreeMap<>();
        int errors = 0;
        int wrongVersion = 0;
        int inFlightAtSwitch = 0;
        Map<String, int[]> perColour = new TreeMap<>(); // answers, cached
        long[] firstAfter = {-1, -1};
        for (Result r : all) {
            String problem = r.error() == null ? "" : PROBLEM.matcher(r.error()).results().map(m -> " " + m.group(1)).findFirst().orElse("");
            statuses.merge(r.status() == 0 ? "error" : r.status() + problem, 1, Integer::sum);
            if (r.status() == 0) {
                errors++;
                continue;
            }
            if (r.status() != 200) {
                continue; // counted as non-2xx; no pool version to check
            }
            String expected = r.sentNanos() > switches[1] ? "blue" : r.sentNanos() > switches[0] ? "green" : "blue";
            boolean straddles = (r.sentNanos() < switches[0] && r.doneNanos() > switchSent[0])
                    || (r.sentNanos() < switches[1] && r.doneNanos() > switchSent[1]);
            String colour = versions.get("blue").equals(r.version()) ? "blue" : versions.get("green").equals(r.version()) ? "green" : "unknown";
            perColour.computeIfAbsent(colour, x -> new int[2])[0]++;
            if (r.cached()) {
                perColour.get(colour)[1]++;
            }
            if (straddles) {
                // sent before a switch, answered after it: routed before the switch, by the colour it left
                inFlightAtSwitch++;
                continue;
            }
            if (!colour.equals(expected)) {
                wrongVersion++;
                if (wrongVersion <= 5) {
                    System.out.printf(Locale.ROOT, "  wrong version: sent %.3f s, expected %s (%s), got %s%n", (r.sentNanos() - t0) / 1e9,
                            expected, versions.get(expected), r.version());
                }
            }
            for (int s = 0; s < 2; s++) {
                if (r.sentNanos() > switches[s] && firstAfter[s] < 0) {
                    firstAfter[s] = r.sentNanos();
                    System.out.printf(Locale.ROOT, "  first request sent after switch %d (%.1f ms after it): %s, pool %s%n", s + 1,
                            (r.sentNanos() - switches[s]) / 1e6, colour, r.version());
                }
            }
        }
        int non2xx = statuses.entrySet().stream().filter(e -> !e.getKey().equals("200") && !e.getKey().equals("error"))
                .mapToInt(Map.Entry::getValue).sum();
        try (var w = Files.newBufferedWriter(out)) {
            w.write("client,sent_s,done_s,status,pool_version,cached,error\n");
            for (Result r : all) {
                w.write(String.format(Locale.ROOT, "%d,%.4f,%.4f,%d,%s,%s,%s%n", r.client(), (r.sentNanos() - t0) / 1e9,
                        (r.doneNanos() - t0) / 1e9, r.status(), r.version(), r.cached(), r.error() == null ? "" : r.error().replace(',', ';').replace('\n', ' ')));
            }
        }
        System.out.printf(Locale.ROOT, "requests %d in %.1f s (%.1f/s), %d clients; statuses %s%n", all.size(), seconds, all.size() / seconds, clients, statuses);
        for (var e : perColour.entrySet()) {
            System.out.printf(Locale.ROOT, "  answered by %-5s (%s): %d, of which cached %d%n", e.getKey(),
                    versions.getOrDefault(e.getKey(), "?"), e.getValue()[0], e.getValue()[1]);
        }
        System.out.printf(Locale.ROOT, "in flight across a switch (sent before, answered after; the old colour's): %d%n", inFlightAtSwitch);
        System.out.printf(Locale.ROOT, "RESULT requests=%d non2xx=%d errors=%d wrong_version=%d switches=%d%n", all.size(), non2xx, errors,
                wrongVersion, (switches[0] < Long.MAX_VALUE ? 1 : 0) + (switches[1] < Long.MAX_VALUE ? 1 : 0));
        boolean pass = non2xx == 0 && errors == 0 && wrongVersion == 0 && switches[1] < Long.MAX_VALUE && firstAfter[0] > 0 && firstAfter[1] > 0
                && perColour.getOrDefault("green", new int[2])[0] > 0;
        System.out.println(pass ? "blue-green: every bar held" : "blue-green: a bar was MISSED");
        System.exit(pass ? 0 : 1);
    }

    /** Routes the proxy to {@code colour}; answers the time the proxy confirmed it. */
    private static long set(Path socket, String map, String colour) throws IOException {
        String answer = command(socket, "set map " + map + " active " + colour);
        if (!answer.isBlank()) {
            throw new IOException("haproxy: " + answer);
        }
        long at = System.nanoTime();
        String now = show(socket, map);
        if (!now.equals(colour)) {
            throw new IOException("haproxy routes to " + now + " after set map ... " + colour);
        }
        return at;
    }

    private static String show(Path socket, String map) throws IOException {
        // "0x55d0c4a3b2c0 active blue"
        for (String line : command(socket, "show map " + map).split("\n")) {
            String[] words = line.strip().split("\\s+");
            if (words.length == 3 && words[1].equals("active")) {
                return words[2];
            }
        }
        throw new IOException("no 'active' entry in " + map);
    }

    private static String command(Path socket, String command) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.US_ASCII)));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(4096);
            while (ch.read(buf) > 0) {
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            return out.toString(StandardCharsets.US_ASCII);
        }
    }
}
