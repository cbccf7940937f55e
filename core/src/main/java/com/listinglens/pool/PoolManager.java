package com.listinglens.pool;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Holds the pool being served and swaps it for a new one without dropping a request, after Lucene's
 * {@code SearcherManager}: a request {@link #acquire() acquires} the current pool and releases it when
 * done; {@link #swap(Pool)} publishes a new pool at once, and the old one is closed when its last
 * request has released it.
 */
public final class PoolManager implements AutoCloseable {

    private final AtomicReference<Pool> current = new AtomicReference<>();

    /** The pool now served, referenced for the caller; release it with {@link #release(Pool)}. */
    public Pool acquire() {
        while (true) {
            Pool pool = current.get();
            if (pool == null) {
                throw new PoolException("no pool is loaded yet");
            }
            if (pool.tryIncRef()) {
                return pool;
            }
            // released between get() and tryIncRef(): a swap happened, read the new one
        }
    }

    public void release(Pool pool) {
        pool.decRef();
    }

    /** Serves {@code next} from now on; the previous pool is freed once its last user has released it. */
    public void swap(Pool next) {
        Pool previous = current.getAndSet(next);
        if (previous != null) {
            previous.decRef();
        }
    }

    public boolean isLoaded() {
        return current.get() != null;
    }

    /** The manifest of the pool now served, if any (no reference taken: metadata only). */
    public Optional<Manifest> manifest() {
        Pool pool = current.get();
        return pool == null ? Optional.empty() : Optional.of(pool.manifest());
    }

    @Override
    public void close() {
        Pool previous = current.getAndSet(null);
        if (previous != null) {
            previous.decRef();
        }
    }
}
