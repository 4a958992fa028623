package dev.convene.signaling.turn;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The TURN servers handed to clients in the join answer, and the secret they share with
 * Convene (coturn's {@code use-auth-secret} / {@code static-auth-secret}).
 *
 * @param urls {@code turn:} and {@code turns:} URLs (RFC 7065), e.g.
 *     {@code turn:turn.example.org:3478?transport=udp}; empty for no TURN
 * @param secret the shared secret credentials are derived from
 * @param ttl how long a credential stays valid; it must cover a whole meeting, since the client
 *     refreshes its allocation with the same credential
 */
public record TurnConfig(List<String> urls, String secret, Duration ttl) {

    public static final Duration DEFAULT_TTL = Duration.ofHours(24);
    /** No TURN server: {@code ice_servers} stays empty. */
    public static final TurnConfig NONE = new TurnConfig(List.of(), null, DEFAULT_TTL);
    /** Shorter secrets are refused: anyone who guesses it can relay through the TURN server. */
    public static final int MIN_SECRET_LENGTH = 16;

    public TurnConfig {
        urls = List.copyOf(Objects.requireNonNull(urls, "urls"));
        Objects.requireNonNull(ttl, "ttl");
        for (String url : urls) {
            requireTurnUrl(url);
        }
        if (!urls.isEmpty() && (secret == null || secret.length() < MIN_SECRET_LENGTH)) {
            throw new IllegalArgumentException("TURN URLs need a shared secret of at least " + MIN_SECRET_LENGTH
                    + " characters (--turn-secret, as coturn's static-auth-secret)");
        }
        if (urls.isEmpty() && secret != null) {
            throw new IllegalArgumentException("a TURN secret was given without TURN URLs (--turn-urls)");
        }
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(Duration.ofDays(30)) > 0) {
            throw new IllegalArgumentException("the TURN credential lifetime must be above 0 and at most 30 days, not " + ttl);
        }
    }

    public boolean enabled() {
        return !urls.isEmpty();
    }

    private static void requireTurnUrl(String url) {
        String lower = url == null ? "" : url.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("turn:") && !lower.startsWith("turns:")) {
            throw new IllegalArgumentException("a TURN URL starts with turn: or turns:, not '" + url + "'");
        }
        // RFC 7065: turn:host[:port][?transport=udp|tcp]; an opaque URI, so split by hand.
        String rest = url.substring(url.indexOf(':') + 1);
        String[] hostAndQuery = rest.split("\\?", 2);
        String host = hostAndQuery[0];
        if (host.isBlank() || host.startsWith("/") || host.contains("@") || host.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("a TURN URL is turn:host[:port][?transport=udp|tcp], not '" + url + "'");
        }
        if (hostAndQuery.length == 2 && !hostAndQuery[1].equals("transport=udp") && !hostAndQuery[1].equals("transport=tcp")) {
            throw new IllegalArgumentException("a TURN URL's only parameter is transport=udp or transport=tcp: '" + url + "'");
        }
    }

    @Override
    public String toString() {
        return "TurnConfig[urls=" + urls + ", secret=" + (secret == null ? "none" : "***") + ", ttl=" + ttl + "]";
    }
}
