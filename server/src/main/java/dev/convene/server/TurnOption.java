package dev.convene.server;

import dev.convene.signaling.turn.TurnConfig;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code --turn-urls}, {@code --turn-secret}, {@code --turn-ttl} → {@link TurnConfig}. */
final class TurnOption {

    private static final Pattern TTL = Pattern.compile("(\\d{1,7})(s|m|h|d)");

    private TurnOption() {}

    static TurnConfig parse(List<String> urls, String secret, String ttl) {
        List<String> cleaned = urls == null ? List.of()
                : urls.stream().map(String::strip).filter(u -> !u.isEmpty()).toList();
        String s = secret == null || secret.isEmpty() ? null : secret;
        return new TurnConfig(cleaned, s, ttl(ttl));
    }

    static Duration ttl(String value) {
        Matcher m = TTL.matcher(value == null ? "" : value.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("--turn-ttl looks like 3600s, 90m, 24h or 1d, not '" + value + "'");
        }
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }
}
