package com.listinglens.live;

import com.listinglens.cache.CacheKeys;
import com.listinglens.cache.RedisStore;
import com.listinglens.pool.ChangeId;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The change log as one Redis stream per tenant ({@code lens:v1:changes:<tenant>}): entry ids give the order and
 * the "applied through" position, a batch is appended in one MULTI/EXEC, and every replica reads the same stream.
 * Durable as far as the Redis server is (run it with AOF persistence in production).
 */
public final class RedisChangeLog implements ChangeLog {

    private final RedisStore redis;
    private final boolean owned;

    /** @param owned close {@code redis} with the log */
    public RedisChangeLog(RedisStore redis, boolean owned) {
        this.redis = redis;
        this.owned = owned;
    }

    @Override
    public List<Change> append(String tenant, List<Change> changes) {
        if (changes.isEmpty()) {
            return List.of();
        }
        List<Map<String, String>> entries = changes.stream().map(ChangeCodec::encode).toList();
        List<String> ids = redis.appendAll(CacheKeys.changes(tenant), entries);
        List<Change> out = new ArrayList<>(changes.size());
        for (int i = 0; i < changes.size(); i++) {
            out.add(changes.get(i).withId(ChangeId.parse(ids.get(i))));
        }
        return out;
    }

    @Override
    public Batch read(String tenant, ChangeId after, int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be >= 1");
        }
        ChangeId from = after == null ? ChangeId.ZERO : after;
        List<RedisStore.StreamEntry> entries = redis.readAfter(CacheKeys.changes(tenant), from.toString(), max);
        List<Change> changes = new ArrayList<>(entries.size());
        List<String> errors = new ArrayList<>();
        ChangeId last = null;
        for (RedisStore.StreamEntry e : entries) {
            ChangeId id = ChangeId.parse(e.id());
            last = id;
            try {
                changes.add(ChangeCodec.decode(id, e.fields()));
            } catch (IllegalArgumentException ex) {
                errors.add(ex.getMessage());
            }
        }
        return new Batch(changes, last, errors);
    }

    @Override
    public ChangeId last(String tenant) {
        return redis.lastId(CacheKeys.changes(tenant)).map(ChangeId::parse).orElse(ChangeId.ZERO);
    }

    @Override
    public String describe() {
        return "Redis " + redis.address();
    }

    @Override
    public void close() {
        if (owned) {
            redis.close();
        }
    }
}
