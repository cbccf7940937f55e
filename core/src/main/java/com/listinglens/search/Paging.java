package com.listinglens.search;

/**
 * The bounds of a page of search results, checked: {@code limit} in 1..maxPageSize and offset + limit within
 * maxWindow (a search ranks at most maxWindow results, so deeper pages do not exist). Pure.
 */
public record Paging(int offset, int limit) {

    public Paging {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0, got " + offset);
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, got " + limit);
        }
    }

    /** A page from request values (null limit: the default size). */
    public static Paging of(Integer offset, Integer limit, int defaultSize, int maxPageSize, int maxWindow) {
        int o = offset == null ? 0 : offset;
        int l = limit == null ? defaultSize : limit;
        if (l < 1 || l > maxPageSize) {
            throw new IllegalArgumentException("limit must be in 1.." + maxPageSize + ", got " + l);
        }
        if (o < 0) {
            throw new IllegalArgumentException("offset must be >= 0, got " + o);
        }
        if ((long) o + l > maxWindow) {
            throw new IllegalArgumentException("offset + limit = " + ((long) o + l) + " goes beyond the " + maxWindow
                    + " best results a search ranks; narrow the search with filters instead");
        }
        return new Paging(o, l);
    }

    /** Results to rank for this page. */
    public int depth() {
        return offset + limit;
    }

    /** The page after this one, if the window allows it (else null). */
    public Paging next(int maxWindow) {
        int o = offset + limit;
        if (o >= maxWindow) {
            return null;
        }
        return new Paging(o, Math.min(limit, maxWindow - o));
    }
}
