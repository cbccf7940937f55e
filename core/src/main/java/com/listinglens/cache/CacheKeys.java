package com.listinglens.cache;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Redis keys, pure. An answer's key holds everything the answer depends on: the photos' bytes (in order),
 * the model's fingerprint, the pool's version and the tenant, so that two release colours with different
 * models or pools never read each other's entries, while colours serving the same model and pool share them.
 */
public final class CacheKeys {

    private static final String PREFIX = "lens:v1:";
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final Pattern SESSION_ID = Pattern.compile("[0-9a-f]{32}");

    private CacheKeys() {
    }

    /** Key of the answer for these photos, in this order, from this model, pool and tenant. */
    public static String answer(String tenant, String modelSha256, String poolVersion, List<byte[]> photos) {
        return answer(tenant, modelSha256, poolVersion, photosDigest(photos));
    }

    /** Key of an answer from the photos' {@link #photosDigest digest} (hash the photos once per request). */
    public static String answer(String tenant, String modelSha256, String poolVersion, String photosDigest) {
        return PREFIX + "answer:" + safe("tenant", tenant) + ":" + safe("model", modelSha256) + ":"
                + safe("pool", poolVersion) + ":" + safe("photos digest", photosDigest);
    }

    /** sha-256 over the sha-256 of each photo, in order: photo order and boundaries matter. */
    public static String photosDigest(List<byte[]> photos) {
        if (photos.isEmpty()) {
            throw new IllegalArgumentException("at least one photo is required");
        }
        MessageDigest all = digest();
        for (byte[] photo : photos) {
            all.update(digest().digest(photo));
        }
        return HexFormat.of().formatHex(all.digest());
    }

    /** The stream of a tenant's live listing changes. */
    public static String changes(String tenant) {
        return PREFIX + "changes:" + safe("tenant", tenant);
    }

    /**
     * The hash of how far each serving replica's pool folded the tenant's change log (field: replica id, value:
     * {@code "<change id> <expires at, epoch ms>"}); the log is trimmed below the lowest live entry. No TTL.
     */
    public static String folded(String tenant) {
        return PREFIX + "folded:" + safe("tenant", tenant);
    }

    /** The id through which the tenant's change log was trimmed (absent: never). No TTL. */
    public static String trimmed(String tenant) {
        return PREFIX + "trimmed:" + safe("tenant", tenant);
    }

    /** Key of a search's stored query (what its cursor pages through). */
    public static String search(String id) {
        if (!isSessionId(id)) {
            throw new IllegalArgumentException("not a search id: " + id);
        }
        return PREFIX + "search:" + id;
    }

    /** Key of a suggestion session. */
    public static String session(String id) {
        if (!isSessionId(id)) {
            throw new IllegalArgumentException("not a suggestion id: " + id);
        }
        return PREFIX + "session:" + id;
    }

    public static boolean isSessionId(String id) {
        return id != null && SESSION_ID.matcher(id).matches();
    }

    private static String safe(String what, String value) {
        if (value == null || !SAFE.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " must be 1-128 characters of [A-Za-z0-9._-], got '" + value + "'");
        }
        return value;
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
