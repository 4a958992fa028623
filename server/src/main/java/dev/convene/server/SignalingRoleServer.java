package dev.convene.server;

import dev.convene.control.ControlKey;
import dev.convene.control.RemoteSfuConfig;
import dev.convene.control.RemoteSfuNode;
import dev.convene.signaling.SignalingConfig;
import dev.convene.signaling.SignalingServer;
import dev.convene.signaling.placement.RegistrySfuDirectory;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code signaling} role: REST API, WebSocket signaling and the web client, on shared
 * stores, placing meetings on the SFU nodes of the registry and driving them over the control
 * channel. Any number of these run side by side.
 */
public final class SignalingRoleServer implements RunningNode {

    private static final Logger log = LoggerFactory.getLogger(SignalingRoleServer.class);

    private final Backends backends;
    private final SignalingServer signaling;
    private final List<RemoteSfuNode> connections;
    private final String webUrl;

    private SignalingRoleServer(Backends backends, SignalingServer signaling, List<RemoteSfuNode> connections,
            String webUrl) {
        this.backends = backends;
        this.signaling = signaling;
        this.connections = connections;
        this.webUrl = webUrl;
    }

    public static SignalingRoleServer start(ServerOptions options) {
        Clock clock = Clock.systemUTC();
        Backends backends = Backends.open(options, clock);
        try {
            if (!backends.shared()) {
                throw new IllegalArgumentException("--role signaling needs --redis-url: nodes share seats, events and the "
                        + "SFU registry through Redis");
            }
            ControlKey key = controlKey(options);
            List<RemoteSfuNode> connections = new java.util.concurrent.CopyOnWriteArrayList<>();
            RegistrySfuDirectory directory = new RegistrySfuDirectory(backends.registry(), backends.placement(), info -> {
                RemoteSfuNode node = RemoteSfuNode.connect(RemoteSfuConfig.of(info.nodeId(),
                        URI.create(info.controlAddress()), options.nodeId(), key));
                connections.add(node);
                return node;
            }, clock);
            SignalingServer signaling = SignalingServer.start(signalingConfig(options), backends.signalingStores(),
                    directory, clock, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
            String url = webUrl(options, signaling.port());
            log.info("event=server_started role=signaling node={} http={}", options.nodeId(), url);
            return new SignalingRoleServer(backends, signaling, connections, url);
        } catch (RuntimeException e) {
            backends.close();
            throw e;
        }
    }

    static SignalingConfig signalingConfig(ServerOptions options) {
        SignalingConfig config = SignalingConfig.defaults(options.jwtKeys().stream()
                        .map(k -> new SignalingConfig.JwtKey(k.kid(), k.secret()))
                        .toList())
                .withBind(options.httpHost(), options.httpPort())
                .withGuestAuth(options.guestAuth())
                .withRegion(options.region())
                .withRateLimits(options.rateLimits())
                .withTurn(options.turn())
                .withHardening(options.hardening())
                .withResumeGrace(options.resumeGrace());
        return options.publicUrl() != null ? config.withPublicBaseUrl(options.publicUrl()) : config;
    }

    static String webUrl(ServerOptions options, int port) {
        if (options.publicUrl() != null) {
            return options.publicUrl();
        }
        String host = options.httpHost().equals("0.0.0.0") ? "localhost" : options.httpHost();
        return "http://" + host + ":" + port;
    }

    static ControlKey controlKey(ServerOptions options) {
        JwtKeyOption first = options.controlKeys().getFirst();
        return new ControlKey(first.kid(), first.secret());
    }

    public String webUrl() {
        return webUrl;
    }

    public int httpPort() {
        return signaling.port();
    }

    @Override
    public String banner() {
        return "Convene signaling is running: open " + webUrl;
    }

    @Override
    public void close() {
        signaling.close();
        connections.forEach(RemoteSfuNode::close);
        backends.close();
        log.info("event=server_stopped role=signaling");
    }
}
