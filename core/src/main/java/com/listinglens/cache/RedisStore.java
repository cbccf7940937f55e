package com.listinglens.cache;

import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Response;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.params.XAddParams;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;

import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A small, fail-fast view of Redis over a Jedis connection pool. Every command is bounded by the configured
 * timeout (connect, socket and pool wait alike). After a failure Redis is left alone for {@code retryAfter},
 * during which calls fail at once instead of each waiting a timeout; the pool then reconnects by itself.
 * A connection broken by a Redis restart is retried once on a fresh connection.
 */
public final class RedisStore implements AutoCloseable {

    private final RedisSettings settings;
    private final JedisPool pool;
    private final long retryAfterNanos;
    private volatile long restUntilNanos;
    private volatile String lastFailure;
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong commands = new AtomicLong();

    public RedisStore(RedisSettings settings) {
        this.settings = settings;
        int millis = (int) Math.max(1, settings.timeout().toMillis());
        DefaultJedisClientConfig.Builder builder = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(millis)
                .socketTimeoutMillis(millis)
                .user(settings.user())
                .password(settings.password())
                .database(settings.database())
                .ssl(settings.tls())
                .clientName("listing-lens");
        if (settings.tls()) {
            // the certificate must name the host (JDK TLS sockets skip that check unless asked), and chain to the CA file
            builder.sslParameters(RedisTls.verifyingHostName());
            if (settings.tlsCaFile() != null) {
                builder.sslSocketFactory(RedisTls.trusting(settings.tlsCaFile()));
            }
        }
        JedisClientConfig client = builder.build();
        GenericObjectPoolConfig<Jedis> poolConfig = new GenericObjectPoolConfig<>();
        poolConfig.setMaxTotal(settings.maxConnections());
        poolConfig.setMaxIdle(settings.maxConnections());
        poolConfig.setMaxWait(settings.timeout());
        poolConfig.setBlockWhenExhausted(true);
        poolConfig.setTestWhileIdle(true);
        poolConfig.setTimeBetweenEvictionRuns(Duration.ofSeconds(30));
        poolConfig.setJmxEnabled(false);
        this.pool = new JedisPool(poolConfig, new HostAndPort(settings.host(), settings.port()), client);
        this.retryAfterNanos = settings.retryAfter().toNanos();
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(run(j -> j.get(key)));
    }

    public void set(String key, String value, Duration ttl) {
        run(j -> j.set(key, value, SetParams.setParams().px(Math.max(1, ttl.toMillis()))));
    }

    /** A stream entry: its id and fields. */
    public record StreamEntry(String id, Map<String, String> fields) {
    }

    /** Appends entries to a stream in one MULTI/EXEC transaction (all or none); returns their ids in order. */
    public List<String> appendAll(String stream, List<Map<String, String>> entries) {
        return run(j -> {
            Transaction tx = j.multi();
            List<Response<StreamEntryID>> ids = new ArrayList<>(entries.size());
            for (Map<String, String> e : entries) {
                ids.add(tx.xadd(stream, XAddParams.xAddParams(), e));
            }
            tx.exec();
            List<String> out = new ArrayList<>(ids.size());
            for (Response<StreamEntryID> r : ids) {
                out.add(r.get().toString());
            }
            return out;
        });
    }

    /** Up to {@code count} stream entries after {@code afterId} (exclusive), oldest first. */
    public List<StreamEntry> readAfter(String stream, String afterId, int count) {
        return run(j -> j.xrange(stream, "(" + afterId, "+", count).stream()
                .map(e -> new StreamEntry(e.getID().toString(), e.getFields())).toList());
    }

    /** The id of a stream's last entry, if any. */
    public Optional<String> lastId(String stream) {
        return run(j -> j.xrevrange(stream, "+", "-", 1).stream().findFirst().map(e -> e.getID().toString()));
    }

    /** Entries in a stream (0: none, or no such stream). */
    public long streamLength(String stream) {
        return run(j -> j.xlen(stream));
    }

    /**
     * Runs a Lua script (atomically, as Redis runs scripts): integers come back as {@link Long}, bulk strings as
     * {@link String}, arrays as {@link List}, nil as null.
     */
    public Object eval(String script, List<String> keys, List<String> args) {
        return run(j -> j.eval(script, keys, args));
    }

    public boolean ping() {
        try {
            return "PONG".equals(run(Jedis::ping));
        } catch (StoreUnavailableException e) {
            return false;
        }
    }

    /** Not resting after a failure (Redis may still be down: the next command finds out). */
    public boolean isAvailable() {
        return System.nanoTime() - restUntilNanos >= 0;
    }

    public long failures() {
        return failures.get();
    }

    public long commands() {
        return commands.get();
    }

    public String lastFailure() {
        return lastFailure;
    }

    public String address() {
        return settings.host() + ":" + settings.port() + "/" + settings.database();
    }

    private <T> T run(Function<Jedis, T> command) {
        if (!isAvailable()) {
            throw new StoreUnavailableException("Redis at " + address() + " is resting after a failure: " + lastFailure, null);
        }
        commands.incrementAndGet();
        try {
            return once(command);
        } catch (JedisConnectionException first) {
            if (isTimeout(first)) {
                throw fail(first);
            }
            // a connection broken by a restart: drop the idle ones and try once on a fresh connection
            pool.clear();
            try {
                return once(command);
            } catch (JedisException second) {
                throw fail(second);
            }
        } catch (JedisException e) {
            throw fail(e);
        }
    }

    private <T> T once(Function<Jedis, T> command) {
        try (Jedis jedis = pool.getResource()) {
            return command.apply(jedis);
        }
    }

    private StoreUnavailableException fail(JedisException e) {
        failures.incrementAndGet();
        lastFailure = e.getMessage();
        restUntilNanos = System.nanoTime() + retryAfterNanos;
        return new StoreUnavailableException("Redis at " + address() + " failed: " + e.getMessage(), e);
    }

    private static boolean isTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException || (t.getMessage() != null && t.getMessage().contains("timed out"))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        pool.close();
    }
}
