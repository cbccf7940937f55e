package com.listinglens.cache;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How to reach Redis; see {@code lens.redis.*}. With {@code tls}, the server's certificate must name {@code host} and
 * chain to a CA of {@code tlsCaFile} (a PEM file), or of the JVM's trust store when that is null.
 */
public record RedisSettings(String host, int port, String user, String password, boolean tls, int database,
                            Duration timeout, int maxConnections, Duration retryAfter, Path tlsCaFile) {

    /** Without a CA file of its own (TLS, if on, trusts the JVM's trust store). */
    public RedisSettings(String host, int port, String user, String password, boolean tls, int database,
                         Duration timeout, int maxConnections, Duration retryAfter) {
        this(host, port, user, password, tls, database, timeout, maxConnections, retryAfter, null);
    }

    public RedisSettings {
        if (host == null || host.isBlank() || port < 1 || port > 65535) {
            throw new IllegalArgumentException("redis host and port (1-65535) are required");
        }
        if (database < 0 || maxConnections < 1 || timeout.isNegative() || timeout.isZero() || retryAfter.isNegative()) {
            throw new IllegalArgumentException("redis database >= 0, max connections >= 1, timeout > 0 and retry-after >= 0 are required");
        }
        if (tlsCaFile != null && !tls) {
            throw new IllegalArgumentException("lens.redis.tls-ca-file is set (" + tlsCaFile + ") but lens.redis.tls is false");
        }
    }

    /** Without the password. */
    @Override
    public String toString() {
        return "RedisSettings[host=" + host + ", port=" + port + ", user=" + user + ", password=" + (password == null ? null : "(redacted)")
                + ", tls=" + tls + ", database=" + database + ", timeout=" + timeout + ", maxConnections=" + maxConnections
                + ", retryAfter=" + retryAfter + "]";
    }
}
