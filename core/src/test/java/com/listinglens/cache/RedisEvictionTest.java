package com.listinglens.cache;

import com.listinglens.support.RedisServer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Helm chart's bundled Redis runs with maxmemory and maxmemory-policy volatile-ttl (helm/listing-lens/README.md,
 * "Redis memory"): filled far past maxmemory with the service's own kinds of keys, it evicts cached answers (1 h TTL)
 * and keeps every change-log entry (a stream without TTL) and the suggestion sessions (24 h TTL).
 */
class RedisEvictionTest {

    @Test
    void volatileTtlEvictsAnswersButNeverTheChangeLogAndSessionsLast() throws Exception {
        try (RedisServer server = RedisServer.with("--maxmemory", "8mb", "--maxmemory-policy", "volatile-ttl");
             RedisStore redis = new RedisStore(new RedisSettings("127.0.0.1", server.port(), null, null, false, 0,
                     Duration.ofSeconds(2), 2, Duration.ZERO))) {
            String answer = "a".repeat(2000);
            String session = "s".repeat(2000);
            String stream = CacheKeys.changes("default");
            List<String> sessions = new ArrayList<>();
            List<String> changeIds = new ArrayList<>();
            int answers = 20_000;   // ~40 MB of answers into 8 MB
            for (int i = 0; i < answers; i++) {
                redis.set(CacheKeys.answer("default", "m", "p", String.format("%064x", i)), answer, Duration.ofHours(1));
                if (i % 200 == 0) {
                    String id = String.format("%032x", i);
                    redis.set(CacheKeys.session(id), session, Duration.ofHours(24));
                    sessions.add(id);
                    changeIds.addAll(redis.appendAll(stream, List.of(Map.of("op", "add", "listing", "L" + i, "payload", "x".repeat(200)))));
                }
            }
            long answersLeft = 0;
            for (int i = 0; i < answers; i++) {
                if (redis.get(CacheKeys.answer("default", "m", "p", String.format("%064x", i))).isPresent()) {
                    answersLeft++;
                }
            }
            assertThat(answersLeft).as("answers kept of %d", answers).isPositive().isLessThan(answers / 2);
            // the change log: every entry, in order
            List<String> read = redis.readAfter(stream, "0-0", changeIds.size() + 10).stream().map(RedisStore.StreamEntry::id).toList();
            assertThat(read).isEqualTo(changeIds);
            // sessions: the longest remaining TTL, so the last to go
            long sessionsLeft = sessions.stream().filter(id -> redis.get(CacheKeys.session(id)).isPresent()).count();
            assertThat(sessionsLeft).as("sessions kept of %d", sessions.size()).isEqualTo(sessions.size());
        }
    }
}
