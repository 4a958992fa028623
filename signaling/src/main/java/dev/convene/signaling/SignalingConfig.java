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
 * @param hardening what protects the node from abuse: token policy, seat claims, origins, limits
 * @param resumeGrace how long a joined participant whose socket is gone keeps its seat, its media
 *     session and its place in the meeting for a {@code resume}; zero ends it at once (ADR 0017)
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
        TurnConfig turn,
        Hardening hardening,
        Duration resumeGrace) {

    public static final String DEFAULT_BIND_HOST = "0.0.0.0";
    public static final int DEFAULT_HTTP_PORT = 8080;
    public static final Duration DEFAULT_ACCESS_TOKEN_TTL = Duration.ofHours(12);
    public static final Duration DEFAULT_JOIN_TOKEN_TTL = Duration.ofSeconds(60);
    public static final Duration DEFAULT_HEARTBEAT_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_FRAME_BYTES = 64 * 1024;
    public static final int DEFAULT_MAX_FRAMES_PER_SECOND = 50;
    /**
     * A subscriber's {@code answer} repeats one m-line per track it may receive: ~100 KB from the
     * Java client and more from Chrome at 100 participants. Only that frame type may be this long;
     * every other frame keeps {@link #maxFrameBytes} (ADR 0034).
     */
    public static final int MAX_ANSWER_FRAME_BYTES = 512 * 1024;
    public static final String DEFAULT_WEB_ROOT = "/convene-web";
    public static final String DEFAULT_REGION = "local";
    public static final Duration DEFAULT_RESUME_GRACE = Duration.ofSeconds(30);
    /**
     * Seats are 60 s leases renewed by the node holding the socket (ADR 0005); a grace longer than
     * what is left of a lease after its socket went could lose the seat while the participant waits.
     */
    public static final Duration MAX_RESUME_GRACE = Duration.ofSeconds(45);

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
        Objects.requireNonNull(hardening, "hardening");
        Objects.requireNonNull(resumeGrace, "resumeGrace");
        if (resumeGrace.isNegative() || resumeGrace.compareTo(MAX_RESUME_GRACE) > 0) {
            throw new IllegalArgumentException("resumeGrace must be within [0, " + MAX_RESUME_GRACE.toSeconds() + " s]");
        }
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
        Duration maxLifetime = hardening.tokenPolicy().maxLifetime();
        if (accessTokenTtl.compareTo(maxLifetime) > 0 || joinTokenTtl.compareTo(maxLifetime) > 0) {
            throw new IllegalArgumentException("token lifetimes must not exceed the maximum token lifetime " + maxLifetime);
        }
    }

    /** How long an {@code answer} frame may be: {@link #MAX_ANSWER_FRAME_BYTES}, or more if every frame may. */
    public int maxAnswerFrameBytes() {
        return Math.max(maxFrameBytes, MAX_ANSWER_FRAME_BYTES);
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
                TurnConfig.NONE, Hardening.DEFAULTS, DEFAULT_RESUME_GRACE);
    }

    public Optional<String> publicBase() {
        return Optional.ofNullable(publicBaseUrl);
    }

    public SignalingConfig withBind(String host, int port) {
        return new SignalingConfig(host, port, publicBaseUrl, jwtKeys, guestAuthEnabled, accessTokenTtl, joinTokenTtl,
                heartbeatTimeout, maxFrameBytes, maxFramesPerSecond, webRoot, region, rateLimits, turn, hardening, resumeGrace);
    }

    public SignalingConfig withPublicBaseUrl(String url) {
        return new SignalingConfig(bindHost, httpPort, url, jwtKeys, guestAuthEnabled, accessTokenTtl, joinTokenTtl,
                heartbeatTimeout, maxFrameBytes, maxFramesPerSecond, webRoot, region, rateLimits, turn, hardening, resumeGrace);
    }

    public SignalingConfig withJwtKeys(List<JwtKey> keys) {
        return new SignalingConfig(bindHost, httpPort, publicBaseUrl, keys, guestAuthEnabled, accessTokenTtl, joinTokenTtl,
                heartbeatTimeout, maxFrameBytes, maxFramesPerSecond, webRoot, region, rateLimits, turn, hardening, resumeGrace);
    }

    public SignalingConfig withGuestAuth(boolean enabled) {
        return new SignalingConfig(bindHost, httpPort, publicBaseUrl, jwtKeys, enabled, accessTokenTtl, joinTokenTtl,
                heartbeatTimeout, maxFrameBytes, maxFramesPerSecond, webRoot, region, rateLimits, turn, hardening, resumeGrace);
    }

    public SignalingConfig withTokenTtls(Duration access, Duration join) {
        return new SignalingConfig(bindHost, httpPort, publicBaseUrl, jwtKeys, guestAuthEnabled, access, join,
                heartbeatTimeout, maxFrameBytes, maxFramesPerSecond, webRoot, region, rateLimits, turn, hardening, resumeGrace);
    }

    public SignalingConfig withHeartbeatTimeout(Duration timeout) {
        return new SignalingConfig(bindHost, httpPort, publicBaseUrl, jwtKeys, guestAuthEnabled, accessTokenTtl, joinTokenTtl,
                timeout, maxFrameBytes, maxFramesPerSecond, webRoot, region, rateLimits, turn, hardening, resumeGrace);
    }

    public SignalingConfig withFrameLimits(int maxBytes, int maxPerSecond) {
        return new SignalingConfig(bindHost, httpPort, publicBaseUrl, jwtKeys, guestAuthEnabled, accessTokenTtl, joinTokenTtl,
                heartbeatTimeout, maxBytes, maxPerSecond, webRoot, region, rateLimits, turn, hardening, resumeGrace);
    }

    public SignalingConfig withWebRoot(String classpathFolder) {
        return new SignalingConfig(bindHost, httpPort, publicBaseUrl, jwtKeys, guestAuthEnabled, accessTokenTtl, joinTokenTtl,
                heartbeatTimeout, maxFrameBytes, maxFramesPerSecond, classpathFolder, region, rateLimits, turn, hardening, resumeGrace);
    }

    public SignalingConfig withRegion(String newRegion) {
        return new SignalingConfig(bindHost, httpPort, publicBaseUrl, jwtKeys, guestAuthEnabled, accessTokenTtl, joinTokenTtl,
                heartbeatTimeout, maxFrameBytes, maxFramesPerSecond, webRoot, newRegion, rateLimits, turn, hardening, resumeGrace);
    }

    public SignalingConfig withTurn(TurnConfig newTurn) {
        return new SignalingConfig(bindHost, httpPort, publicBaseUrl, jwtKeys, guestAuthEnabled, accessTokenTtl, joinTokenTtl,
                heartbeatTimeout, maxFrameBytes, maxFramesPerSecond, webRoot, region, rateLimits, newTurn, hardening, resumeGrace);
    }

    public SignalingConfig withRateLimits(RateLimits limits) {
        return new SignalingConfig(bindHost, httpPort, publicBaseUrl, jwtKeys, guestAuthEnabled, accessTokenTtl, joinTokenTtl,
                heartbeatTimeout, maxFrameBytes, maxFramesPerSecond, webRoot, region, limits, turn, hardening, resumeGrace);
    }

    public SignalingConfig withResumeGrace(Duration grace) {
        return new SignalingConfig(bindHost, httpPort, publicBaseUrl, jwtKeys, guestAuthEnabled, accessTokenTtl, joinTokenTtl,
                heartbeatTimeout, maxFrameBytes, maxFramesPerSecond, webRoot, region, rateLimits, turn, hardening, grace);
    }

    public SignalingConfig withHardening(Hardening h) {
        return new SignalingConfig(bindHost, httpPort, publicBaseUrl, jwtKeys, guestAuthEnabled, accessTokenTtl, joinTokenTtl,
                heartbeatTimeout, maxFrameBytes, maxFramesPerSecond, webRoot, region, rateLimits, turn, h, resumeGrace);
    }

    /**
     * What keeps one client from hurting the others (docs/security.md).
     *
     * @param tokenPolicy issuer, audience and longest lifetime every token must have
     * @param claimWithin how long a seat reserved by {@code join} waits for its socket before it is free again
     * @param maxUnclaimedPerHolder seats of one meeting that one user, and one client address, may
     *     hold unclaimed at once
     * @param guestPerAddress guest tokens one client address may mint, shared by every signaling node
     * @param allowedOrigins origins ({@code https://meet.example.org}) allowed to open the socket and
     *     to call the API from a browser; empty means only the server's own origin (the public URL,
     *     or the request's host)
     * @param http sizes of the HTTP server
     * @param emptyMeetingTimeout a meeting nobody has been in for this long is ended (and, on
     *     in-memory stores, forgotten)
     */
    public record Hardening(
            dev.convene.signaling.auth.TokenService.Policy tokenPolicy,
            Duration claimWithin,
            int maxUnclaimedPerHolder,
            Limit guestPerAddress,
            List<String> allowedOrigins,
            HttpLimits http,
            Duration emptyMeetingTimeout) {

        public static final Duration DEFAULT_CLAIM_WITHIN = Duration.ofSeconds(10);
        public static final int DEFAULT_MAX_UNCLAIMED_PER_HOLDER = 3;
        public static final Limit DEFAULT_GUEST_PER_ADDRESS = Limit.of(20, Duration.ofMinutes(1));
        public static final Duration DEFAULT_EMPTY_MEETING_TIMEOUT = Duration.ofMinutes(5);
        public static final Hardening DEFAULTS = new Hardening(dev.convene.signaling.auth.TokenService.Policy.DEFAULT,
                DEFAULT_CLAIM_WITHIN, DEFAULT_MAX_UNCLAIMED_PER_HOLDER, DEFAULT_GUEST_PER_ADDRESS, List.of(),
                HttpLimits.DEFAULTS, DEFAULT_EMPTY_MEETING_TIMEOUT);

        public Hardening {
            Objects.requireNonNull(tokenPolicy, "tokenPolicy");
            Objects.requireNonNull(claimWithin, "claimWithin");
            Objects.requireNonNull(guestPerAddress, "guestPerAddress");
            Objects.requireNonNull(http, "http");
            Objects.requireNonNull(emptyMeetingTimeout, "emptyMeetingTimeout");
            allowedOrigins = List.copyOf(Objects.requireNonNull(allowedOrigins, "allowedOrigins")).stream()
                    .map(Hardening::origin).toList();
            requirePositive(claimWithin, "claimWithin");
            requirePositive(emptyMeetingTimeout, "emptyMeetingTimeout");
            if (maxUnclaimedPerHolder < 1) {
                throw new IllegalArgumentException("maxUnclaimedPerHolder must be at least 1");
            }
        }

        /** {@code scheme://host[:port]}, lower case, no path: the form browsers send in {@code Origin}. */
        public static String origin(String raw) {
            URI uri;
            try {
                uri = URI.create(raw.strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("not an origin: " + raw);
            }
            if (uri.getScheme() == null || uri.getHost() == null
                    || !(uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"))
                    || (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/"))) {
                throw new IllegalArgumentException("not an origin (scheme://host[:port]): " + raw);
            }
            String o = uri.getScheme().toLowerCase(java.util.Locale.ROOT) + "://" + uri.getHost().toLowerCase(java.util.Locale.ROOT);
            return uri.getPort() < 0 ? o : o + ":" + uri.getPort();
        }

        public Hardening withTokenPolicy(dev.convene.signaling.auth.TokenService.Policy p) {
            return new Hardening(p, claimWithin, maxUnclaimedPerHolder, guestPerAddress, allowedOrigins, http, emptyMeetingTimeout);
        }

        public Hardening withClaims(Duration within, int maxPerHolder) {
            return new Hardening(tokenPolicy, within, maxPerHolder, guestPerAddress, allowedOrigins, http, emptyMeetingTimeout);
        }

        public Hardening withGuestPerAddress(Limit limit) {
            return new Hardening(tokenPolicy, claimWithin, maxUnclaimedPerHolder, limit, allowedOrigins, http, emptyMeetingTimeout);
        }

        public Hardening withAllowedOrigins(List<String> origins) {
            return new Hardening(tokenPolicy, claimWithin, maxUnclaimedPerHolder, guestPerAddress, origins, http, emptyMeetingTimeout);
        }

        public Hardening withHttp(HttpLimits limits) {
            return new Hardening(tokenPolicy, claimWithin, maxUnclaimedPerHolder, guestPerAddress, allowedOrigins, limits, emptyMeetingTimeout);
        }

        public Hardening withEmptyMeetingTimeout(Duration timeout) {
            return new Hardening(tokenPolicy, claimWithin, maxUnclaimedPerHolder, guestPerAddress, allowedOrigins, http, timeout);
        }
    }

    /**
     * Bounds of the HTTP server, so a flood of connections queues or is refused instead of
     * growing threads without end.
     *
     * @param maxThreads request threads at most
     * @param minThreads request threads kept when idle
     * @param acceptQueue the listen backlog: connections the kernel holds before we accept them
     * @param queuedRequests requests waiting for their turn at most (up to {@link #MAX_WAIT}); beyond
     *                       it, or after waiting that long, a request is answered 503 with Retry-After
     *                       ({@code OverloadGuard}, ADR 0037)
     */
    public record HttpLimits(int maxThreads, int minThreads, int acceptQueue, int queuedRequests) {
        public static final HttpLimits DEFAULTS = new HttpLimits(64, 8, 1024, 1024);
        /** How long a request waits for its turn before it is answered 503. */
        public static final Duration MAX_WAIT = Duration.ofSeconds(1);

        /**
         * Requests handled at once: half the threads, so that socket frames (a {@code join} waits
         * on the media loop), the selectors and the acceptor always find one.
         */
        public int maxActiveRequests() {
            return Math.max(2, maxThreads / 2);
        }

        public HttpLimits {
            if (minThreads < 1 || maxThreads < Math.max(minThreads, 4)) {
                throw new IllegalArgumentException("http threads: need 1 <= min <= max and max >= 4");
            }
            if (acceptQueue < 1 || queuedRequests < 1) {
                throw new IllegalArgumentException("http accept queue and request queue must be positive");
            }
        }
    }
}
