package com.listinglens.support;

import com.listinglens.storage.S3BlobStore;
import com.listinglens.storage.S3Settings;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real S3 protocol server (S3Proxy over jclouds' filesystem provider) run as a separate process on a free port,
 * with its own credentials and data folder under {@code target/}. Tests can {@link #stop()} it to simulate an
 * outage and {@link #start()} it again: it comes back on the same port with the same data.
 *
 * <p>The jar is {@code org.gaul:s3proxy:jar-with-dependencies}, copied by the build to the path in the system
 * property {@code lens.test.s3proxy-jar} (default {@code target/s3proxy/s3proxy.jar}).
 */
public final class S3ProxyServer implements AutoCloseable {

    public static final String JAR_PROPERTY = "test.s3proxy.jar";
    public static final String REGION = "us-east-1";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Path jar;
    private final Path runDir;
    private final Path dataDir;
    private final Path log;
    private final Path properties;
    private final int port;
    private final String accessKey;
    private final String secretKey;
    private final Thread reaper;
    private Process process;

    /** Starts a server on a free port. */
    public S3ProxyServer() throws IOException {
        this.jar = Path.of(System.getProperty(JAR_PROPERTY, "target/s3proxy/s3proxy.jar")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IOException("no S3Proxy jar at " + jar + " (set -D" + JAR_PROPERTY
                    + " or run the build's generate-test-resources phase, which copies org.gaul:s3proxy there)");
        }
        Path target = jar.getParent().getParent() != null ? jar.getParent().getParent() : Path.of("target").toAbsolutePath();
        Path base = target.resolve("s3proxy-runs");
        Files.createDirectories(base);
        this.runDir = Files.createTempDirectory(base, "run-");
        this.dataDir = Files.createDirectories(runDir.resolve("data"));
        this.log = runDir.resolve("s3proxy.log");
        this.properties = runDir.resolve("s3proxy.properties");
        try (ServerSocket s = new ServerSocket(0)) {
            this.port = s.getLocalPort();
        }
        this.accessKey = "lens-test-" + UUID.randomUUID().toString().substring(0, 8);
        this.secretKey = UUID.randomUUID().toString().replace("-", "");
        Properties p = new Properties();
        p.setProperty("s3proxy.endpoint", "http://127.0.0.1:" + port);
        p.setProperty("s3proxy.authorization", "aws-v2-or-v4");
        p.setProperty("s3proxy.identity", accessKey);
        p.setProperty("s3proxy.credential", secretKey);
        p.setProperty("jclouds.provider", "filesystem");
        p.setProperty("jclouds.filesystem.basedir", dataDir.toString());
        try (Writer w = Files.newBufferedWriter(properties, StandardCharsets.UTF_8)) {
            p.store(w, "S3Proxy for the Listing Lens tests");
        }
        // a test JVM that dies without close() must not leave the server running
        this.reaper = new Thread(this::kill, "s3proxy-reaper-" + port);
        Runtime.getRuntime().addShutdownHook(reaper);
        start();
    }

    /** Starts a server (same as the constructor). */
    public static S3ProxyServer launch() throws IOException {
        return new S3ProxyServer();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    /** The folder the server keeps its buckets in (one sub-folder per bucket). */
    public Path dataDir() {
        return dataDir;
    }

    public Path logFile() {
        return log;
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Starts the server (again) on the same port with the same data; waits until it answers HTTP. */
    public synchronized void start() throws IOException {
        if (isRunning()) {
            return;
        }
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        if (!Files.isExecutable(Path.of(javaBin))) {
            javaBin = ProcessHandle.current().info().command().orElse("java");
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            Files.writeString(log, "---- starting S3Proxy on port " + port + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            process = new ProcessBuilder(List.of(javaBin, "-Xmx256m", "-jar", jar.toString(), "--properties", properties.toString()))
                    .directory(runDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            if (awaitHttp(deadline)) {
                return;
            }
            boolean died = !process.isAlive();
            kill();
            // the port of a stopped server may take a moment to be free again: a server that died at start is retried
            if (!died || System.nanoTime() >= deadline) {
                throw new IOException("S3Proxy did not answer on " + endpoint() + " within " + START_TIMEOUT.toSeconds()
                        + " s; last lines of " + log + ":\n" + tail(40));
            }
            sleep(200);
        }
    }

    /** True once the server answers HTTP (any status), false if the process died or the deadline passed. */
    private boolean awaitHttp(long deadline) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest request = HttpRequest.newBuilder(endpoint().resolve("/")).timeout(Duration.ofSeconds(2)).GET().build();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                return false;
            }
            try {
                http.send(request, HttpResponse.BodyHandlers.discarding());
                return true;
            } catch (IOException notYet) {
                sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /** Stops the server (an outage): kills the process and waits until the port no longer answers. */
    public synchronized void stop() {
        kill();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                sleep(50);
            } catch (IOException closed) {
                return;
            }
        }
    }

    public void restart() throws IOException {
        stop();
        start();
    }

    private synchronized void kill() {
        Process p = process;
        if (p == null) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /**
     * Settings for a bucket of this server: path-style, one SDK retry, 5 s calls, parts of 5 MiB from 5 MiB up. One
     * retry, as production has two: a pooled keep-alive connection that S3Proxy has already closed fails its first
     * attempt with "Broken pipe" (seen once in CI after an empty PUT), which is what retries are for.
     */
    public S3Settings settings(String bucket) {
        return new S3Settings(bucket, endpoint(), REGION, true, accessKey, secretKey, Duration.ofSeconds(5), 1,
                S3Settings.MIN_PART, S3Settings.MIN_PART);
    }

    /** A store on {@code bucket}, created when missing. */
    public S3BlobStore store(String bucket) {
        return store(bucket, S3BlobStore.LocalFiles.DIRECT);
    }

    /** A store on {@code bucket} whose downloads are written through {@code localFiles} (a {@link SmallDisk}). */
    public S3BlobStore store(String bucket, S3BlobStore.LocalFiles localFiles) {
        S3BlobStore store = new S3BlobStore(settings(bucket), localFiles);
        try {
            store.createBucketIfMissing();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    /** A plain SDK client of this server, for tests that look at what the store did at the protocol level. */
    public S3Client client() {
        return S3Client.builder()
                .region(Region.of(REGION))
                .forcePathStyle(true)
                .endpointOverride(endpoint())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(ApacheHttpClient.builder())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
                .build();
    }

    /** The last lines of the server's log. */
    public String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Stops the server and removes its data (the log stays under target/ for post-mortems). */
    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
        try (Stream<Path> walk = Files.walk(dataDir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            // left for `mvn clean`
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
