package dev.convene.server;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A duration from the command line: {@code 500ms}, {@code 10s}, {@code 5m}, {@code 24h}, {@code 7d}. */
final class DurationOption {

    private static final Pattern FORMAT = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

    private DurationOption() {}

    /** A duration above zero. */
    static Duration parse(String value) {
        Matcher m = FORMAT.matcher(value == null ? "" : value.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("a duration looks like 10s, 5m or 24h (ms, s, m, h, d), not '" + value + "'");
        }
        long amount = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
        if (d.isZero()) {
            throw new IllegalArgumentException("a duration must be above zero: '" + value + "'");
        }
        return d;
    }

    /** A duration of at least one second, for {@code flag}; errors name the flag. */
    static Duration parse(String value, String flag) {
        Duration d;
        try {
            d = parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + ": " + e.getMessage(), e);
        }
        if (d.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException(flag + " must be at least 1s, not '" + value + "'");
        }
        return d;
    }
}
