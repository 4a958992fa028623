package dev.convene.server;

import dev.convene.store.RateLimiter.Limit;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A rate limit from the command line: {@code 20/1m} is a bucket of 20 refilled every minute. */
final class RateLimitOption {

    private static final Pattern FORMAT = Pattern.compile("(\\d{1,9})/(\\d{1,6})(s|m|h)");

    private RateLimitOption() {}

    static Limit parse(String value) {
        Matcher m = FORMAT.matcher(value.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("a rate limit looks like 20/1m (count/period in s, m or h), not '" + value + "'");
        }
        long count = Long.parseLong(m.group(1));
        long amount = Long.parseLong(m.group(2));
        Duration period = switch (m.group(3)) {
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
        if (count < 1 || period.isZero()) {
            throw new IllegalArgumentException("a rate limit needs a count and a period above zero: '" + value + "'");
        }
        return Limit.of(count, period);
    }
}
