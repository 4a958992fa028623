package dev.convene.server;

import dev.convene.sfu.SfuConfig;
import dev.convene.signaling.SignalingConfig;
import dev.convene.signaling.turn.TurnConfig;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/**
 * Everything a node needs to start, after flags, environment and file are merged.
 *
 * @param mediaAdvertise extra addresses announced as candidates (1:1 NAT), before the host's own
 * @param consentTimeout how long a client may send neither consent checks nor media
 * @param postgresUrl JDBC URL of PostgreSQL for meetings, participants and chat; null keeps them in memory
 * @param redisUrl Redis for seats, events, the SFU registry, placement and rate limits; null keeps them in
 *     memory (one node only)
 * @param controlAdvertise the host other nodes reach this SFU's control endpoint at
 * @param controlKeys shared secrets between signaling and SFU nodes; the first signs, all verify
 * @param rateLimits create/join limits per user and per client address; null for the defaults
 * @param mediaTcpPort the ICE-TCP port ({@code SfuConfig.TCP_DISABLED} for none, 0 for a free one)
 * @param turn TURN servers and their shared secret for join answers; null for none
 * @param hardening token policy, seat claims, origins, HTTP sizes, empty-meeting timeout; null for the defaults
 * @param tls HTTPS, trusted proxies and the control channel's TLS; null for none (plain HTTP, plaintext control)
 * @param resumeGrace how long a participant whose socket is gone may resume (signaling), and, plus a
 *     margin, how long an SFU keeps the sessions of a lost control connection; null for 30 s
 * @param mediaLoops the SFU's media event loops, each with its own UDP port (media port + index) and
 *     meetings (ADR 0036); 0 for one per available processor
 */
public record ServerOptions(
        String httpHost,
        int httpPort,
        String publicUrl,
        String mediaHost,
        int mediaPort,
        List<InetAddress> mediaAdvertise,
        Duration consentTimeout,
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
        int mediaTcpPort,
        TurnConfig turn,
        SignalingConfig.Hardening hardening,
        TlsOptions tls,
        Duration resumeGrace,
        MediaSelection selection,
        int mediaLoops) {

    /**
     * What each subscriber receives at most: the loudest speakers' audio and, until it asks for
     * another number, participants' video (last-N) — ADR 0022.
     */
    public record MediaSelection(int maxAudioStreams, int defaultLastN) {
        public static final MediaSelection DEFAULTS =
                new MediaSelection(SfuConfig.DEFAULT_MAX_AUDIO_STREAMS, SfuConfig.DEFAULT_LAST_N);

        public MediaSelection {
            if (maxAudioStreams < 1 || defaultLastN < 1) {
                throw new IllegalArgumentException("--max-audio-streams and --last-n must be at least 1");
            }
        }
    }

    /** The default media selection. */
    public ServerOptions(String httpHost, int httpPort, String publicUrl, String mediaHost, int mediaPort,
            List<InetAddress> mediaAdvertise, Duration consentTimeout, String nodeId, String region,
            List<JwtKeyOption> jwtKeys, boolean guestAuth, long uplinkEstimateBps, String postgresUrl, String postgresUser,
            String postgresPassword, String redisUrl, String controlHost, int controlPort, String controlAdvertise,
            List<JwtKeyOption> controlKeys, SignalingConfig.RateLimits rateLimits, int mediaTcpPort, TurnConfig turn,
            SignalingConfig.Hardening hardening, TlsOptions tls, Duration resumeGrace) {
        this(httpHost, httpPort, publicUrl, mediaHost, mediaPort, mediaAdvertise, consentTimeout, nodeId, region, jwtKeys,
                guestAuth, uplinkEstimateBps, postgresUrl, postgresUser, postgresPassword, redisUrl, controlHost, controlPort,
                controlAdvertise, controlKeys, rateLimits, mediaTcpPort, turn, hardening, tls, resumeGrace, null, 1);
    }

    public ServerOptions {
        mediaAdvertise = List.copyOf(mediaAdvertise);
        if (consentTimeout == null) {
            consentTimeout = SfuConfig.DEFAULT_CONSENT_TIMEOUT;
        }
        if (rateLimits == null) {
            rateLimits = SignalingConfig.RateLimits.DEFAULTS;
        }
        if (turn == null) {
            turn = TurnConfig.NONE;
        }
        if (hardening == null) {
            hardening = SignalingConfig.Hardening.DEFAULTS;
        }
        if (tls == null) {
            tls = TlsOptions.NONE;
        }
        if (resumeGrace == null) {
            resumeGrace = SignalingConfig.DEFAULT_RESUME_GRACE;
        }
        if (selection == null) {
            selection = MediaSelection.DEFAULTS;
        }
        if (mediaLoops < 0) {
            throw new IllegalArgumentException("--media-loops must be 0 (one per processor) or more, not " + mediaLoops);
        }
    }

    public ServerOptions withMediaLoops(int loops) {
        return new ServerOptions(httpHost, httpPort, publicUrl, mediaHost, mediaPort, mediaAdvertise, consentTimeout, nodeId,
                region, jwtKeys, guestAuth, uplinkEstimateBps, postgresUrl, postgresUser, postgresPassword, redisUrl, controlHost,
                controlPort, controlAdvertise, controlKeys, rateLimits, mediaTcpPort, turn, hardening, tls, resumeGrace, selection,
                loops);
    }

    /** How many media loops the SFU runs: {@link #mediaLoops()}, with 0 made one per available processor. */
    public int effectiveMediaLoops() {
        return mediaLoops == 0 ? Runtime.getRuntime().availableProcessors() : mediaLoops;
    }

    public ServerOptions withMediaSelection(MediaSelection newSelection) {
        return new ServerOptions(httpHost, httpPort, publicUrl, mediaHost, mediaPort, mediaAdvertise, consentTimeout, nodeId,
                region, jwtKeys, guestAuth, uplinkEstimateBps, postgresUrl, postgresUser, postgresPassword, redisUrl, controlHost,
                controlPort, controlAdvertise, controlKeys, rateLimits, mediaTcpPort, turn, hardening, tls, resumeGrace,
                newSelection, mediaLoops);
    }

    public ServerOptions withConsentTimeout(Duration timeout) {
        return new ServerOptions(httpHost, httpPort, publicUrl, mediaHost, mediaPort, mediaAdvertise, timeout, nodeId, region,
                jwtKeys, guestAuth, uplinkEstimateBps, postgresUrl, postgresUser, postgresPassword, redisUrl, controlHost,
                controlPort, controlAdvertise, controlKeys, rateLimits, mediaTcpPort, turn, hardening, tls, resumeGrace, selection, mediaLoops);
    }

    public ServerOptions withHardening(SignalingConfig.Hardening h) {
        return new ServerOptions(httpHost, httpPort, publicUrl, mediaHost, mediaPort, mediaAdvertise, consentTimeout, nodeId,
                region, jwtKeys, guestAuth, uplinkEstimateBps, postgresUrl, postgresUser, postgresPassword, redisUrl, controlHost,
                controlPort, controlAdvertise, controlKeys, rateLimits, mediaTcpPort, turn, h, tls, resumeGrace, selection, mediaLoops);
    }

    public ServerOptions withRateLimits(SignalingConfig.RateLimits limits) {
        return new ServerOptions(httpHost, httpPort, publicUrl, mediaHost, mediaPort, mediaAdvertise, consentTimeout, nodeId, region,
                jwtKeys,
                guestAuth, uplinkEstimateBps, postgresUrl, postgresUser, postgresPassword, redisUrl, controlHost, controlPort,
                controlAdvertise, controlKeys, limits, mediaTcpPort, turn, hardening, tls, resumeGrace, selection, mediaLoops);
    }

    public ServerOptions withMediaTcpPort(int port) {
        return new ServerOptions(httpHost, httpPort, publicUrl, mediaHost, mediaPort, mediaAdvertise, consentTimeout, nodeId,
                region, jwtKeys, guestAuth, uplinkEstimateBps, postgresUrl, postgresUser, postgresPassword, redisUrl, controlHost, controlPort,
                controlAdvertise, controlKeys, rateLimits, port, turn, hardening, tls, resumeGrace, selection, mediaLoops);
    }

    public ServerOptions withTurn(TurnConfig newTurn) {
        return new ServerOptions(httpHost, httpPort, publicUrl, mediaHost, mediaPort, mediaAdvertise, consentTimeout, nodeId,
                region, jwtKeys, guestAuth, uplinkEstimateBps, postgresUrl, postgresUser, postgresPassword, redisUrl, controlHost, controlPort,
                controlAdvertise, controlKeys, rateLimits, mediaTcpPort, newTurn, hardening, tls, resumeGrace, selection, mediaLoops);
    }

    public ServerOptions withTls(TlsOptions newTls) {
        return new ServerOptions(httpHost, httpPort, publicUrl, mediaHost, mediaPort, mediaAdvertise, consentTimeout, nodeId,
                region, jwtKeys, guestAuth, uplinkEstimateBps, postgresUrl, postgresUser, postgresPassword, redisUrl, controlHost,
                controlPort, controlAdvertise, controlKeys, rateLimits, mediaTcpPort, turn, hardening, newTls, resumeGrace, selection, mediaLoops);
    }

    public ServerOptions withResumeGrace(Duration grace) {
        return new ServerOptions(httpHost, httpPort, publicUrl, mediaHost, mediaPort, mediaAdvertise, consentTimeout, nodeId,
                region, jwtKeys, guestAuth, uplinkEstimateBps, postgresUrl, postgresUser, postgresPassword, redisUrl, controlHost,
                controlPort, controlAdvertise, controlKeys, rateLimits, mediaTcpPort, turn, hardening, tls, grace, selection, mediaLoops);
    }

    /** Ephemeral ports on loopback, random keys, in-memory stores: for tests. */
    public static ServerOptions forTests() {
        return new ServerOptions("127.0.0.1", 0, null, "127.0.0.1", 0, List.of(), null, "sfu-test",
                "local", JwtKeyOption.parse(null), true, 2_500_000, null, null, null, null, "127.0.0.1", 0, "127.0.0.1",
                JwtKeyOption.parse(null), null, 0, null, null, null, null);
    }
}
