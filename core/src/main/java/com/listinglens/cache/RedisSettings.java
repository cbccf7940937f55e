package com.listinglens.cache;

import java.time.Duration;

/** How to reach Redis; see {@code lens.redis.*}. */
public record RedisSettings(String host, int port, String user, String password, boolean tls, int database,
                            Duration timeout, int maxConnections, Duration retryAfter) {
    public RedisSettings {
        if (host == null || host.isBlank() || port < 1 || port > 65535) {
            throw new IllegalArgumentException("redis host and port (1-65535) are required");
        }
        if (database < 0 || maxConnections < 1 || timeout.isNegative() || timeout.isZero() || retryAfter.isNegative()) {
            throw new IllegalArgumentException("redis database >= 0, max connections >= 1, timeout > 0 and retry-after >= 0 are required");
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
