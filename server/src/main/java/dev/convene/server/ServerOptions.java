package dev.convene.server;

import dev.convene.signaling.SignalingConfig;
import java.net.InetAddress;
import java.util.List;

/**
 * Everything a node needs to start, after flags, environment and file are merged.
 *
 * @param postgresUrl JDBC URL of PostgreSQL for meetings, participants and chat; null keeps them in memory
 * @param redisUrl Redis for seats, events, the SFU registry, placement and rate limits; null keeps them in
 *     memory (one node only)
 * @param controlAdvertise the host other nodes reach this SFU's control endpoint at
 * @param controlKeys shared secrets between signaling and SFU nodes; the first signs, all verify
 * @param rateLimits create/join limits per user and per client address; null for the defaults
 * @param hardening token policy, seat claims, origins, HTTP sizes, empty-meeting timeout; null for the defaults
 */
public record ServerOptions(
        String httpHost,
        int httpPort,
        String publicUrl,
        String mediaHost,
        int mediaPort,
        InetAddress mediaAdvertise,
        String nodeId,
        String region,
        List<JwtKeyOption> jwtKeys,
        boolean guestAuth,
        long uplinkEstimateBps,
        String postgresUrl,
        String postgresUser,
        String postgresPassword,
        String redisUrl,
        String controlHost,
        int controlPort,
        String controlAdvertise,
        List<JwtKeyOption> controlKeys,
        SignalingConfig.RateLimits rateLimits,
        SignalingConfig.Hardening hardening) {

    public ServerOptions {
        if (rateLimits == null) {
            rateLimits = SignalingConfig.RateLimits.DEFAULTS;
        }
        if (hardening == null) {
            hardening = SignalingConfig.Hardening.DEFAULTS;
        }
    }

    public ServerOptions withHardening(SignalingConfig.Hardening h) {
        return new ServerOptions(httpHost, httpPort, publicUrl, mediaHost, mediaPort, mediaAdvertise, nodeId, region, jwtKeys,
                guestAuth, uplinkEstimateBps, postgresUrl, postgresUser, postgresPassword, redisUrl, controlHost, controlPort,
                controlAdvertise, controlKeys, rateLimits, h);
    }

    public ServerOptions withRateLimits(SignalingConfig.RateLimits limits) {
        return new ServerOptions(httpHost, httpPort, publicUrl, mediaHost, mediaPort, mediaAdvertise, nodeId, region, jwtKeys,
                guestAuth, uplinkEstimateBps, postgresUrl, postgresUser, postgresPassword, redisUrl, controlHost, controlPort,
                controlAdvertise, controlKeys, limits, hardening);
    }

    /** Ephemeral ports on loopback, random keys, in-memory stores: for tests. */
    public static ServerOptions forTests() {
        return new ServerOptions("127.0.0.1", 0, null, "127.0.0.1", 0, InetAddress.getLoopbackAddress(), "sfu-test",
                "local", JwtKeyOption.parse(null), true, 2_500_000, null, null, null, null, "127.0.0.1", 0, "127.0.0.1",
                JwtKeyOption.parse(null), null, null);
    }
}
