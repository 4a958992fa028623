package dev.convene.signaling;

import dev.convene.sfu.SfuNode;
import dev.convene.signaling.placement.SfuDirectory;
import dev.convene.signaling.placement.SingleSfuDirectory;
import dev.convene.signaling.auth.TokenService;
import dev.convene.signaling.http.MediaResources;
import dev.convene.signaling.http.RestApi;
import dev.convene.signaling.protocol.ProtocolCodec;
import dev.convene.signaling.http.OverloadGuard;
import dev.convene.signaling.http.WebGuards;
import dev.convene.signaling.meetings.EmptyMeetings;
import dev.convene.signaling.ws.SignalingSockets;
import dev.convene.tls.JettyTls;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.staticfiles.Location;
import io.javalin.router.ParsedEndpoint;
import io.javalin.websocket.WsHandlerEntry;
import io.javalin.websocket.WsHandlerType;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.BlockingArrayQueue;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running signaling node: the REST API, the {@code /v1/signal} WebSocket, the web client's
 * files, {@code /healthz} and {@code /metrics}, on one HTTP port.
 */
public final class SignalingServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SignalingServer.class);
    private static final Duration MAX_TICK = Duration.ofSeconds(1);
    private static final Duration MIN_TICK = Duration.ofMillis(50);
    /** docs/openapi.yaml, copied onto the classpath by the build. */
    private static final String OPENAPI_RESOURCE = "/dev/convene/signaling/openapi.yaml";
    /**
     * How often connected participants' seats are reserved again and their meetings' placements
     * renewed: well inside the seat lease,
     * and short, because after a ledger lost its data this is the window in which newcomers
     * could take the seats of people still in the meeting.
     */
    static final Duration LEASE_RENEW_INTERVAL = Duration.ofSeconds(5);
    /** How often meetings on a draining SFU are looked for (ADR 0020); one registry read per SFU node. */
    static final Duration DRAIN_CHECK_INTERVAL = Duration.ofSeconds(1);

    /** Says when the next renewal of seats and placements is due; used by the timer thread only. */
    private static final class LeaseRenewal {
        private final long intervalMillis;
        private long nextMillis;

        LeaseRenewal(long intervalMillis) {
            this.intervalMillis = intervalMillis;
        }

        boolean due(long nowMillis) {
            if (nowMillis < nextMillis) {
                return false;
            }
            nextMillis = nowMillis + intervalMillis;
            return true;
        }
    }

    private final Javalin app;
    private final SignalingSockets sockets;
    private final ScheduledExecutorService timer;
    private final PrometheusMeterRegistry registry;
    private final AtomicBoolean closed = new AtomicBoolean();

    private final EmptyMeetings emptyMeetings;
    private final JettyTls tls;

    private final MediaResources mediaResources;

    private SignalingServer(Javalin app, SignalingSockets sockets, MediaResources mediaResources,
            ScheduledExecutorService timer, PrometheusMeterRegistry registry, EmptyMeetings emptyMeetings, JettyTls tls) {
        this.mediaResources = mediaResources;
        this.emptyMeetings = emptyMeetings;
        this.tls = tls;
        this.app = app;
        this.sockets = sockets;
        this.timer = timer;
        this.registry = registry;
    }

    /** Starts a node in front of one SFU node, with its own metrics registry. */
    public static SignalingServer start(SignalingConfig config, SignalingStores stores, SfuNode sfu, Clock clock) {
        return start(config, stores, new SingleSfuDirectory(sfu, config.region()), clock,
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    /**
     * Starts a node that records its metrics in {@code registry} (so that {@code /metrics} can show
     * other modules' meters too, e.g. the SFU's in the all-in-one role).
     */
    public static SignalingServer start(SignalingConfig config, SignalingStores stores, SfuDirectory sfus, Clock clock,
            PrometheusMeterRegistry registry) {
        return start(config, HttpEdge.PLAIN, stores, sfus, clock, registry);
    }

    /** Starts a node whose HTTP port has the given TLS and trusted proxies. */
    public static SignalingServer start(SignalingConfig config, HttpEdge edge, SignalingStores stores, SfuDirectory sfus,
            Clock clock, PrometheusMeterRegistry registry) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(edge, "edge");
        Objects.requireNonNull(stores, "stores");
        Objects.requireNonNull(sfus, "sfus");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(registry, "registry");

        SignalingMetrics metrics = new SignalingMetrics(registry);
        TokenService tokens = new TokenService(config.jwtKeys(), clock, config.hardening().tokenPolicy());
        EmptyMeetings emptyMeetings = new EmptyMeetings(stores, clock, config.hardening().emptyMeetingTimeout());
        SignalingSockets sockets = new SignalingSockets(config, stores, sfus, clock, tokens, new ProtocolCodec(), metrics);
        // A WHIP or WHEP session is present for as long as a socket's heartbeat would keep it, renewed with the seats.
        MediaResources mediaResources = new MediaResources(stores, sfus, config.heartbeatTimeout().plusSeconds(5)
                .plus(LEASE_RENEW_INTERVAL));
        RestApi rest = new RestApi(config, stores, sfus, clock, tokens, metrics, emptyMeetings, mediaResources);
        registry.gauge("convene.signaling.media.sessions", mediaResources, MediaResources::size);
        // The process's CPU and memory beside the media meters, for the dashboard (deploy/grafana).
        new io.micrometer.core.instrument.binder.system.ProcessorMetrics().bindTo(registry);
        new io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics().bindTo(registry);
        WebGuards guards = new WebGuards(config);
        SignalingConfig.HttpLimits httpLimits = config.hardening().http();
        byte[] indexHtml = readIndexHtml(config.webRoot());
        byte[] openApi = readResource(OPENAPI_RESOURCE);
        boolean hasWebRoot = SignalingServer.class.getResource(config.webRoot()) != null;
        // Scanners and old clients fail handshakes on a public port all day: counted, logged at debug only.
        JettyTls tls = edge.tls() == null ? null : JettyTls.start("http", edge.tls(), (cause, remote, detail) ->
                log.debug("event=tls_handshake_refused listener=http cause={} remote={} detail=\"{}\"", cause.label(), remote,
                        detail.replace("\"", "'")), JettyTls.DEFAULT_RELOAD_CHECK);
        if (tls != null) {
            for (JettyTls.Refusal cause : JettyTls.Refusal.values()) {
                io.micrometer.core.instrument.FunctionCounter.builder("convene_http_tls_refused", tls, t -> t.refused(cause))
                        .description("TLS handshakes refused on the HTTP port, by cause")
                        .tag("cause", cause.label()).register(registry);
            }
        }

        OverloadGuard overload = new OverloadGuard(httpLimits.maxActiveRequests(), httpLimits.queuedRequests(),
                SignalingConfig.HttpLimits.MAX_WAIT);
        io.micrometer.core.instrument.FunctionCounter.builder("convene_http_overload_refused", overload, OverloadGuard::refused)
                .description("HTTP requests (WebSocket upgrades included) answered 503 overloaded by the admission limit")
                .register(registry);
        Javalin app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            // Bounded threads; requests bounded by the overload guard in front of everything
            // (ADR 0037): a flood waits briefly or is answered 503 with Retry-After, never dropped.
            // The pool's queue is unbounded on purpose: a full one made the selector drop the
            // connection it could not dispatch (a reset, or 1006 on a socket), and with the guard
            // bounding requests it holds at most a few tasks per open connection. A deep listen
            // backlog lets bursts of connections queue in the kernel instead of being reset.
            QueuedThreadPool threads = new QueuedThreadPool(httpLimits.maxThreads(), httpLimits.minThreads(), 30_000,
                    new BlockingArrayQueue<>(1024, 1024));
            threads.setName("convene-http");
            cfg.jetty.threadPool = threads;
            // Javalin puts its servlet context inside the server's handler when that is a wrapper.
            cfg.jetty.modifyServer(server -> server.setHandler(overload));
            cfg.jetty.addConnector((server, httpConfig) -> {
                ServerConnector connector = tls != null ? tls.connector(server, httpConfig)
                        : new ServerConnector(server, new org.eclipse.jetty.server.HttpConnectionFactory(httpConfig));
                // After the TLS customizer: a trusted proxy's word on the scheme overrides the hop's.
                httpConfig.addCustomizer(edge.proxies());
                // No per-connection cache of header fields: its trie (~100 KB of char[]) stayed with
                // every upgraded WebSocket for the socket's life, most of an idle socket's heap.
                httpConfig.setHeaderCacheSize(0);
                connector.setHost(config.bindHost());
                connector.setPort(config.httpPort());
                connector.setAcceptQueueSize(httpLimits.acceptQueue());
                return connector;
            });
            cfg.http.prefer405over404 = true;
            cfg.jetty.modifyWebSocketServletFactory(ws -> {
                // Jetty's limits sit well above ours so that our own check answers with
                // frame_too_large and keeps the socket; only beyond them does Jetty close (1009).
                ws.setMaxTextMessageSize(SignalingConfig.WEBSOCKET_HARD_LIMIT_BYTES);
                ws.setMaxFrameSize(SignalingConfig.WEBSOCKET_HARD_LIMIT_BYTES);
                ws.setMaxBinaryMessageSize(config.maxFrameBytes());
                // Our heartbeat closes silent sockets; Jetty's idle timeout is only a backstop.
                ws.setIdleTimeout(config.heartbeatTimeout().multipliedBy(3).plusSeconds(30));
            });
            if (hasWebRoot) {
                cfg.staticFiles.add(files -> {
                    files.hostedPath = "/";
                    files.directory = config.webRoot();
                    files.location = Location.CLASSPATH;
                });
            }
            // We keep no HTTP sessions, but Javalin opens one on every socket upgrade (to copy its
            // attributes); left alone, Jetty would keep each for as long as the server runs.
            cfg.routes.wsAfterUpgrade("/v1/signal", ctx -> {
                var session = ctx.req().getSession(false);
                if (session != null) {
                    session.invalidate();
                }
            });
            cfg.jetty.modifyServletContextHandler(handler -> handler.getSessionHandler().setMaxInactiveInterval(60));
            guards.register(cfg.routes);
            rest.register(cfg.routes);
            cfg.routes.ws("/v1/signal", sockets::configure);
            if (openApi != null) {
                cfg.routes.get("/v1/openapi.yaml", ctx -> ctx.contentType("application/yaml; charset=utf-8").result(openApi));
            }
            cfg.routes.get("/healthz", ctx -> ctx.contentType("application/json").result("{\"status\":\"ok\"}"));
            cfg.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape()));
            cfg.routes.get("/m/{meetingId}", ctx -> serveIndex(ctx, indexHtml));
            cfg.routes.get("/", ctx -> serveIndex(ctx, indexHtml));
        });

        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "convene-signaling-timer");
            t.setDaemon(true);
            return t;
        });
        long tick = tickMillis(config);
        LeaseRenewal leaseRenewal = new LeaseRenewal(LEASE_RENEW_INTERVAL.toMillis());
        LeaseRenewal resumeRefresh = new LeaseRenewal(sockets.resumeRefreshInterval().toMillis());
        LeaseRenewal drainCheck = new LeaseRenewal(DRAIN_CHECK_INTERVAL.toMillis());
        timer.scheduleAtFixedRate(() -> {
            // An exception would cancel the schedule; one bad tick must not stop the next.
            try {
                sockets.closeSilent();
                if (leaseRenewal.due(clock.millis())) {
                    sockets.renewLeases();
                    mediaResources.renew();
                }
                if (drainCheck.due(clock.millis())) {
                    sockets.evacuateDrainingNodes();
                }
                if (resumeRefresh.due(clock.millis())) {
                    sockets.refreshResumeLeases();
                }
                sockets.sweepExpiredResumes();
                int ended = emptyMeetings.check();
                if (ended > 0) {
                    metrics.meetingsEnded(ended);
                }
            } catch (RuntimeException e) {
                log.warn("event=timer_tick_failed error={}", e.toString());
            }
        }, tick, tick, TimeUnit.MILLISECONDS);

        try {
            app.start();
        } catch (RuntimeException e) {
            timer.shutdownNow();
            if (tls != null) {
                tls.close();
            }
            throw e;
        }
        log.info("event=signaling_started host={} port={} tls={} trusted_proxies={} sfu_directory={} guest_auth={} web_root={}"
                + " allowed_origins={} http_max_threads={} http_max_active={} http_max_queued={} http_accept_queue={}",
                config.bindHost(), app.port(), tls == null ? "off" : tls.current().sha256Fingerprint(), edge.proxies(),
                sfus.getClass().getSimpleName(), config.guestAuthEnabled(),
                hasWebRoot ? config.webRoot() : "-",
                config.hardening().allowedOrigins().isEmpty() ? "same-origin" : String.join(",", config.hardening().allowedOrigins()),
                httpLimits.maxThreads(), httpLimits.maxActiveRequests(), httpLimits.queuedRequests(), httpLimits.acceptQueue());
        return new SignalingServer(app, sockets, mediaResources, timer, registry, emptyMeetings, tls);
    }

    private static long tickMillis(SignalingConfig config) {
        Duration shortest = config.heartbeatTimeout().compareTo(config.joinTokenTtl()) < 0
                ? config.heartbeatTimeout() : config.joinTokenTtl();
        Duration tick = shortest.dividedBy(4);
        if (tick.compareTo(MAX_TICK) > 0) {
            tick = MAX_TICK;
        }
        if (tick.compareTo(MIN_TICK) < 0) {
            tick = MIN_TICK;
        }
        return tick.toMillis();
    }

    private static byte[] readIndexHtml(String webRoot) {
        return readResource(webRoot + "/index.html");
    }

    private static byte[] readResource(String name) {
        try (InputStream in = SignalingServer.class.getResourceAsStream(name)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Join links ({@code /m/{id}}) open the web client, which reads the meeting id from the path. */
    private static void serveIndex(Context ctx, byte[] indexHtml) {
        if (indexHtml == null) {
            ctx.status(404);
            return;
        }
        ctx.contentType("text/html; charset=utf-8").result(indexHtml);
    }

    /**
     * The HTTP routes and the WebSocket route this node registered, as {@code "GET /v1/meetings/{id}"};
     * for the test that holds docs/openapi.yaml to them.
     */
    public List<String> routes() {
        List<String> routes = new ArrayList<>();
        for (ParsedEndpoint e : app.unsafe.internalRouter.allHttpHandlers()) {
            if (e.endpoint.method.isHttpMethod()) {
                routes.add(e.endpoint.method.name() + " " + e.endpoint.path);
            }
        }
        for (WsHandlerEntry e : app.unsafe.internalRouter.allWsHandlers()) {
            if (e.getType() == WsHandlerType.WEBSOCKET) {
                routes.add("GET " + e.getPath());
            }
        }
        return routes;
    }

    /** The port the server listens on (useful when the configured port was 0). */
    public int port() {
        return app.port();
    }

    /** The port's TLS (certificate in use, refusals), if it serves HTTPS. */
    public java.util.Optional<JettyTls> tls() {
        return java.util.Optional.ofNullable(tls);
    }

    public PrometheusMeterRegistry meterRegistry() {
        return registry;
    }

    /** Meetings this node watches for emptiness now (not yet ended). */
    public int watchedMeetings() {
        return emptyMeetings.watched();
    }

    /**
     * Plugs in what moves meetings off a draining SFU node, make-before-break (ADR 0020). Until
     * one is set the node logs {@code event=evacuation_unavailable} and the meetings stay put.
     */
    public void evacuateWith(dev.convene.signaling.placement.MeetingEvacuation evacuation) {
        sockets.evacuateWith(evacuation);
    }

    /** Migrates this node's participants off a draining SFU to another one (ADR 0020), for {@link #evacuateWith}. */
    public dev.convene.signaling.placement.MeetingEvacuation migratingEvacuation() {
        return sockets.migratingEvacuation();
    }

    /** WHIP and WHEP sessions held by this node now. */
    public int mediaSessions() {
        return mediaResources.size();
    }

    /** Sockets open now. */
    public int openSockets() {
        return sockets.openSockets();
    }

    /**
     * Stops the node: every socket is ended as a leave (seats released, the others told, close
     * code 1001), then the HTTP server and the timer stop. Right when this node's sessions die with
     * it (the all-in-one role); a fleet's signaling node stops with {@link #close(boolean)}.
     */
    @Override
    public void close() {
        close(false);
    }

    /**
     * Stops the node. With {@code handOver}, joined participants are detached instead of ended and
     * their sockets closed with 1012, so they resume on another signaling node while their media
     * goes on (a rolling restart, ADR 0020); otherwise as {@link #close()}.
     */
    public void close(boolean handOver) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        timer.shutdownNow();
        if (handOver) {
            sockets.detachAll();
        } else {
            sockets.closeAll();
        }
        this.mediaResources.closeAll();
        app.stop();
        if (tls != null) {
            tls.close();
        }
        log.info("event=signaling_stopped");
    }
}
