package com.listinglens.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real redis-server of the test's own, on a free port, that tests can stop and restart. */
public final class RedisServer implements AutoCloseable {

    private final int port;
    private final Path dir;
    private final List<String> listen;
    private Process process;

    public RedisServer() throws IOException {
        this(null, null, null, List.of());
    }

    /** A server speaking only TLS on its port, with this certificate and key (PEM), asking {@code password} if given. */
    public static RedisServer tls(Path certificate, Path key, String password) throws IOException {
        return new RedisServer(certificate, key, password, List.of());
    }

    /** A plain server with these configuration options too ({@code --maxmemory 4mb ...}). */
    public static RedisServer with(String... options) throws IOException {
        return new RedisServer(null, null, null, List.of(options));
    }

    private RedisServer(Path certificate, Path key, String password, List<String> options) throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            this.port = s.getLocalPort();
        }
        this.dir = Files.createTempDirectory("lens-redis");
        List<String> args = new java.util.ArrayList<>();
        if (certificate == null) {
            args.addAll(List.of("--port", Integer.toString(port)));
        } else {
            args.addAll(List.of("--port", "0", "--tls-port", Integer.toString(port), "--tls-cert-file", certificate.toString(),
                    "--tls-key-file", key.toString(), "--tls-auth-clients", "no"));
        }
        if (password != null) {
            args.addAll(List.of("--requirepass", password));
        }
        args.addAll(options);
        this.listen = List.copyOf(args);
        start();
    }

    public int port() {
        return port;
    }

    public synchronized void start() throws IOException {
        if (process != null && process.isAlive()) {
            return;
        }
        List<String> command = new java.util.ArrayList<>(List.of("redis-server"));
        command.addAll(listen);
        command.addAll(List.of("--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString(),
                "--enable-debug-command", "local"));
        process = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                sleep(20);
            }
        }
        throw new IOException("redis-server did not start on port " + port + "; see " + dir.resolve("redis.log"));
    }

    public synchronized void stop() {
        if (process != null) {
            process.destroy();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process.destroyForcibly();
            process = null;
        }
    }

    /** Makes the server unresponsive for the given seconds (DEBUG SLEEP), in the background. */
    public Process freeze(double seconds) throws IOException {
        return new ProcessBuilder("redis-cli", "-p", Integer.toString(port), "DEBUG", "SLEEP", Double.toString(seconds))
                .redirectErrorStream(true).redirectOutput(dir.resolve("freeze.log").toFile()).start();
    }

    public void restart() throws IOException {
        stop();
        start();
    }

    @Override
    public void close() {
        stop();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
