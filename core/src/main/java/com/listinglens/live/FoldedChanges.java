package com.listinglens.live;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.listinglens.pool.ChangeId;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The live changes a pool folded, compacted to the last change of each listing, as a pool file
 * ({@link com.listinglens.pool.PoolFiles#LIVE_CHANGES}): one JSON object a line, the change-log entry's fields
 * ({@link ChangeCodec}) with its log id under {@code "log"}. The next build starts from them instead of the change
 * log's beginning, so the log can be trimmed once every serving pool has folded it: replaying the compacted changes
 * and then the log after the fold gives the same listings as replaying the whole log.
 */
public final class FoldedChanges {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LOG_ID = "log";

    private FoldedChanges() {
    }

    /** The last change of each listing, in log order (a removal is kept: the catalogs may still hold the listing). */
    public static List<Change> compact(List<Change> changes) {
        Map<String, Change> last = new LinkedHashMap<>();
        for (Change c : changes) {
            last.remove(c.listingId());
            last.put(c.listingId(), c);
        }
        List<Change> out = new ArrayList<>(last.values());
        out.sort(Comparator.comparing(Change::id));
        return out;
    }

    public static void write(Path file, List<Change> changes) {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Change c : changes) {
                if (c.id() == null) {
                    throw new IllegalArgumentException("change of " + c.listingId() + " has no log id");
                }
                Map<String, String> fields = new LinkedHashMap<>();
                fields.put(LOG_ID, c.id().toString());
                fields.putAll(ChangeCodec.encode(c));
                out.write(JSON.writeValueAsString(fields));
                out.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads a file written by {@link #write}; a bad line is an {@link IllegalArgumentException} naming it. */
    public static List<Change> read(Path file) {
        List<Change> out = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            long n = 0;
            while ((line = in.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    Map<String, String> fields = new LinkedHashMap<>(JSON.readValue(line, new TypeReference<Map<String, String>>() {
                    }));
                    ChangeId id = ChangeId.parse(fields.remove(LOG_ID));
                    out.add(ChangeCodec.decode(id, fields));
                } catch (JsonProcessingException | IllegalArgumentException e) {
                    throw new IllegalArgumentException(file + ":" + n + ": " + e.getMessage(), e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return out;
    }
}
