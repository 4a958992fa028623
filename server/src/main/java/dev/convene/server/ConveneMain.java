package dev.convene.server;

import dev.convene.server.devcluster.DevCluster;
import dev.convene.signaling.SignalingConfig;
import dev.convene.signaling.auth.JwksKeys;
import dev.convene.signaling.auth.TokenService;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code convene [--role all] [--config convene.properties] [options]}. Every option can also
 * come from the environment ({@code CONVENE_HTTP_PORT}) or the configuration file
 * ({@code http-port=8080}); the command line wins, then the environment, then the file.
 */
@Command(name = "convene", mixinStandardHelpOptions = true, version = "Convene 0.1.0",
        description = "Video conferencing server: SFU, signaling and meeting service.",
        sortOptions = false, usageHelpAutoWidth = true, subcommands = {DevCluster.class, HealthCheck.class})
public final class ConveneMain implements Callable<Integer> {

    enum Role { all, signaling, sfu }

    @Option(names = "--role", defaultValue = "all", description = "all (default), signaling or sfu.")
    Role role;

    @Option(names = "--log-format", defaultValue = "text",
            description = "text (default: time level logger - event=… key=value) or json (one object a line).")
    String logFormat;

    @Option(names = "--config", description = "A properties file of options, e.g. http-port=8080.")
    String config;

    @Option(names = "--data-dir", defaultValue = "convene-data",
            description = "The all role's data directory: its own PostgreSQL (meetings, chat) and JWT key, "
                    + "so both outlive a restart.")
    String dataDir;

    @Option(names = "--ephemeral", arity = "0..1", fallbackValue = "true", defaultValue = "false",
            description = "The all role keeps everything in memory: a restart forgets every meeting.")
    boolean ephemeral;

    @Option(names = "--http-host", defaultValue = "0.0.0.0", description = "Address the HTTP/WebSocket server binds.")
    String httpHost;

    @Option(names = "--http-port", defaultValue = "8080", description = "HTTP/WebSocket port (API, signaling, web client).")
    int httpPort;

    @Option(names = "--public-url", description = "Base URL clients use, e.g. https://meet.example.com (default: from the request).")
    String publicUrl;

    @Option(names = "--media-host", defaultValue = "0.0.0.0", description = "Address the UDP media socket binds.")
    String mediaHost;

    @Option(names = "--media-port", defaultValue = "50000", description = "UDP media port of the first media loop; loop i uses this + i (see --media-loops).")
    int mediaPort;

    @Option(names = "--media-loops", defaultValue = "0",
            description = "Media event loops (threads) of the SFU, each with its own UDP port --media-port + i (and "
                    + "ICE-TCP port --media-tcp-port + i) and its own meetings; 0 (the default) = one per available "
                    + "processor.")
    int mediaLoops;

    @Option(names = "--media-tcp-port",
            description = "ICE-TCP port (RFC 6544) for clients whose UDP is blocked, or off. Default: the --media-port number.")
    String mediaTcpPort;

    @Option(names = "--media-advertise", split = ",",
            description = "Extra addresses put in SDP candidates, e.g. the public address of a 1:1 NAT "
                    + "(comma-separated). Default: none; the host's own addresses are always announced.")
    List<String> mediaAdvertise;

    @Option(names = "--consent-timeout", defaultValue = "30s",
            description = "How long a client may send neither ICE consent checks nor media before it is "
                    + "dropped (e.g. 30s, 2m).")
    String consentTimeout;

    @Option(names = "--resume-grace", defaultValue = "30s",
            description = "How long a participant whose socket dropped keeps its place, media and seat while it "
                    + "reconnects (any signaling node) and resumes; 0 ends it at once. At most 45s.")
    String resumeGrace;

    @Option(names = "--node-id", defaultValue = "sfu-local",
            description = "Name of this node (an SFU's name in the registry; a signaling node's in control connections).")
    String nodeId;

    @Option(names = "--region", defaultValue = "local", description = "Region of this node, for placement.")
    String region;

    @Option(names = "--jwt-keys", split = ",",
            description = "JWT signing keys as kid:secret; the first signs, all verify (rotation). "
                    + "Default: one random key per start (tokens do not survive a restart).")
    List<String> jwtKeys;

    @Option(names = "--guest-auth", arity = "1",
            description = "Allow POST /v1/auth/guest (anonymous users with a display name). "
                    + "Default: on in the all role, off in the signaling role.")
    Boolean guestAuth;

    @Option(names = "--uplink-estimate-bps", defaultValue = "2500000",
            description = "Bitrate each publisher is told it may send (REMB).")
    long uplinkEstimateBps;

    @Option(names = "--max-audio-streams", defaultValue = "5",
            description = "Audio streams each participant receives at most: the loudest speakers'.")
    int maxAudioStreams;

    @Option(names = "--last-n", defaultValue = "25",
            description = "Participants whose video each participant receives at most, until its client asks for another number.")
    int lastN;

    @Option(names = "--limit-create-per-user", defaultValue = "20/1m", description = "Meetings one user may create (count/period).")
    String limitCreatePerUser;

    @Option(names = "--limit-create-per-address", defaultValue = "60/1m",
            description = "Meetings one client address may create (count/period).")
    String limitCreatePerAddress;

    @Option(names = "--limit-join-per-user", defaultValue = "60/1m", description = "Joins of one user (count/period).")
    String limitJoinPerUser;

    @Option(names = "--limit-join-per-address", defaultValue = "600/1m",
            description = "Joins from one client address (count/period).")
    String limitJoinPerAddress;

    @Option(names = "--limit-guest-per-address", defaultValue = "20/1m",
            description = "Guest tokens one client address may mint (count/period), shared by all signaling nodes.")
    String limitGuestPerAddress;

    @Option(names = "--seat-claim-timeout", defaultValue = "10s",
            description = "How long a seat reserved by a join waits for its socket before it is free again.")
    String seatClaimTimeout;

    @Option(names = "--max-unclaimed-seats", defaultValue = "3",
            description = "Seats of one meeting one user, and one client address, may hold unclaimed at once.")
    int maxUnclaimedSeats;

    @Option(names = "--jwt-issuer", defaultValue = "convene", description = "The iss every token must carry.")
    String jwtIssuer;

    @Option(names = "--jwt-audience", defaultValue = "convene", description = "The aud every token must carry.")
    String jwtAudience;

    @Option(names = "--jwt-jwks",
            description = "JWKS of an external identity provider (file:/path/jwks.json or https://idp/.well-known/jwks.json) "
                    + "whose RS256/ES256 access tokens are accepted beside Convene's own. Default: none.")
    String jwtJwks;

    @Option(names = "--token-max-lifetime", defaultValue = "24h",
            description = "Longest token accepted, from iat to exp (e.g. 24h); longer-lived tokens are refused.")
    String tokenMaxLifetime;

    @Option(names = "--allowed-origins", split = ",",
            description = "Origins (https://app.example.org) whose pages may use the API and socket. "
                    + "Default: only this server's own origin (public URL, else the request's host).")
    List<String> allowedOrigins;

    @Option(names = "--http-max-threads", defaultValue = "64", description = "Request threads at most.")
    int httpMaxThreads;

    @Option(names = "--http-accept-queue", defaultValue = "1024", description = "Listen backlog of the HTTP port.")
    int httpAcceptQueue;

    @Option(names = "--http-max-queued", defaultValue = "1024",
            description = "Requests waiting for their turn at most (half the threads handle requests at once); beyond it,"
                    + " or after 1 s of waiting, they are answered 503 with Retry-After (ADR 0037).")
    int httpMaxQueued;

    @Option(names = "--empty-meeting-timeout", defaultValue = "5m",
            description = "A meeting nobody has been in for this long ends (and the all role forgets it).")
    String emptyMeetingTimeout;

    @Option(names = "--postgres-url", description = "JDBC URL of PostgreSQL (meetings, participants, chat). Default: in memory.")
    String postgresUrl;

    @Option(names = "--postgres-user", description = "PostgreSQL user.")
    String postgresUser;

    @Option(names = "--postgres-password", description = "PostgreSQL password.")
    String postgresPassword;

    @Option(names = "--redis-url", description = "Redis URL (seats, events, SFU registry, rate limits), "
            + "e.g. redis://127.0.0.1:6379. Needed by the signaling and sfu roles.")
    String redisUrl;

    @Option(names = "--control-host",
            description = "Address an SFU's control endpoint binds. Default: the --control-advertise address "
                    + "(a private one), never every interface unless asked for with 0.0.0.0.")
    String controlHost;

    @Option(names = "--control-port", defaultValue = "7070", description = "Port of an SFU's control endpoint.")
    int controlPort;

    @Option(names = "--control-advertise", defaultValue = "127.0.0.1",
            description = "Host signaling nodes reach this SFU's control endpoint at.")
    String controlAdvertise;

    @Option(names = "--drain-timeout", defaultValue = "0s",
            description = "An sfu node told to stop (SIGTERM) first drains: it takes no new meetings (registry, "
                    + "/readyz answers 503) and waits up to this long for its participants to leave (e.g. 10m). "
                    + "Default: stop at once.")
    String drainTimeout;

    @Option(names = "--control-keys", split = ",",
            description = "Secrets between signaling and SFU nodes as kid:secret; the first signs, all verify. "
                    + "The same on every node.")
    List<String> controlKeys;

    @Option(names = "--control-tls", defaultValue = "on",
            description = "on (default): the control channel between nodes runs on mutual TLS and needs the three "
                    + "--control-tls-* files in the sfu and signaling roles; off: plaintext, for a network you trust.")
    String controlTls;

    @Option(names = "--control-tls-cert", description = "PEM certificate (chain) this node presents on the control channel.")
    String controlTlsCert;

    @Option(names = "--control-tls-key", description = "PEM private key of --control-tls-cert (unencrypted).")
    String controlTlsKey;

    @Option(names = "--control-tls-ca",
            description = "PEM certificate(s) of the authority every node's control certificate must be issued by.")
    String controlTlsCa;

    @Option(names = "--tls", defaultValue = "off",
            description = "off (default: plain HTTP) or self-signed (HTTPS with a certificate generated at start, "
                    + "for development; its SHA-256 fingerprint is printed). --tls-cert/--tls-key turn HTTPS on with your files.")
    String tls;

    @Option(names = "--tls-cert", description = "PEM certificate chain for HTTPS/WSS (reloaded when the file changes).")
    String tlsCert;

    @Option(names = "--tls-key", description = "PEM private key of --tls-cert (unencrypted; reloaded when it changes).")
    String tlsKey;

    @Option(names = "--trusted-proxies", split = ",",
            description = "Networks of reverse proxies (10.0.0.0/8,192.168.1.7) whose Forwarded/X-Forwarded-For/"
                    + "X-Forwarded-Proto headers are believed. Default: none.")
    List<String> trustedProxies;

    @Option(names = "--turn-urls", split = ",",
            description = "TURN servers for clients, e.g. turn:turn.example.org:3478?transport=udp,turns:turn.example.org:443. "
                    + "Default: none.")
    List<String> turnUrls;

    @Option(names = "--turn-secret",
            description = "Secret shared with the TURN server (coturn: use-auth-secret, static-auth-secret).")
    String turnSecret;

    @Option(names = "--turn-ttl", defaultValue = "24h",
            description = "Lifetime of the TURN credentials in a join answer (s, m, h or d).")
    String turnTtl;

    @Override
    public Integer call() throws Exception {
        switch (logFormat) {
            case "text" -> { }
            // slf4j-simple writes to System.err as it is at each line, so every later line is JSON.
            case "json" -> System.setErr(new java.io.PrintStream(new JsonLogLines(new java.io.FileOutputStream(
                    java.io.FileDescriptor.err)), true, java.nio.charset.StandardCharsets.UTF_8));
            default -> {
                System.err.println("convene: --log-format is text or json, not " + logFormat);
                return 2;
            }
        }
        if (role != Role.all && controlKeys == null) {
            System.err.println("convene: --role " + role + " needs --control-keys (the same on every node)");
            return 2;
        }
        List<InetAddress> advertise = new ArrayList<>();
        for (String address : mediaAdvertise == null ? List.<String>of() : mediaAdvertise) {
            if (!address.isBlank()) {
                advertise.add(InetAddress.getByName(address.strip()));
            }
        }
        Duration consent;
        try {
            consent = DurationOption.parse(consentTimeout, "--consent-timeout");
        } catch (IllegalArgumentException e) {
            System.err.println("convene: " + e.getMessage());
            return 2;
        }
        Path data = localDataDir();
        ServerOptions options = new ServerOptions(httpHost, httpPort, publicUrl, mediaHost, mediaPort,
                advertise, consent, nodeId, region,
                jwtKeys == null && data != null ? LocalData.jwtKeys(prepare(data)) : JwtKeyOption.parse(jwtKeys),
                guestAuthEnabled(),
                uplinkEstimateBps, postgresUrl, postgresUser, postgresPassword, redisUrl,
                controlBindHost(), controlPort,
                controlAdvertise, JwtKeyOption.parse(controlKeys), null, mediaPort, null, null, null, null);
        RunningNode node;
        try {
            options = options.withMediaSelection(new ServerOptions.MediaSelection(maxAudioStreams, lastN))
                    .withMediaLoops(mediaLoops);
            options = options.withMediaTcpPort(MediaTcpPortOption.parse(mediaTcpPort, mediaPort))
                    .withTurn(TurnOption.parse(turnUrls, turnSecret, turnTtl));
            options = options.withRateLimits(new SignalingConfig.RateLimits(RateLimitOption.parse(limitCreatePerUser),
                    RateLimitOption.parse(limitCreatePerAddress), RateLimitOption.parse(limitJoinPerUser),
                    RateLimitOption.parse(limitJoinPerAddress)));
            options = options.withHardening(hardening()).withResumeGrace(resumeGrace()).withTls(TlsOptions.parse(tls, tlsCert,
                    tlsKey, trustedProxies, controlTls, controlTlsCert, controlTlsKey, controlTlsCa, role != Role.all,
                    TlsOptions.selfSignedNames(httpHost, publicUrl), java.time.Clock.systemUTC()));
            node = switch (role) {
                case all -> AllInOneServer.start(options, data != null ? LocalData.open(data) : null);
                case signaling -> SignalingRoleServer.start(options);
                case sfu -> SfuRoleServer.start(options, drainTimeout());
            };
        } catch (IllegalArgumentException e) {
            System.err.println("convene: " + e.getMessage());
            return 2;
        } catch (java.io.UncheckedIOException e) {
            System.err.println("convene: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stopped.countDown();
        }, "convene-shutdown"));
        System.out.println(node.banner());
        stopped.await();
        return 0;
    }

    /**
     * The all role's data directory, or null when it runs in memory: with {@code --ephemeral}, when
     * an external PostgreSQL is named, and in the fleet roles.
     */
    Path localDataDir() {
        return role == Role.all && !ephemeral && postgresUrl == null ? Path.of(dataDir) : null;
    }

    private static Path prepare(Path dir) throws java.io.IOException {
        return java.nio.file.Files.createDirectories(dir);
    }

    /**
     * The control port listens where signaling nodes are told to reach it (a private address,
     * 127.0.0.1 unless advertised otherwise), not on every interface: the port serves the SFU's
     * whole control surface and its metrics, which the internet has no business reaching.
     */
    String controlBindHost() {
        return controlHost != null ? controlHost : controlAdvertise;
    }

    /** {@code 0} turns resume off; anything else is a duration of at least a second. */
    Duration resumeGrace() {
        String v = resumeGrace == null ? "" : resumeGrace.strip();
        return v.matches("0+(ms|s|m|h|d)?") ? Duration.ZERO : DurationOption.parse(v, "--resume-grace");
    }

    /** {@code --drain-timeout}: zero (the default, {@code 0s}) stops at once; durations otherwise must be positive. */
    Duration drainTimeout() {
        return drainTimeout.strip().matches("0+(ms|s|m|h|d)?") ? Duration.ZERO
                : DurationOption.parse(drainTimeout, "--drain-timeout");
    }

    /** Anonymous guests are for the single-machine role; a fleet has an identity provider unless told otherwise. */
    boolean guestAuthEnabled() {
        return guestAuth != null ? guestAuth : role == Role.all;
    }

    SignalingConfig.Hardening hardening() {
        SignalingConfig.HttpLimits defaults = SignalingConfig.HttpLimits.DEFAULTS;
        return new SignalingConfig.Hardening(
                new TokenService.Policy(jwtIssuer, jwtAudience, DurationOption.parse(tokenMaxLifetime),
                        jwtJwks == null ? null : JwksKeys.load(jwksSource(jwtJwks), java.time.Clock.systemUTC())),
                DurationOption.parse(seatClaimTimeout), maxUnclaimedSeats, RateLimitOption.parse(limitGuestPerAddress),
                allowedOrigins == null ? List.of() : allowedOrigins,
                new SignalingConfig.HttpLimits(httpMaxThreads, Math.min(defaults.minThreads(), httpMaxThreads),
                        httpAcceptQueue, httpMaxQueued),
                DurationOption.parse(emptyMeetingTimeout));
    }

    /** {@code file:…} and {@code https://…} as they are; a bare path means a file. */
    static java.net.URI jwksSource(String value) {
        String v = value.strip();
        return v.startsWith("file:") || v.startsWith("https://") || v.startsWith("http://")
                ? java.net.URI.create(v) : java.nio.file.Path.of(v).toAbsolutePath().toUri();
    }

    public static void main(String[] args) throws Exception {
        CommandLine cli = new CommandLine(new ConveneMain());
        cli.setDefaultValueProvider(ConfigDefaults.from(args, System.getenv()));
        int exit = cli.execute(args);
        if (exit != 0) {
            System.exit(exit);
        }
    }
}
