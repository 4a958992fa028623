package dev.convene.server;

import dev.convene.control.ControlKey;
import dev.convene.control.RemoteSfuConfig;
import dev.convene.control.RemoteSfuNode;
import dev.convene.signaling.SignalingConfig;
import dev.convene.signaling.SignalingServer;
import dev.convene.signaling.placement.RegistrySfuDirectory;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import dev.convene.tls.TlsIdentity;
import java.net.URI;
import javax.net.ssl.SSLContext;
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
    private final ServerOptions options;

    private SignalingRoleServer(Backends backends, SignalingServer signaling, List<RemoteSfuNode> connections,
            String webUrl, ServerOptions options) {
        this.options = options;
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
            // Read once: a signaling node's client certificate is renewed by restarting it.
            SSLContext controlTls = options.tls().control() == null ? null : options.tls().control().client();
            if (controlTls == null) {
                log.warn("event=control_plaintext role=signaling note=\"--control-tls off: control traffic is readable on the network\"");
            }
            List<RemoteSfuNode> connections = new java.util.concurrent.CopyOnWriteArrayList<>();
            RegistrySfuDirectory directory = new RegistrySfuDirectory(backends.registry(), backends.placement(), info -> {
                RemoteSfuNode node = RemoteSfuNode.connect(RemoteSfuConfig.of(info.nodeId(),
                        URI.create(info.controlAddress()), options.nodeId(), key, controlTls));
                connections.add(node);
                return node;
            }, clock);
            SignalingServer signaling = SignalingServer.start(signalingConfig(options), options.tls().edge(),
                    backends.signalingStores(), directory, clock, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
            // A draining SFU's meetings move to another node, make-before-break (ADR 0020).
            signaling.evacuateWith(signaling.migratingEvacuation());
            String url = webUrl(options, signaling.port());
            logSelfSigned(options);
            log.info("event=server_started role=signaling node={} http={}", options.nodeId(), url);
            return new SignalingRoleServer(backends, signaling, connections, url, options);
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
        return (options.tls().http() != null ? "https://" : "http://") + host + ":" + port;
    }

    /** What a person needs to check a generated certificate before trusting it in a browser. */
    static void logSelfSigned(ServerOptions options) {
        TlsIdentity generated = options.tls().selfSigned();
        if (generated != null) {
            log.info("event=tls_self_signed sha256={} spki_sha256={} names=\"{}\" note=\"development only: browsers warn until "
                    + "you accept this certificate\"", generated.sha256Fingerprint(), generated.spkiSha256Base64(),
                    String.join(",", generated.names()));
        }
    }

    /** Appended to the banner when the certificate was generated at start. */
    static String selfSignedNote(ServerOptions options) {
        TlsIdentity generated = options.tls().selfSigned();
        return generated == null ? "" : " (self-signed certificate, SHA-256 " + generated.sha256Fingerprint() + ")";
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
        return "Convene signaling is running: open " + webUrl + selfSignedNote(options);
    }

    @Override
    public void close() {
        // Other signaling nodes carry on: participants resume there, their sessions untouched (ADR 0020).
        signaling.close(true);
        connections.forEach(RemoteSfuNode::close);
        backends.close();
        log.info("event=server_stopped role=signaling");
    }
}
