package com.listinglens.config;

import org.eclipse.microprofile.config.spi.Converter;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as application.properties writes them, read the way Quarkus reads them inside the service, so the tools
 * and the Spark job (SmallRye Config without Quarkus) read the same file: a number alone is seconds; a number with
 * {@code ms}, {@code s}, {@code m}, {@code h} or {@code d}; or ISO-8601 ({@code PT1M30S}, {@code P1D}).
 */
public final class DurationConverter implements Converter<Duration> {

    private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|s|m|h|d)?");

    @Override
    public Duration convert(String value) {
        String v = value.trim();
        if (v.isEmpty()) {
            return null;
        }
        Matcher m = SHORT.matcher(v);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            return switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        String upper = v.toUpperCase(Locale.ROOT);
        try {
            return Duration.parse(upper.startsWith("P") || upper.startsWith("-P") ? upper : "PT" + upper);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + value + "' is not a duration (500ms, 30s, 5m, 24h, 1d or ISO-8601 PT1M30S)", e);
        }
    }
}
