package dev.convene.server;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A duration from the command line: {@code 30s}, {@code 2m}, {@code 1h}. */
final class DurationOption {

    private static final Pattern FORMAT = Pattern.compile("(\\d{1,6})(s|m|h)");

    private DurationOption() {}

    static Duration parse(String value, String flag) {
        Matcher m = FORMAT.matcher(value == null ? "" : value.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException(flag + " looks like 30s, 2m or 1h, not '" + value + "'");
        }
        long amount = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
        if (d.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException(flag + " must be at least 1s, not '" + value + "'");
        }
        return d;
    }
}
