package com.listinglens.live;

import com.listinglens.catalog.CatalogReader;
import com.listinglens.catalog.ListingJson;
import com.listinglens.pool.ChangeId;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A change as the fields of one change-log entry, and back. Pure. Embeddings are little-endian float32, base64;
 * the listing is a catalog line. Field {@code v} is the entry format, so a future format is refused instead of misread.
 */
public final class ChangeCodec {

    public static final String FORMAT = "1";

    private ChangeCodec() {
    }

    public static Map<String, String> encode(Change c) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("v", FORMAT);
        m.put("op", c.op().name().toLowerCase(Locale.ROOT));
        m.put("id", c.listingId());
        m.put("at", c.at().toString());
        if (c.op() == Change.Op.ADD) {
            m.put("listing", ListingJson.toLine(c.listing()));
            m.put("space", c.space());
            m.put("embedding", encodeVector(c.embedding()));
        }
        return m;
    }

    /** Reads a log entry; a malformed one is an {@link IllegalArgumentException} naming what is wrong. */
    public static Change decode(ChangeId id, Map<String, String> m) {
        String v = m.get("v");
        if (!FORMAT.equals(v)) {
            throw new IllegalArgumentException("change " + id + ": unknown entry format '" + v + "'");
        }
        String op = m.get("op");
        Instant at;
        try {
            at = Instant.parse(required(id, m, "at"));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("change " + id + ": bad time '" + m.get("at") + "'");
        }
        if ("add".equals(op)) {
            return new Change(id, Change.Op.ADD, null, CatalogReader.parse(required(id, m, "listing")),
                    decodeVector(required(id, m, "embedding")), required(id, m, "space"), at);
        }
        if ("remove".equals(op)) {
            return new Change(id, Change.Op.REMOVE, required(id, m, "id"), null, null, null, at);
        }
        throw new IllegalArgumentException("change " + id + ": unknown op '" + op + "'");
    }

    private static String required(ChangeId id, Map<String, String> m, String field) {
        String value = m.get(field);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("change " + id + ": field '" + field + "' is missing");
        }
        return value;
    }

    public static String encodeVector(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return Base64.getEncoder().encodeToString(b.array());
    }

    public static float[] decodeVector(String text) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("embedding is not base64");
        }
        if (bytes.length == 0 || bytes.length % 4 != 0) {
            throw new IllegalArgumentException("embedding has " + bytes.length + " bytes, not a whole number of floats");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[bytes.length / 4];
        for (int i = 0; i < v.length; i++) {
            v[i] = b.getFloat();
            if (!Float.isFinite(v[i])) {
                throw new IllegalArgumentException("embedding holds a non-finite value");
            }
        }
        return v;
    }
}
