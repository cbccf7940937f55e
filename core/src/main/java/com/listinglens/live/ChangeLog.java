package com.listinglens.live;

import com.listinglens.pool.ChangeId;

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

    /** Where the log lives, for messages. */
    String describe();

    @Override
    void close();
}
