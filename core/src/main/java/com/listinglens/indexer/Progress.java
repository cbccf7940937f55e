package com.listinglens.indexer;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress bar for long commands: redrawn in place on a terminal, a line every 10 % otherwise (logs, CI).
 */
public final class Progress {

    private final PrintStream out;
    private final String label;
    private final long total;
    private final boolean terminal;
    private final long startNanos = System.nanoTime();
    private long done;
    private long lastDrawNanos;
    private int lastDecile = -1;

    public Progress(PrintStream out, String label, long total) {
        this.out = out;
        this.label = label;
        this.total = Math.max(0, total);
        this.terminal = System.console() != null && System.getenv("CI") == null;
    }

    public synchronized void advance(long n) {
        done += n;
        long now = System.nanoTime();
        int decile = total == 0 ? 10 : (int) (10 * done / total);
        if (terminal ? now - lastDrawNanos > 200_000_000L || done >= total : decile != lastDecile) {
            lastDrawNanos = now;
            lastDecile = decile;
            draw(now);
        }
    }

    public synchronized double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    public synchronized void finish() {
        if (terminal) {
            draw(System.nanoTime());
            out.println();
        }
    }

    private void draw(long now) {
        double seconds = (now - startNanos) / 1e9;
        double rate = seconds > 0 ? done / seconds : 0;
        double eta = rate > 0 ? (total - done) / rate : 0;
        int width = 30;
        int filled = total == 0 ? width : (int) (width * done / total);
        String bar = "=".repeat(filled) + (filled < width ? ">" + " ".repeat(width - filled - 1) : "");
        String line = String.format(Locale.ROOT, "%s [%s] %d/%d %.1f/s elapsed %.0fs eta %.0fs",
                label, bar, done, total, rate, seconds, eta);
        out.print(terminal ? "\r" + line : line + System.lineSeparator());
        out.flush();
    }
}
