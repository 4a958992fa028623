package dev.convene.control;

import dev.convene.sfu.ParticipantListener;
import dev.convene.sfu.ParticipantSession;
import dev.convene.sfu.SessionGoneException;
import dev.convene.sfu.SfuNode;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An SFU node in another process, reached over its control endpoint ({@link SfuControlServer}).
 * All sessions this signaling node opens there share one WebSocket. Calls are request/response
 * with a timeout; the SFU's events reach each session's {@link ParticipantListener}.
 *
 * <p>When the connection is lost (closed, broken, or silent for the heartbeat timeout) every
 * session opened on it hears {@code onMediaFailed("control connection lost")}, calls waiting on
 * it fail at once with {@link SfuControlException}, and a new connection is attempted with
 * exponential backoff. While an attempt is under way {@link #join} waits for it (at most the call
 * timeout); between attempts it fails at once, so the caller can place the participant elsewhere.
 */
public final class RemoteSfuNode implements SfuNode, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RemoteSfuNode.class);

    private final RemoteSfuConfig config;
    private final ControlTokens tokens;
    private final ControlCodec codec = new ControlCodec();
    private final HttpClient http;
    private final ScheduledExecutorService timer;
    private final AtomicLong sessionIds = new AtomicLong();
    private final Object lock = new Object();
    /** The newest connection: connecting, ready, or lost and waiting for {@link #retry}. Guarded by lock. */
    private ClientConnection current;
    private ScheduledFuture<?> retry;
    private int failures;
    private boolean closed;
    /** The newest attempt could not even open a connection: nothing listens there (the process is gone). */
    private volatile boolean refused;

    private RemoteSfuNode(RemoteSfuConfig config, Clock clock) {
        this.config = config;
        this.tokens = new ControlTokens(List.of(config.key()), clock, Duration.ZERO);
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(config.callTimeout());
        if (config.tls() != null) {
            builder.sslContext(config.tls());
        }
        this.http = builder.build();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "convene-control-" + config.nodeId());
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts connecting and returns at once; {@link #join} waits for the connection. */
    public static RemoteSfuNode connect(RemoteSfuConfig config) {
        return connect(config, Clock.systemUTC());
    }

    /** @param clock stamps the tokens ({@code iat}, {@code exp}) */
    public static RemoteSfuNode connect(RemoteSfuConfig config, Clock clock) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(clock, "clock");
        RemoteSfuNode node = new RemoteSfuNode(config, clock);
        long beat = config.heartbeatInterval().toMillis();
        node.timer.scheduleAtFixedRate(node::heartbeat, beat, beat, TimeUnit.MILLISECONDS);
        node.attempt();
        return node;
    }

    @Override
    public String nodeId() {
        return config.nodeId();
    }

    /** Whether a connection is up and has been greeted by the SFU. */
    public boolean connected() {
        synchronized (lock) {
            return current != null && current.isReady();
        }
    }

    @Override
    public boolean reachable() {
        return connected();
    }

    @Override
    public boolean refusing() {
        return refused && !connected();
    }

    /**
     * Opens a session on the SFU.
     *
     * @throws SfuControlException if there is no usable connection ({@code unavailable}), the
     *     SFU does not answer in time ({@code timeout}), or it refuses ({@code internal})
     */
    @Override
    public ParticipantSession join(String meetingId, String participantId, ParticipantListener listener) {
        Objects.requireNonNull(meetingId, "meetingId");
        Objects.requireNonNull(participantId, "participantId");
        // Unique across signaling nodes: another node may attach to it by this id.
        String sessionId = config.callerId() + "-" + sessionIds.incrementAndGet() + "-" + randomHex();
        return open(sessionId, participantId, listener, "join",
                id -> new ControlFrame.Join(id, sessionId, meetingId, participantId));
    }

    /**
     * Takes over a session opened through any signaling node's connection (a participant resuming
     * here); the connection that held it hears {@code session_moved}.
     *
     * @throws SessionGoneException if the SFU has no such session of that participant any more
     */
    @Override
    public ParticipantSession attach(String sessionId, String participantId, ParticipantListener listener) {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(participantId, "participantId");
        try {
            return open(sessionId, participantId, listener, "attach",
                    id -> new ControlFrame.Attach(id, sessionId, participantId));
        } catch (SfuControlException e) {
            if (ControlError.UNKNOWN_SESSION.wire().equals(e.code())) {
                throw new SessionGoneException(e.getMessage());
            }
            throw e;
        }
    }

    private ParticipantSession open(String sessionId, String participantId, ParticipantListener listener, String what,
            java.util.function.LongFunction<ControlFrame.Request> request) {
        Objects.requireNonNull(listener, "listener");
        ClientConnection connection = readyConnection();
        RemoteParticipantSession session = new RemoteParticipantSession(connection, sessionId, participantId, listener);
        // Registered before the request: the SFU may push a subscriber offer before it replies.
        connection.register(session);
        ControlFrame.Reply reply;
        try {
            reply = connection.call(request, what);
        } catch (SfuControlException e) {
            session.abandon();
            if (SfuControlException.TIMEOUT.equals(e.code())) {
                // The SFU may still open it; a close queued behind the join keeps it from leaking, and
                // a late attach is let go again under a lease, so the participant can try once more.
                connection.sendQuietly(id -> "attach".equals(what)
                        ? new ControlFrame.Detach(id, sessionId, SfuControlConfig.DEFAULT_ORPHAN_LEASE.toMillis())
                        : new ControlFrame.Close(id, sessionId));
            }
            throw e;
        }
        if (reply instanceof ControlFrame.Error error) {
            session.abandon();
            throw new SfuControlException(error.code().wire(), "SFU " + nodeId() + " refused " + what + ": " + error.message());
        }
        return session;
    }

    private static String randomHex() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
    }

    private ClientConnection readyConnection() {
        ClientConnection c;
        synchronized (lock) {
            if (closed) {
                throw new SfuControlException(SfuControlException.UNAVAILABLE, "RemoteSfuNode " + nodeId() + " is closed");
            }
            c = current;
        }
        if (c == null || c.isLost()) {
            String why = c == null ? "" : ": " + c.lostBecause();
            throw new SfuControlException(SfuControlException.UNAVAILABLE,
                    "no control connection to SFU " + nodeId() + " (reconnecting)" + why);
        }
        try {
            c.ready().get(config.callTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new SfuControlException(SfuControlException.UNAVAILABLE, e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new SfuControlException(SfuControlException.UNAVAILABLE,
                    "SFU " + nodeId() + " did not accept a control connection within " + config.callTimeout().toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SfuControlException(SfuControlException.UNAVAILABLE, "interrupted waiting for SFU " + nodeId(), e);
        }
        return c;
    }

    // ---------------------------------------------------------------- connection lifecycle

    private void attempt() {
        ClientConnection c = new ClientConnection(config.nodeId(), codec, config.callTimeout(), this::onLost);
        synchronized (lock) {
            if (closed) {
                return;
            }
            current = c;
            retry = null;
        }
        String token = tokens.mint(config.callerId(), config.nodeId());
        http.newWebSocketBuilder()
                .header("Authorization", "Bearer " + token)
                .connectTimeout(config.callTimeout())
                .buildAsync(config.controlUrl(), c)
                .whenComplete((ws, e) -> {
                    if (e != null) {
                        refused = true;
                        c.lose("connect failed: " + rootMessage(e), ClientConnection.LOST_REASON);
                    }
                });
        c.ready().copy().orTimeout(config.callTimeout().toMillis(), TimeUnit.MILLISECONDS).whenComplete((v, e) -> {
            if (e == null) {
                synchronized (lock) {
                    failures = 0;
                }
                refused = false;
                log.info("event=control_connected node={} url={}", config.nodeId(), config.controlUrl());
            } else if (!c.isLost()) {
                c.lose("no hello within " + config.callTimeout().toMillis() + " ms", ClientConnection.LOST_REASON);
            }
        });
    }

    private void onLost(ClientConnection c) {
        synchronized (lock) {
            if (closed || c != current) {
                return;
            }
            failures++;
            Duration delay = Backoff.delay(failures, config.reconnectMin(), config.reconnectMax(),
                    ThreadLocalRandom.current().nextDouble());
            log.info("event=control_reconnect_scheduled node={} failures={} delay_ms={}", config.nodeId(), failures,
                    delay.toMillis());
            retry = timer.schedule(this::attempt, delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void heartbeat() {
        ClientConnection c;
        synchronized (lock) {
            c = current;
        }
        if (c != null) {
            try {
                c.heartbeat(System.nanoTime(), config.heartbeatTimeout());
            } catch (RuntimeException e) {
                log.warn("event=control_heartbeat_failed node={} error={}", config.nodeId(), e.toString());
            }
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.toString();
    }

    /**
     * Closes the connection; the SFU closes every session opened through it, and their listeners
     * hear {@code onMediaFailed("control channel closed")}.
     */
    @Override
    public void close() {
        ClientConnection c;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            if (retry != null) {
                retry.cancel(false);
            }
            c = current;
        }
        timer.shutdownNow();
        if (c != null) {
            c.close("control channel closed");
        }
        http.shutdownNow();
        log.info("event=control_closed node={}", config.nodeId());
    }
}
