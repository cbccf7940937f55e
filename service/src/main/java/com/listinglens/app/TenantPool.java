package com.listinglens.app;

import com.listinglens.pool.Manifest;
import com.listinglens.pool.PoolManager;
import com.listinglens.storage.Pointer;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One tenant's (marketplace's) pool and where its synchronisation with the store stands. Requests of the tenant
 * acquire its pool from {@link #pools()}; nothing here is ever shared between tenants.
 */
public final class TenantPool {

    /** A version that failed its checks, kept until a version is accepted again. */
    public record Refusal(String version, String reason, String message, Instant at) {
    }

    private final String tenant;
    private final PoolManager pools = new PoolManager();
    final Object syncLock = new Object();
    private volatile Instant lastSync;
    private volatile String storeError;
    private volatile Instant storeErrorAt;
    private volatile Refusal refusal;
    volatile String refusedPointer;
    /** The pointer of the version served, as it was read when it was swapped in (null: none yet, or pinned). */
    volatile Pointer servedPointer;

    TenantPool(String tenant) {
        this.tenant = tenant;
    }

    public String tenant() {
        return tenant;
    }

    public PoolManager pools() {
        return pools;
    }

    public Optional<Manifest> serving() {
        return pools.manifest();
    }

    /** Last time the store's pointer for this tenant was read (null: never). */
    public Instant lastSync() {
        return lastSync;
    }

    /** Why the store could not be read at the last attempt (null after a successful read). */
    public String storeError() {
        return storeError;
    }

    public Instant storeErrorAt() {
        return storeErrorAt;
    }

    public Refusal refusal() {
        return refusal;
    }

    /** Served data may be out of date: the pointer has not been read for longer than {@code staleAfter}. */
    public boolean stale(Instant now, Duration staleAfter) {
        Instant last = lastSync;
        return last == null || Duration.between(last, now).compareTo(staleAfter) > 0;
    }

    void synced(Instant at) {
        lastSync = at;
        storeError = null;
        storeErrorAt = null;
    }

    void unreachable(String error, Instant at) {
        storeError = error;
        storeErrorAt = at;
    }

    void refused(Refusal r, String pointerKey) {
        refusal = r;
        refusedPointer = pointerKey;
    }

    void accepted(Pointer pointer) {
        refusal = null;
        refusedPointer = null;
        servedPointer = pointer;
    }
}
