package com.listinglens.live;

import com.listinglens.pool.ChangeId;

import java.time.Instant;
import java.util.List;

/**
 * The durable, ordered log of live changes per tenant, shared by every replica and release colour. Appends are
 * atomic: a batch lands whole or not at all. Implementations throw
 * {@link com.listinglens.cache.StoreUnavailableException} when the log cannot be reached.
 */
public interface ChangeLog extends AutoCloseable {

    /** Appends the changes in order, atomically; returns them with their log ids. */
    List<Change> append(String tenant, List<Change> changes);

    /**
     * Up to {@code max} entries after {@code after} (exclusive; null or ZERO: from the start), in log order. Entries
     * that cannot be read are skipped and named in {@link Batch#errors()}; {@link Batch#last()} is the last entry
     * seen either way (null: none), so a reader moves past them.
     */
    Batch read(String tenant, ChangeId after, int max);

    /** What one read returned. */
    record Batch(List<Change> changes, ChangeId last, List<String> errors) {
        public boolean isEmpty() {
            return last == null;
        }
    }

    /** The id of the last change of the tenant (ZERO: none). */
    ChangeId last(String tenant);

    /** Entries the tenant's log holds now. */
    long length(String tenant);

    /**
     * Records that {@code replica}'s serving pool folded the tenant's log through {@code folded} (ZERO: none) until
     * {@code expiresAt}: while the record lives, no entry after {@code folded} is trimmed. Returns the id through which
     * the log has been trimmed (ZERO: never), read atomically with the record: when it is not after {@code folded},
     * every entry after {@code folded} is there to replay, and stays there while the record is refreshed.
     */
    ChangeId hold(String tenant, String replica, ChangeId folded, Instant expiresAt);

    /** Drops the replica's record (it stops serving the tenant); the log may then be trimmed past it. */
    void release(String tenant, String replica);

    /** The unexpired records of the tenant's replicas at {@code now}. */
    List<Hold> holds(String tenant, Instant now);

    /** One replica's record: how far its serving pool folded the log, and until when the record counts. */
    record Hold(String replica, ChangeId folded, Instant expiresAt) {
    }

    /**
     * Removes the entries that every unexpired record's pool has folded (those at or before the lowest record), in
     * one atomic step with reading the records; expired records are dropped. Nothing is removed while no record lives,
     * or the lowest is ZERO.
     */
    Trim trim(String tenant, Instant now);

    /** What a trim did: the log is trimmed through {@code through} (ZERO: never); {@code holders} records counted. */
    record Trim(ChangeId through, long removed, int holders) {
    }

    /** The id through which the tenant's log has been trimmed: every entry up to it is gone (ZERO: never trimmed). */
    ChangeId trimmed(String tenant);

    /** Where the log lives, for messages. */
    String describe();

    @Override
    void close();
}
