package dev.convene.control;

import dev.convene.control.ControlFrame.Reply;
import dev.convene.control.ControlFrame.Request;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One control connection from this signaling node to one SFU node, carrying every session
 * this node opened there. Calls wait for the reply of their correlation id; events are routed
 * to sessions by session id. The connection is lost once (close, error, heartbeat timeout,
 * wrong node): then pending calls fail at once and every session's listener hears
 * {@code onMediaFailed}. A lost connection is never reused; {@link RemoteSfuNode} opens a new one.
 */
final class ClientConnection implements WebSocket.Listener {

    private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);
    static final String LOST_REASON = "control connection lost";

    /** The reason listeners hear once this node has begun closing the connection itself. */
    private volatile String closingReason;

    /** What the owning node learns from its connection. */
    interface Owner {
        void onLost(ClientConnection connection);
    }

    private final String nodeId;
    private final ControlCodec codec;
    private final Duration callTimeout;
    private final Owner owner;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final ConcurrentMap<Long, CompletableFuture<Reply>> pending = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, RemoteParticipantSession> sessions = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicBoolean lost = new AtomicBoolean();
    private final StringBuilder partial = new StringBuilder();
    private final Object sendLock = new Object();
    private CompletableFuture<?> sendTail = CompletableFuture.completedFuture(null);
    private volatile WebSocket socket;
    private volatile long lastInboundNanos = System.nanoTime();
    private volatile String lostBecause;

    ClientConnection(String nodeId, ControlCodec codec, Duration callTimeout, Owner owner) {
        this.nodeId = nodeId;
        this.codec = codec;
        this.callTimeout = callTimeout;
        this.owner = owner;
    }

    /** Completes when the SFU said {@code hello}; fails if the connection is lost before. */
    CompletableFuture<Void> ready() {
        return ready;
    }

    boolean isLost() {
        return lost.get();
    }

    boolean isReady() {
        return ready.isDone() && !ready.isCompletedExceptionally() && !lost.get();
    }

    int openSessions() {
        return sessions.size();
    }

    // ---------------------------------------------------------------- calls

    /**
     * Sends a request and waits for its reply. An {@code error} reply is returned, not thrown, so
     * the caller decides what it means for its call.
     */
    Reply call(LongFunction<Request> request, String what) {
        if (lost.get()) {
            throw lostException();
        }
        long id = ids.incrementAndGet();
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        pending.put(id, reply);
        if (lost.get()) {
            // Lost between the check and the put: failPending may have missed this one.
            pending.remove(id);
            throw lostException();
        }
        send(codec.encode(request.apply(id)));
        try {
            return reply.get(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            pending.remove(id);
            throw new SfuControlException(SfuControlException.TIMEOUT,
                    "SFU " + nodeId + " did not answer " + what + " within " + callTimeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof SfuControlException s
                    ? new SfuControlException(s.code(), s.getMessage(), s) : lostException();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pending.remove(id);
            throw new SfuControlException(SfuControlException.UNAVAILABLE, "interrupted waiting for SFU " + nodeId, e);
        }
    }

    /** Sends a request nobody waits for (clean-up after a timed-out join). */
    void sendQuietly(LongFunction<Request> request) {
        if (!lost.get()) {
            send(codec.encode(request.apply(ids.incrementAndGet())));
        }
    }

    void register(RemoteParticipantSession session) {
        sessions.put(session.sessionId(), session);
        if (lost.get()) {
            sessions.remove(session.sessionId());
            throw lostException();
        }
    }

    void unregister(RemoteParticipantSession session) {
        sessions.remove(session.sessionId(), session);
    }

    private SfuControlException lostException() {
        return new SfuControlException(SfuControlException.CONNECTION_LOST,
                "control connection to SFU " + nodeId + " lost" + (lostBecause == null ? "" : ": " + lostBecause));
    }

    /** The JDK socket allows one outstanding send: each send starts when the one before it ends. */
    private void send(String text) {
        synchronized (sendLock) {
            WebSocket ws = socket;
            if (ws == null) {
                return;
            }
            sendTail = sendTail.thenCompose(x -> ws.sendText(text, true)).whenComplete((x, e) -> {
                if (e != null) {
                    lose("send failed: " + e, LOST_REASON);
                }
            });
        }
    }

    // ---------------------------------------------------------------- heartbeat

    /** Called every heartbeat interval by the owner: declares the connection lost, or pings. */
    void heartbeat(long nowNanos, Duration timeout) {
        if (!isReady()) {
            return;
        }
        long silent = nowNanos - lastInboundNanos;
        if (silent > timeout.toNanos()) {
            lose("heartbeat timeout: nothing from the SFU for " + TimeUnit.NANOSECONDS.toMillis(silent) + " ms", LOST_REASON);
            return;
        }
        send(codec.encode(new ControlFrame.Ping()));
    }

    // ---------------------------------------------------------------- WebSocket.Listener

    @Override
    public void onOpen(WebSocket webSocket) {
        socket = webSocket;
        lastInboundNanos = System.nanoTime();
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (partial.length() > SfuControlServer.MAX_FRAME_BYTES) {
            lose("frame from SFU larger than " + SfuControlServer.MAX_FRAME_BYTES + " characters", LOST_REASON);
            return null;
        }
        if (last) {
            String text = partial.toString();
            partial.setLength(0);
            lastInboundNanos = System.nanoTime();
            onFrame(text);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        lastInboundNanos = System.nanoTime();
        log.warn("event=control_unexpected_binary node={}", nodeId);
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
        lastInboundNanos = System.nanoTime();
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        String why = statusCode == SfuControlServer.CLOSE_UNAUTHORIZED
                ? "rejected by SFU: unauthorized (" + statusCode + ")"
                : "closed by SFU: " + statusCode + " " + reason;
        lose(why, LOST_REASON);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        lose("socket error: " + error, LOST_REASON);
    }

    private void onFrame(String text) {
        ControlFrame frame;
        try {
            frame = codec.decode(text);
        } catch (FrameException e) {
            // Nothing to answer an SFU with; the frame is dropped and the connection stays.
            log.warn("event=control_bad_frame_from_sfu node={} code={} message=\"{}\"", nodeId, e.code().wire(), e.getMessage());
            return;
        }
        switch (frame) {
            case ControlFrame.Hello h -> {
                if (!h.nodeId().equals(nodeId)) {
                    lose("the endpoint is SFU " + h.nodeId() + ", not " + nodeId, LOST_REASON);
                    return;
                }
                ready.complete(null);
            }
            case ControlFrame.Pong p -> { }
            case ControlFrame.Error e when e.id() == 0 ->
                    log.warn("event=control_error_from_sfu node={} code={} message=\"{}\"", nodeId, e.code().wire(), e.message());
            case Reply r -> {
                CompletableFuture<Reply> waiting = pending.remove(r.id());
                if (waiting != null) {
                    waiting.complete(r);
                }
            }
            case ControlFrame.SubscriberOffer o -> {
                RemoteParticipantSession s = sessions.get(o.session());
                if (s != null) {
                    s.deliverSubscriberOffer(o.sdp(), o.tracks());
                }
            }
            case ControlFrame.ActiveSpeakers a -> {
                RemoteParticipantSession s = sessions.get(a.session());
                if (s != null) {
                    s.deliverActiveSpeakers(a.participantIds());
                }
            }
            case ControlFrame.PublishLayers l -> {
                RemoteParticipantSession s = sessions.get(l.session());
                if (s != null) {
                    s.deliverPublishLayers(l.trackId(), l.layers());
                }
            }
            case ControlFrame.MediaFailed f -> {
                RemoteParticipantSession s = sessions.remove(f.session());
                if (s != null) {
                    s.deliverMediaFailed(f.reason());
                }
            }
            case ControlFrame.SessionMoved m -> {
                RemoteParticipantSession s = sessions.remove(m.session());
                if (s != null) {
                    s.deliverSessionMoved();
                }
            }
            default -> log.warn("event=control_unexpected_frame node={} frame={}", nodeId, frame.getClass().getSimpleName());
        }
    }

    // ---------------------------------------------------------------- the end

    /** Ends this connection on purpose: the socket is closed (1000) and the sessions hear {@code why}. */
    void close(String listenerReason) {
        // Set before the close frame goes out: the SFU's answering close may reach onClose first.
        closingReason = listenerReason;
        WebSocket ws = socket;
        if (ws != null && !lost.get()) {
            try {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "closing").get(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                log.debug("event=control_close_unsent node={} error={}", nodeId, e.toString());
            }
        }
        lose("closed by this node", listenerReason);
    }

    /**
     * Once per connection: fails the handshake and every pending call, tells every session's
     * listener, aborts the socket and tells the owner.
     */
    void lose(String why, String listenerReason) {
        if (!lost.compareAndSet(false, true)) {
            return;
        }
        String closing = closingReason;
        if (closing != null) {
            listenerReason = closing;
        }
        lostBecause = why;
        SfuControlException failure = lostException();
        ready.completeExceptionally(failure);
        for (Long id : List.copyOf(pending.keySet())) {
            CompletableFuture<Reply> call = pending.remove(id);
            if (call != null) {
                call.completeExceptionally(failure);
            }
        }
        List<RemoteParticipantSession> open = List.copyOf(sessions.values());
        sessions.clear();
        if (LOST_REASON.equals(listenerReason)) {
            log.warn("event=control_connection_lost node={} reason=\"{}\" sessions_failed={}", nodeId, why, open.size());
        } else {
            log.info("event=control_connection_closed node={} sessions_ended={}", nodeId, open.size());
        }
        try {
            for (RemoteParticipantSession s : open) {
                // One listener that throws must not keep the rest from hearing, nor the reconnect from starting.
                try {
                    // A lost connection leaves the sessions on the SFU under its orphan lease: re-attachable.
                    if (LOST_REASON.equals(listenerReason)) {
                        s.deliverDetached(listenerReason);
                    } else {
                        s.deliverMediaFailed(listenerReason);
                    }
                } catch (RuntimeException e) {
                    log.error("event=control_listener_failed node={} session={} error={}", nodeId, s.sessionId(),
                            e.toString(), e);
                }
            }
            WebSocket ws = socket;
            if (ws != null) {
                ws.abort();
            }
        } finally {
            owner.onLost(this);
        }
    }

    String lostBecause() {
        return lostBecause;
    }
}
