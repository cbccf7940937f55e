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
    private Process process;

    public RedisServer() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            this.port = s.getLocalPort();
        }
        this.dir = Files.createTempDirectory("lens-redis");
        start();
    }

    public int port() {
        return port;
    }

    public synchronized void start() throws IOException {
        if (process != null && process.isAlive()) {
            return;
        }
        process = new ProcessBuilder(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--enable-debug-command", "local"))
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
