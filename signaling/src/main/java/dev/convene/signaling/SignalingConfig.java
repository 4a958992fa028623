package dev.convene.signaling;

import dev.convene.signaling.turn.TurnConfig;
import dev.convene.store.RateLimiter.Limit;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a signaling server runs. Build one with {@link #defaults(List)} and the {@code with...}
 * methods; every component is validated here so a bad configuration fails at start, not at the
 * first request.
 *
 * @param bindHost address to listen on ({@code 0.0.0.0} by default)
 * @param httpPort port for HTTP and WebSocket; 0 picks a free one (tests)
 * @param publicBaseUrl the URL clients reach this server at (e.g. {@code https://meet.example.org});
 *     null derives it from each request's scheme and {@code Host} header
 * @param jwtKeys HMAC keys: the first signs, all verify, so a key can be rotated out gradually
 * @param guestAuthEnabled whether {@code POST /v1/auth/guest} hands out access tokens to anyone
 * @param accessTokenTtl lifetime of access tokens
 * @param joinTokenTtl lifetime of join tokens, i.e. how long a joined client has to open its socket
 *     before its seat is given back
 * @param heartbeatTimeout a socket silent this long is closed with 4408 and its participant removed
 * @param maxFrameBytes frames longer than this get {@code frame_too_large} and are dropped
 * @param maxFramesPerSecond frames beyond this per second and socket get {@code rate_limited}
 * @param webRoot classpath folder of the web client, served at {@code /}; absent is fine
 * @param region the region reported for the SFU in join answers
 * @param rateLimits how often one user and one client address may create and join meetings
 * @param turn TURN servers for {@code ice_servers} in join answers, and their shared secret
 */
public record SignalingConfig(
        String bindHost,
        int httpPort,
        String publicBaseUrl,
        List<JwtKey> jwtKeys,
        boolean guestAuthEnabled,
        Duration accessTokenTtl,
        Duration joinTokenTtl,
        Duration heartbeatTimeout,
        int maxFrameBytes,
        int maxFramesPerSecond,
        String webRoot,
        String region,
        RateLimits rateLimits,
        TurnConfig turn) {

    public static final String DEFAULT_BIND_HOST = "0.0.0.0";
    public static final int DEFAULT_HTTP_PORT = 8080;
    public static final Duration DEFAULT_ACCESS_TOKEN_TTL = Duration.ofHours(12);
    public static final Duration DEFAULT_JOIN_TOKEN_TTL = Duration.ofSeconds(60);
    public static final Duration DEFAULT_HEARTBEAT_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_FRAME_BYTES = 64 * 1024;
    public static final int DEFAULT_MAX_FRAMES_PER_SECOND = 50;
    public static final String DEFAULT_WEB_ROOT = "/convene-web";
    public static final String DEFAULT_REGION = "local";

    /** One HMAC-SHA256 signing key and the id ({@code kid} header) tokens name it by. */
    public record JwtKey(String kid, String secret) {
        public JwtKey {
            Objects.requireNonNull(kid, "kid");
            Objects.requireNonNull(secret, "secret");
            if (kid.isBlank()) {
                throw new IllegalArgumentException("JWT key id must not be blank");
            }
            if (secret.length() < 32) {
                throw new IllegalArgumentException("JWT secret of key '" + kid + "' must have at least 32 characters");
            }
        }

        @Override
        public String toString() {
            return "JwtKey[kid=" + kid + ", secret=***]";
        }
    }

    public SignalingConfig {
        Objects.requireNonNull(bindHost, "bindHost");
        jwtKeys = List.copyOf(Objects.requireNonNull(jwtKeys, "jwtKeys"));
        Objects.requireNonNull(accessTokenTtl, "accessTokenTtl");
        Objects.requireNonNull(joinTokenTtl, "joinTokenTtl");
        Objects.requireNonNull(heartbeatTimeout, "heartbeatTimeout");
        Objects.requireNonNull(webRoot, "webRoot");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(rateLimits, "rateLimits");
        Objects.requireNonNull(turn, "turn");
        if (httpPort < 0 || httpPort > 65_535) {
            throw new IllegalArgumentException("httpPort out of range: " + httpPort);
        }
        if (jwtKeys.isEmpty()) {
            throw new IllegalArgumentException("at least one JWT key is needed");
        }
        if (jwtKeys.stream().map(JwtKey::kid).distinct().count() != jwtKeys.size()) {
            throw new IllegalArgumentException("JWT key ids must be unique");
        }
        if (publicBaseUrl != null) {
            URI uri = URI.create(publicBaseUrl);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                throw new IllegalArgumentException("publicBaseUrl must be http(s): " + publicBaseUrl);
            }
            publicBaseUrl = publicBaseUrl.endsWith("/") ? publicBaseUrl.substring(0, publicBaseUrl.length() - 1) : publicBaseUrl;
        }
        requirePositive(accessTokenTtl, "accessTokenTtl");
        requirePositive(joinTokenTtl, "joinTokenTtl");
        requirePositive(heartbeatTimeout, "heartbeatTimeout");
        if (maxFrameBytes < 1024 || maxFrameBytes > WEBSOCKET_HARD_LIMIT_BYTES / 2) {
            throw new IllegalArgumentException("maxFrameBytes must be within [1024, " + WEBSOCKET_HARD_LIMIT_BYTES / 2 + "]");
        }
        if (maxFramesPerSecond < 1) {
            throw new IllegalArgumentException("maxFramesPerSecond must be positive");
        }
    }

    /**
     * Messages above this size are refused by Jetty itself (the socket closes with 1009); below it
     * our own {@code maxFrameBytes} check answers with {@code frame_too_large} and keeps the socket.
     */
    public static final int WEBSOCKET_HARD_LIMIT_BYTES = 1024 * 1024;

    private static void requirePositive(Duration d, String name) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }

    /**
     * Token buckets for creating and joining meetings, per user and per client address, shared by
     * every signaling node through the {@link dev.convene.store.RateLimiter}.
     */
    public record RateLimits(Limit createPerUser, Limit createPerAddress, Limit joinPerUser, Limit joinPerAddress) {
        /** Generous for people, tight for scripts: a burst, then a steady rate per minute. */
        public static final RateLimits DEFAULTS = new RateLimits(
                Limit.of(20, Duration.ofMinutes(1)), Limit.of(60, Duration.ofMinutes(1)),
                Limit.of(60, Duration.ofMinutes(1)), Limit.of(600, Duration.ofMinutes(1)));

        public RateLimits {
            Objects.requireNonNull(createPerUser, "createPerUser");
            Objects.requireNonNull(createPerAddress, "createPerAddress");
            Objects.requireNonNull(joinPerUser, "joinPerUser");
            Objects.requireNonNull(joinPerAddress, "joinPerAddress");
        }
    }

    /** The all-in-one defaults: port 8080 on every interface, guest auth on. */
    public static SignalingConfig defaults(List<JwtKey> jwtKeys) {
        return new SignalingConfig(DEFAULT_BIND_HOST, DEFAULT_HTTP_PORT, null, jwtKeys, true,
                DEFAULT_ACCESS_TOKEN_TTL, DEFAULT_JOIN_TOKEN_TTL, DEFAULT_HEARTBEAT_TIMEOUT,
                DEFAULT_MAX_FRAME_BYTES, DEFAULT_MAX_FRAMES_PER_SECOND, DEFAULT_WEB_ROOT, DEFAULT_REGION, RateLimits.DEFAULTS,
                TurnConfig.NONE);
    }

    public Optional<String> publicBase() {
        return Optional.ofNullable(publicBaseUrl);
    }

    public SignalingConfig withBind(String host, int port) {
        return new SignalingConfig(host, port, publicBaseUrl, jwtKeys, guestAuthEnabled, accessTokenTtl, joinTokenTtl,
                heartbeatTimeout, maxFrameBytes, maxFramesPerSecond, webRoot, region, rateLimits, turn);
    }

    public SignalingConfig withPublicBaseUrl(String url) {
        return new SignalingConfig(bindHost, httpPort, url, jwtKeys, guestAuthEnabled, accessTokenTtl, joinTokenTtl,
                heartbeatTimeout, maxFrameBytes, maxFramesPerSecond, webRoot, region, rateLimits, turn);
    }

    public SignalingConfig withJwtKeys(List<JwtKey> keys) {
        return new SignalingConfig(bindHost, httpPort, publicBaseUrl, keys, guestAuthEnabled, accessTokenTtl, joinTokenTtl,
                heartbeatTimeout, maxFrameBytes, maxFramesPerSecond, webRoot, region, rateLimits, turn);
    }

    public SignalingConfig withGuestAuth(boolean enabled) {
        return new SignalingConfig(bindHost, httpPort, publicBaseUrl, jwtKeys, enabled, accessTokenTtl, joinTokenTtl,
                heartbeatTimeout, maxFrameBytes, maxFramesPerSecond, webRoot, region, rateLimits, turn);
    }

    public SignalingConfig withTokenTtls(Duration access, Duration join) {
        return new SignalingConfig(bindHost, httpPort, publicBaseUrl, jwtKeys, guestAuthEnabled, access, join,
                heartbeatTimeout, maxFrameBytes, maxFramesPerSecond, webRoot, region, rateLimits, turn);
    }

    public SignalingConfig withHeartbeatTimeout(Duration timeout) {
        return new SignalingConfig(bindHost, httpPort, publicBaseUrl, jwtKeys, guestAuthEnabled, accessTokenTtl, joinTokenTtl,
                timeout, maxFrameBytes, maxFramesPerSecond, webRoot, region, rateLimits, turn);
    }

    public SignalingConfig withFrameLimits(int maxBytes, int maxPerSecond) {
        return new SignalingConfig(bindHost, httpPort, publicBaseUrl, jwtKeys, guestAuthEnabled, accessTokenTtl, joinTokenTtl,
                heartbeatTimeout, maxBytes, maxPerSecond, webRoot, region, rateLimits, turn);
    }

    public SignalingConfig withWebRoot(String classpathFolder) {
        return new SignalingConfig(bindHost, httpPort, publicBaseUrl, jwtKeys, guestAuthEnabled, accessTokenTtl, joinTokenTtl,
                heartbeatTimeout, maxFrameBytes, maxFramesPerSecond, classpathFolder, region, rateLimits, turn);
    }

    public SignalingConfig withRegion(String newRegion) {
        return new SignalingConfig(bindHost, httpPort, publicBaseUrl, jwtKeys, guestAuthEnabled, accessTokenTtl, joinTokenTtl,
                heartbeatTimeout, maxFrameBytes, maxFramesPerSecond, webRoot, newRegion, rateLimits, turn);
    }

    public SignalingConfig withTurn(TurnConfig newTurn) {
        return new SignalingConfig(bindHost, httpPort, publicBaseUrl, jwtKeys, guestAuthEnabled, accessTokenTtl, joinTokenTtl,
                heartbeatTimeout, maxFrameBytes, maxFramesPerSecond, webRoot, region, rateLimits, newTurn);
    }

    public SignalingConfig withRateLimits(RateLimits limits) {
        return new SignalingConfig(bindHost, httpPort, publicBaseUrl, jwtKeys, guestAuthEnabled, accessTokenTtl, joinTokenTtl,
                heartbeatTimeout, maxFrameBytes, maxFramesPerSecond, webRoot, region, limits, turn);
    }
}
