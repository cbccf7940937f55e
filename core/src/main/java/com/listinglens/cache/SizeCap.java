package com.listinglens.cache;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;

/**
 * Fits a value holding a list into a byte budget by keeping the list's first items (the most relevant, by the
 * caller's order): the longest prefix whose rendering is at most {@code maxBytes} of UTF-8. Pure.
 */
public final class SizeCap {

    private SizeCap() {
    }

    /** The rendering kept and how many items it holds; {@code value} null when not even the empty list fits. */
    public record Fitted(String value, int kept, int bytes) {
    }

    /** @param render the value holding the given prefix of {@code items} (longer prefixes never render shorter) */
    public static <T> Fitted fit(List<T> items, Function<List<T>, String> render, int maxBytes) {
        String all = render.apply(items);
        int allBytes = bytes(all);
        if (allBytes <= maxBytes) {
            return new Fitted(all, items.size(), allBytes);
        }
        // the longest prefix that fits, by bisection: lo fits (or is -1: none does), hi does not
        int lo = -1;
        String best = null;
        int bestBytes = 0;
        int hi = items.size();
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            String v = render.apply(items.subList(0, mid));
            int b = bytes(v);
            if (b <= maxBytes) {
                lo = mid;
                best = v;
                bestBytes = b;
            } else {
                hi = mid;
            }
        }
        return lo < 0 ? new Fitted(null, 0, 0) : new Fitted(best, lo, bestBytes);
    }

    public static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
