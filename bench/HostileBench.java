import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Hostile clients and normal traffic at once against one service (loopback only), for a fixed time: unauthenticated
 * admin posts announcing 60 MB bodies, decompression bombs (40-megapixel GIF, PNG and WebP of a few hundred KB) as
 * raw photo bodies, and closed-loop normal clients posting a 1024-px JPEG (new bytes each time: a counter in a JPEG
 * comment). Prints progress every 10 s and a summary: per kind, the statuses seen; for the admin posts, how many
 * body bytes the service took before answering; for normal traffic, p50/p99 and whether every answer was 200 or 503
 * with Retry-After. bench/hostile.sh runs it against a service in a 4 GiB cgroup and adds the memory figures.
 *   java bench/HostileBench.java URL SECONDS ADMIN_CLIENTS BOMB_CLIENTS NORMAL_CLIENTS NORMAL.jpg BOMB...
 */
public final class HostileBench {

    private static final long ADMIN_BODY = 60_000_000L;

    record Answer(int status, boolean retryAfter, long millis) {}

    static final class Tally {
        final Map<String, LongAdder> statuses = new ConcurrentHashMap<>();
        final List<Long> millis = Collections.synchronizedList(new ArrayList<>());
        final LongAdder bodyBytesSent = new LongAdder();
        final LongAdder badAnswers = new LongAdder();

        void add(String key) {
            statuses.computeIfAbsent(key, k -> new LongAdder()).increment();
        }

        long count() {
            return statuses.values().stream().mapToLong(LongAdder::sum).sum();
        }
    }

    public static void main(String[] args) throws Exception {
        URI url = URI.create(args[0]);
        if (!InetAddress.getByName(url.getHost()).isLoopbackAddress()) {
            throw new IllegalArgumentException("hostile traffic goes to this machine's loopback only, not " + url.getHost());
        }
        int seconds = Integer.parseInt(args[1]);
        int adminClients = Integer.parseInt(args[2]);
        int bombClients = Integer.parseInt(args[3]);
        int normalClients = Integer.parseInt(args[4]);
        byte[] normal = Files.readAllBytes(Path.of(args[5]));
        List<byte[]> bombs = new ArrayList<>();
        List<String> bombTypes = new ArrayList<>();
        for (int i = 6; i < args.length; i++) {
            bombs.add(Files.readAllBytes(Path.of(args[i])));
            String name = args[i].toLowerCase(Locale.ROOT);
            bombTypes.add(name.endsWith(".gif") ? "image/gif" : name.endsWith(".png") ? "image/png" : "image/webp");
        }
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        AtomicBoolean running = new AtomicBoolean(true);
        Tally admin = new Tally();
        Tally bomb = new Tally();
        Tally ok = new Tally();
        AtomicLong counter = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < adminClients; i++) {
            threads.add(Thread.ofPlatform().name("admin-" + i).start(() -> {
                while (running.get() && System.nanoTime() < end) {
                    adminBomb(url, admin);
                }
            }));
        }
        for (int i = 0; i < bombClients; i++) {
            int which = i;
            threads.add(Thread.ofPlatform().name("bomb-" + i).start(() -> {
                int n = which;
                while (running.get() && System.nanoTime() < end) {
                    byte[] b = bombs.get(n % bombs.size());
                    String type = bombTypes.get(n % bombs.size());
                    n++;
                    // raw bodies are JPEG, PNG or WebP (issue 25); a GIF goes as a multipart part, as a browser sends it
                    Answer a = type.equals("image/gif") ? post(url, "/v1/suggestions", MULTIPART, multipart(b, "bomb.gif", type), bomb, null)
                            : post(url, "/v1/suggestions", type, b, bomb, null);
                    if (a == null) {
                        sleep(100);
                    }
                }
            }));
        }
        for (int i = 0; i < normalClients; i++) {
            threads.add(Thread.ofPlatform().name("normal-" + i).start(() -> {
                while (running.get() && System.nanoTime() < end) {
                    byte[] photo = withComment(normal, "hostile-bench-" + counter.incrementAndGet());
                    Answer a = post(url, "/v1/suggestions", "image/jpeg", photo, ok, null);
                    if (a != null) {
                        ok.millis.add(a.millis());
                        if (a.status() != 200 && !(a.status() == 503 && a.retryAfter())) {
                            ok.badAnswers.increment();
                        }
                    } else {
                        ok.badAnswers.increment();
                        sleep(100);
                    }
                }
            }));
        }
        long start = System.nanoTime();
        while (System.nanoTime() < end) {
            Thread.sleep(Math.min(10_000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
            System.out.printf(Locale.ROOT, "%3.0f s: normal %d answered (%s), bombs %d (%s), admin %d (%s)%n",
                    (System.nanoTime() - start) / 1e9, ok.count(), ok.statuses, bomb.count(), bomb.statuses, admin.count(), admin.statuses);
        }
        running.set(false);
        for (Thread t : threads) {
            t.join(120_000);
        }
        List<Long> ms = new ArrayList<>(ok.millis);
        Collections.sort(ms);
        System.out.printf(Locale.ROOT, "admin posts (unauthenticated, Content-Length 60 MB): %d, statuses %s, body bytes the client could write before the answer came (loopback socket buffers, unread by the service) %.1f MB in all (%.0f KB each)%n",
                admin.count(), admin.statuses, admin.bodyBytesSent.sum() / 1e6, admin.count() == 0 ? 0 : admin.bodyBytesSent.sum() / 1e3 / admin.count());
        System.out.printf(Locale.ROOT, "bombs (40 MP GIF/PNG/WebP): %d, statuses %s%n", bomb.count(), bomb.statuses);
        System.out.printf(Locale.ROOT, "normal requests: %d, statuses %s, p50 %d ms, p99 %d ms, not 200 or 503+Retry-After: %d%n",
                ok.count(), ok.statuses, ms.isEmpty() ? -1 : ms.get(ms.size() / 2), ms.isEmpty() ? -1 : ms.get((int) Math.ceil(0.99 * ms.size()) - 1),
                ok.badAnswers.sum());
        System.out.println("RESULT normal=" + ok.count() + " normal_bad=" + ok.badAnswers.sum() + " normal_p99_ms="
                + (ms.isEmpty() ? -1 : ms.get((int) Math.ceil(0.99 * ms.size()) - 1)) + " bombs=" + bomb.count() + " admin=" + admin.count());
    }

    /** An admin post announcing 60 MB without a token: sends body bytes until the service answers or closes. */
    private static void adminBomb(URI url, Tally t) {
        try (Socket s = new Socket(url.getHost(), url.getPort())) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /admin/tenants/default/changes HTTP/1.1\r\nHost: " + url.getHost() + "\r\nContent-Type: application/x-ndjson\r\n"
                    + "Content-Length: " + ADMIN_BODY + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = new BufferedInputStream(s.getInputStream());
            byte[] chunk = new byte[65536];
            long sent = 0;
            while (sent < ADMIN_BODY && in.available() == 0) {
                try {
                    out.write(chunk);
                    sent += chunk.length;
                } catch (IOException closed) {
                    break; // the service closed the connection: it will not read more
                }
            }
            t.bodyBytesSent.add(sent);
            t.add(Integer.toString(readStatus(in).status()));
        } catch (IOException e) {
            t.add(e.getClass().getSimpleName());
        }
    }

    private static Answer post(URI url, String path, String type, byte[] body, Tally t, String auth) {
        long t0 = System.nanoTime();
        try (Socket s = new Socket(url.getHost(), url.getPort())) {
            s.setSoTimeout(60_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: " + url.getHost() + "\r\nContent-Type: " + type + "\r\n"
                    + (auth == null ? "" : "Authorization: " + auth + "\r\n") + "Content-Length: " + body.length
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            Answer a = readStatus(new BufferedInputStream(s.getInputStream()));
            a = new Answer(a.status(), a.retryAfter(), (System.nanoTime() - t0) / 1_000_000);
            t.add(a.status() + (a.status() == 503 ? (a.retryAfter() ? "+Retry-After" : " without Retry-After") : ""));
            return a;
        } catch (IOException e) {
            t.add(e.getClass().getSimpleName());
            return null;
        }
    }

    private static Answer readStatus(InputStream in) throws IOException {
        String status = line(in);
        if (status == null || !status.startsWith("HTTP/1.1 ")) {
            throw new IOException("no HTTP answer: " + status);
        }
        int code = Integer.parseInt(status.substring(9, 12));
        boolean retryAfter = false;
        for (String h; (h = line(in)) != null && !h.isEmpty(); ) {
            retryAfter |= h.toLowerCase(Locale.ROOT).startsWith("retry-after:");
        }
        return new Answer(code, retryAfter, 0);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) != -1; ) {
            if (c == '\n') {
                return b.toString(StandardCharsets.US_ASCII).stripTrailing();
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.US_ASCII);
    }

    private static final String BOUNDARY = "hostilebench7d1f";
    private static final String MULTIPART = "multipart/form-data; boundary=" + BOUNDARY;

    private static byte[] multipart(byte[] photo, String name, String type) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(photo.length + 256);
        out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"" + name
                + "\"\r\nContent-Type: " + type + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(photo);
        out.writeBytes(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** The JPEG with a comment segment after SOI: new bytes, the same pixels. */
    private static byte[] withComment(byte[] jpeg, String comment) {
        byte[] c = comment.getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream out = new ByteArrayOutputStream(jpeg.length + c.length + 4);
        out.write(jpeg, 0, 2);
        out.write(0xFF);
        out.write(0xFE);
        out.write((c.length + 2) >> 8);
        out.write((c.length + 2) & 0xFF);
        out.writeBytes(c);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
