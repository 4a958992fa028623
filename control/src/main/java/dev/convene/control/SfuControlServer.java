package dev.convene.control;

import dev.convene.sfu.SfuNode;
import dev.convene.sfu.lease.LeasingSfuNode;
import dev.convene.tls.JettyTls;
import io.javalin.Javalin;
import io.javalin.websocket.WsCloseContext;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsConnectContext;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves an {@link SfuNode} (in the SFU process, its {@code LocalSfuNode}) to signaling nodes on
 * {@code wss://host:port}{@value #PATH} (mutual TLS; {@code ws://} without TLS configured), on a
 * port of its own. A peer that speaks plaintext to the TLS port or has no certificate of the
 * cluster's authority fails the handshake, logged as {@code control_connection_refused} and counted. A connection must present a valid
 * control token in {@code Authorization: Bearer ...} or is closed with {@value #CLOSE_UNAUTHORIZED}
 * before it can send anything; a connection silent for the heartbeat timeout is closed with
 * {@value #CLOSE_HEARTBEAT_TIMEOUT}. Either way, and on any other loss, the sessions the
 * connection held are detached: their media goes on for the orphan lease, during which another
 * connection may {@code attach} them, and they are closed when it ends.
 */
public final class SfuControlServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SfuControlServer.class);

    public static final String PATH = "/v1/sfu-control";
    public static final int CLOSE_UNAUTHORIZED = 4401;
    public static final int CLOSE_HEARTBEAT_TIMEOUT = 4408;
    /** Jetty closes (1009) on larger messages. A subscriber offer for 100 participants' tracks is about 300 KiB. */
    public static final int MAX_FRAME_BYTES = 8 * 1024 * 1024;
    private static final String BEARER = "Bearer ";
    private static final Duration CLOSE_WAIT = Duration.ofMillis(500);

    private final SfuNode node;
    /** The served node's sessions by id, so they outlive the connection that opened them. */
    private final LeasingSfuNode leasing;
    private final SfuControlConfig config;
    private final ControlTokens tokens;
    private final ControlCodec codec = new ControlCodec();
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledExecutorService watchdog;
    private final ConcurrentMap<String, ServedConnection> connections = new ConcurrentHashMap<>();
    private final AtomicLong connectionIds = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong refusedTokens = new AtomicLong();
    private final JettyTls tls;
    private Javalin app;

    private SfuControlServer(SfuNode node, SfuControlConfig config, Clock clock) {
        this.node = node;
        this.leasing = new LeasingSfuNode(node);
        this.config = config;
        // A refused handshake is never a person's mistake here: a misconfigured node or a stranger
        // on the internal network. Both deserve a line in the log.
        this.tls = config.tls() == null ? null : JettyTls.start("control", config.tls(), (cause, remote, detail) ->
                log.warn("event=control_connection_refused node={} cause={} remote={} detail=\"{}\"", node.nodeId(),
                        cause.label(), remote, detail.replace("\"", "'")), JettyTls.DEFAULT_RELOAD_CHECK);
        this.tokens = new ControlTokens(config.keys(), clock, config.clockSkew());
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "convene-control-watchdog");
            t.setDaemon(true);
            return t;
        });
    }

    public static SfuControlServer start(SfuNode node, SfuControlConfig config) {
        return start(node, config, Clock.systemUTC());
    }

    /** @param clock checks token times; heartbeats use the monotonic clock */
    public static SfuControlServer start(SfuNode node, SfuControlConfig config, Clock clock) {
        return start(node, config, clock, null);
    }

    /**
     * @param metrics Prometheus text served at {@code GET /metrics} (unauthenticated, like
     *     {@code /healthz}: the control port is internal); null serves none
     */
    public static SfuControlServer start(SfuNode node, SfuControlConfig config, Clock clock,
            java.util.function.Supplier<String> metrics) {
        return start(node, config, clock, metrics, () -> true);
    }

    /**
     * @param ready whether the node takes new meetings, answered at {@code GET /readyz} (200, or
     *     503 while it drains), so an orchestrator's readiness follows the drain
     */
    public static SfuControlServer start(SfuNode node, SfuControlConfig config, Clock clock,
            java.util.function.Supplier<String> metrics, java.util.function.BooleanSupplier ready) {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(clock, "clock");
        SfuControlServer server = new SfuControlServer(node, config, clock);
        server.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            if (server.tls == null) {
                cfg.jetty.host = config.bindHost();
                cfg.jetty.port = config.port();
            } else {
                cfg.jetty.addConnector((jetty, http) -> {
                    org.eclipse.jetty.server.ServerConnector connector = server.tls.connector(jetty, http);
                    connector.setHost(config.bindHost());
                    connector.setPort(config.port());
                    return connector;
                });
            }
            cfg.jetty.modifyWebSocketServletFactory(ws -> {
                ws.setMaxTextMessageSize(MAX_FRAME_BYTES);
                ws.setMaxFrameSize(MAX_FRAME_BYTES);
                ws.setMaxBinaryMessageSize(1024);
                // The heartbeat watchdog closes silent connections; Jetty's idle timeout is a backstop.
                ws.setIdleTimeout(config.heartbeatTimeout().multipliedBy(4).plusSeconds(10));
            });
            cfg.routes.ws(PATH, server::configure);
            cfg.routes.get("/healthz", ctx -> ctx.contentType("application/json").result("{\"status\":\"ok\"}"));
            cfg.routes.get("/readyz", ctx -> {
                boolean isReady = ready.getAsBoolean();
                ctx.status(isReady ? 200 : 503).contentType("application/json")
                        .result(isReady ? "{\"status\":\"ready\"}" : "{\"status\":\"draining\"}");
            });
            if (metrics != null) {
                cfg.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                        .result(metrics.get()));
            }
        });
        long tick = Math.max(50, config.heartbeatTimeout().toMillis() / 6);
        server.watchdog.scheduleAtFixedRate(server::closeSilent, tick, tick, TimeUnit.MILLISECONDS);
        try {
            server.app.start();
        } catch (RuntimeException e) {
            server.watchdog.shutdownNow();
            server.workers.shutdown();
            if (server.tls != null) {
                server.tls.close();
            }
            throw e;
        }
        log.info("event=sfu_control_started node={} host={} port={} tls={} client_certificates={} heartbeat_timeout_ms={}",
                node.nodeId(), config.bindHost(), server.port(),
                server.tls == null ? "off" : server.tls.current().sha256Fingerprint(),
                config.tls() != null && config.tls().mutual() ? "required" : "not_asked", config.heartbeatTimeout().toMillis());
        return server;
    }

    private void configure(WsConfig ws) {
        ws.onConnect(this::onConnect);
        ws.onMessage(ctx -> {
            ServedConnection c = connections.get(ctx.sessionId());
            // Frames of an unauthenticated socket (closing with 4401) are never looked at.
            if (c != null) {
                c.onText(ctx.message(), System.nanoTime());
            }
        });
        ws.onBinaryMessage(ctx -> {
            ServedConnection c = connections.get(ctx.sessionId());
            if (c != null) {
                c.onBinary(System.nanoTime());
            }
        });
        ws.onClose(this::onClose);
        ws.onError(ctx -> log.debug("event=control_ws_error socket={} error={}", ctx.sessionId(), String.valueOf(ctx.error())));
    }

    private void onConnect(WsConnectContext ctx) {
        if (closed.get()) {
            ctx.closeSession(1001, "sfu shutting down");
            return;
        }
        String header = ctx.header("Authorization");
        ControlTokens.Caller caller;
        try {
            if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
                throw new ControlTokens.InvalidTokenException("no bearer token");
            }
            caller = tokens.verify(header.substring(BEARER.length()).trim(), node.nodeId());
        } catch (ControlTokens.InvalidTokenException e) {
            refusedTokens.incrementAndGet();
            log.warn("event=control_connection_refused node={} cause=token remote={} detail=\"{}\"", node.nodeId(),
                    ctx.session.getRemoteSocketAddress(), e.getMessage());
            ctx.closeSession(CLOSE_UNAUTHORIZED, "unauthorized");
            return;
        }
        String id = node.nodeId() + "-c" + connectionIds.incrementAndGet();
        ServedConnection c = new ServedConnection(id, caller.callerId(), leasing, config.orphanLease(), codec,
                new FrameWriter(ctx.session, id), workers, System.nanoTime());
        connections.put(ctx.sessionId(), c);
        log.info("event=control_connection_opened connection_id={} caller={} kid={} remote={}", id, caller.callerId(),
                caller.kid(), ctx.session.getRemoteSocketAddress());
        c.start();
    }

    private void onClose(WsCloseContext ctx) {
        ServedConnection c = connections.remove(ctx.sessionId());
        if (c != null) {
            c.end("socket_closed status=" + ctx.status(), 1000, "closed");
        }
    }

    private void closeSilent() {
        try {
            long now = System.nanoTime();
            long limit = config.heartbeatTimeout().toNanos();
            for (var e : connections.entrySet()) {
                if (e.getValue().silentNanos(now) > limit && connections.remove(e.getKey(), e.getValue())) {
                    e.getValue().end("heartbeat_timeout", CLOSE_HEARTBEAT_TIMEOUT, "heartbeat timeout");
                }
            }
        } catch (RuntimeException e) {
            log.warn("event=control_watchdog_failed error={}", e.toString());
        }
    }

    /** The port the endpoint listens on (useful when the configured port was 0). */
    public int port() {
        return app.port();
    }

    /** The endpoint's URL on {@code host} (the address signaling nodes reach this node at). */
    public URI url(String host) {
        String literal = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        return URI.create((tls == null ? "ws://" : "wss://") + literal + ":" + port() + PATH);
    }

    /**
     * Connections refused since start, by cause: {@code plaintext}, {@code certificate} and
     * {@code other} at the TLS handshake, {@code token} at the WebSocket upgrade.
     */
    public long refused(String cause) {
        if (cause.equals("token")) {
            return refusedTokens.get();
        }
        if (tls == null) {
            return 0;
        }
        return tls.refused(JettyTls.Refusal.valueOf(cause.toUpperCase(java.util.Locale.ROOT)));
    }

    /** The causes {@link #refused(String)} knows. */
    public static List<String> refusalCauses() {
        return List.of("plaintext", "certificate", "other", "token");
    }

    /** Authenticated control connections open now. */
    public int openConnections() {
        return connections.size();
    }

    /** Sessions held by a connection of this endpoint now. */
    public int openSessions() {
        return connections.values().stream().mapToInt(ServedConnection::openSessions).sum();
    }

    /** Sessions on the node, held by a connection or detached and waiting for an attach. */
    public int liveSessions() {
        return leasing.sessionCount();
    }

    /**
     * Ends the detached sessions of a meeting that was moved to another node while this one
     * could not speak (ADR 0030): nobody will attach to them again.
     *
     * @return how many ended
     */
    public int endDetachedSessions(String meetingId) {
        return leasing.endDetached(meetingId);
    }

    /**
     * Stops serving: every connection is closed (1001), which tells its signaling node to fail
     * its sessions, and every session opened here is closed. The served node itself stays up.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        watchdog.shutdownNow();
        List<ServedConnection> all = List.copyOf(connections.values());
        connections.clear();
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        for (ServedConnection c : all) {
            sent.add(c.end("server_closed", 1001, "sfu shutting down", true));
        }
        // Let the close frames leave before Jetty stops; a peer that does not answer is cut off.
        try {
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.debug("event=control_close_frames_unsent error={}", e.toString());
        }
        app.stop();
        workers.shutdown();
        leasing.close();
        if (tls != null) {
            tls.close();
        }
        log.info("event=sfu_control_stopped node={}", node.nodeId());
    }
}
