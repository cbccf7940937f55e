package com.listinglens.live;

import com.listinglens.cache.CacheKeys;
import com.listinglens.cache.RedisStore;
import com.listinglens.pool.ChangeId;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The change log as one Redis stream per tenant ({@code lens:v1:changes:<tenant>}): entry ids give the order and
 * the "applied through" position, a batch is appended in one MULTI/EXEC, and every replica reads the same stream.
 * Durable as far as the Redis server is (run it with AOF persistence in production).
 * <p>
 * Trimming: each serving replica records in {@code lens:v1:folded:<tenant>} (a hash, field = replica id, value =
 * {@code "<folded through> <expires at ms>"}) how far its pool folded the log; {@link #trim} removes, in one Lua
 * script, the entries at or before the lowest unexpired record ({@code XTRIM MINID}) and keeps in
 * {@code lens:v1:trimmed:<tenant>} the id of the last entry it ever removed. Neither key has a TTL, so a
 * {@code volatile-*} eviction policy never takes them. The scripts declare {@code allow-oom}: Redis 7.0 or later.
 */
public final class RedisChangeLog implements ChangeLog {

    /**
     * KEYS: folded hash, trimmed key; ARGV: replica, "<id> <expires ms>". Records, then reads the trim point. Allowed
     * when Redis is over maxmemory (allow-oom, Redis 7): a record is a few bytes, and trimming, which frees memory,
     * depends on it.
     */
    private static final String HOLD = """
            #!lua flags=allow-oom
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            return redis.call('GET', KEYS[2])
            """;

    /**
     * KEYS: folded hash, stream, trimmed key; ARGV: now (ms). Drops expired (or unreadable) records, takes the lowest
     * live one, records the last entry at or before it as the trim point (never moving back) and then removes the
     * entries up to it: should the removal fail, the trim point only claims too much, and pools are refused rather than
     * changes lost. Runs when Redis is over maxmemory (allow-oom): it is what frees the memory the log holds.
     * Returns {trimmed through (or ''), entries removed, live records}.
     */
    private static final String TRIM = """
            #!lua flags=allow-oom
            local now = tonumber(ARGV[1])
            local fields = redis.call('HGETALL', KEYS[1])
            local minMs, minSeq, minText, holders = nil, nil, nil, 0
            for i = 1, #fields, 2 do
              local ms, seq, exp = string.match(fields[i + 1], '^(%d+)%-(%d+) (%d+)$')
              if ms == nil or tonumber(exp) <= now then
                redis.call('HDEL', KEYS[1], fields[i])
              else
                holders = holders + 1
                local m, s = tonumber(ms), tonumber(seq)
                if minMs == nil or m < minMs or (m == minMs and s < minSeq) then
                  minMs, minSeq, minText = m, s, ms .. '-' .. seq
                end
              end
            end
            local old = redis.call('GET', KEYS[3])
            if minMs == nil or (minMs == 0 and minSeq == 0) then
              return {old or '', 0, holders}
            end
            local last = redis.call('XREVRANGE', KEYS[2], minText, '-', 'COUNT', 1)
            if #last == 0 then
              return {old or '', 0, holders}
            end
            local lastId = last[1][1]
            local through = lastId
            if old then
              local oms, oseq = string.match(old, '^(%d+)%-(%d+)$')
              local lms, lseq = string.match(lastId, '^(%d+)%-(%d+)$')
              if oms and (tonumber(oms) > tonumber(lms) or (tonumber(oms) == tonumber(lms) and tonumber(oseq) > tonumber(lseq))) then
                through = old
              end
            end
            redis.call('SET', KEYS[3], through)
            local removed = redis.call('XTRIM', KEYS[2], 'MINID', '=', string.match(minText, '^(%d+)') .. '-' .. (minSeq + 1))
            return {through, removed, holders}
            """;

    private static final Pattern HOLD_VALUE = Pattern.compile("(\\d+-\\d+) (\\d+)");

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
    public long length(String tenant) {
        return redis.streamLength(CacheKeys.changes(tenant));
    }

    @Override
    public ChangeId hold(String tenant, String replica, ChangeId folded, Instant expiresAt) {
        Object trimmed = redis.eval(HOLD, List.of(CacheKeys.folded(tenant), CacheKeys.trimmed(tenant)),
                List.of(replica, (folded == null ? ChangeId.ZERO : folded) + " " + expiresAt.toEpochMilli()));
        return trimmed == null ? ChangeId.ZERO : ChangeId.parse(trimmed.toString());
    }

    @Override
    public void release(String tenant, String replica) {
        redis.eval("return redis.call('HDEL', KEYS[1], ARGV[1])", List.of(CacheKeys.folded(tenant)), List.of(replica));
    }

    @Override
    public List<Hold> holds(String tenant, Instant now) {
        Object reply = redis.eval("return redis.call('HGETALL', KEYS[1])", List.of(CacheKeys.folded(tenant)), List.of());
        List<?> flat = (List<?>) reply;
        List<Hold> out = new ArrayList<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            Matcher m = HOLD_VALUE.matcher(flat.get(i + 1).toString());
            if (m.matches()) {
                Instant expires = Instant.ofEpochMilli(Long.parseLong(m.group(2)));
                if (expires.isAfter(now)) {
                    out.add(new Hold(flat.get(i).toString(), ChangeId.parse(m.group(1)), expires));
                }
            }
        }
        out.sort(Comparator.comparing(Hold::folded).thenComparing(Hold::replica));
        return out;
    }

    @Override
    public Trim trim(String tenant, Instant now) {
        List<?> reply = (List<?>) redis.eval(TRIM,
                List.of(CacheKeys.folded(tenant), CacheKeys.changes(tenant), CacheKeys.trimmed(tenant)),
                List.of(Long.toString(now.toEpochMilli())));
        String through = reply.get(0).toString();
        return new Trim(through.isEmpty() ? ChangeId.ZERO : ChangeId.parse(through), ((Number) reply.get(1)).longValue(),
                ((Number) reply.get(2)).intValue());
    }

    @Override
    public ChangeId trimmed(String tenant) {
        return redis.get(CacheKeys.trimmed(tenant)).map(ChangeId::parse).orElse(ChangeId.ZERO);
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
