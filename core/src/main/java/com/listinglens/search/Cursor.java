package com.listinglens.search;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the next page of a search starts: the search's id (its query is kept server-side) and an offset into its
 * ranking. Written {@code <32 hex digits>.<offset>}; pure.
 */
public record Cursor(String searchId, int offset) {

    private static final Pattern FORMAT = Pattern.compile("([0-9a-f]{32})\\.(\\d{1,7})");

    public Cursor {
        if (searchId == null || !searchId.matches("[0-9a-f]{32}")) {
            throw new IllegalArgumentException("a search id is 32 hexadecimal digits");
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0");
        }
    }

    /** Reads a cursor; anything else is an {@link IllegalArgumentException}. */
    public static Cursor parse(String text) {
        Matcher m = text == null ? null : FORMAT.matcher(text.strip());
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("not a search cursor: '" + text + "'");
        }
        return new Cursor(m.group(1), Integer.parseInt(m.group(2)));
    }

    @Override
    public String toString() {
        return searchId + "." + offset;
    }
}
