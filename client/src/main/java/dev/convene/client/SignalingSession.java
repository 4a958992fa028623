package dev.convene.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One signaling WebSocket (docs/signaling.md, "The socket"): JSON frames out and in, request ids
 * that match replies to requests, and a {@code ping} every {@link #PING_INTERVAL} so the server
 * keeps the participant. Incoming frames go to the {@link Listener} one at a time, in order, on
 * the socket's thread: a listener that blocks stalls the socket, so hop elsewhere for long work.
 * Thread-safe.
 */
public final class SignalingSession implements AutoCloseable {

    /** Receives what the server sends. */
    public interface Listener {
        /** Every frame, replies to our requests included. */
        void onFrame(ObjectNode frame);

        /** The socket closed: by the server (close code and reason) or locally. */
        default void onClosed(int code, String reason) {
        }
    }

    /** How the socket ended. */
    public record CloseStatus(int code, String reason) {
    }

    public static final Duration PING_INTERVAL = Duration.ofSeconds(5);
    public static final int PROTOCOL_VERSION = 1;

    private static final Logger log = LoggerFactory.getLogger(SignalingSession.class);
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(5);

    private final ObjectMapper json = new ObjectMapper();
    private final Listener listener;
    private final Map<String, CompletableFuture<ObjectNode>> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextRequestId = new AtomicLong(1);
    private final AtomicLong framesSent = new AtomicLong();
    private final AtomicLong framesReceived = new AtomicLong();
    private final CompletableFuture<CloseStatus> closed = new CompletableFuture<>();
    /** One heartbeat thread for every session of the JVM: a ping every 5 s needs no thread of its own. */
    private static final ScheduledExecutorService PINGER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "convene-signal-ping");
        t.setDaemon(true);
        return t;
    });
    private volatile java.util.concurrent.ScheduledFuture<?> heartbeat;
    private final Object sendLock = new Object();
    private volatile WebSocket socket;

    private SignalingSession(Listener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** Opens the socket ({@link JoinGrant#socketUri()}) and starts the heartbeat. */
    public static SignalingSession open(URI uri, Listener listener, Duration timeout) {
        return open(uri, HttpClient.newHttpClient(), listener, timeout);
    }

    /** As {@link #open(URI, Listener, Duration)}, through {@code http} (whose TLS context {@code wss://} uses). */
    public static SignalingSession open(URI uri, HttpClient http, Listener listener, Duration timeout) {
        SignalingSession session = new SignalingSession(listener);
        try {
            session.socket = http.newWebSocketBuilder()
                    .connectTimeout(timeout)
                    .buildAsync(uri, session.new Receiver())
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SignalingException("interrupted", "interrupted while opening " + uri.getPath(), null);
        } catch (ExecutionException | TimeoutException e) {
            throw new SignalingException("connect_failed", "cannot open " + uri.getPath() + ": " + e, null);
        }
        long period = PING_INTERVAL.toMillis();
        // The send may block (a slow socket): off the shared timer, so one socket never delays the others' pings.
        session.heartbeat = PINGER.scheduleAtFixedRate(() -> Thread.ofVirtual().start(session::ping), period, period,
                TimeUnit.MILLISECONDS);
        if (session.closed.isDone()) {
            session.stopHeartbeat();
            // Closed as it opened (a node that stops refuses new sockets with 1012): a failed open, so a resume tries the next node.
            throw new SignalingException("socket_closed", "closed as it opened: " + uri.getPath(), null);
        }
        return session;
    }

    /** A new frame {@code {"v": 1, "type": type}} to fill in. */
    public ObjectNode newFrame(String type) {
        return json.createObjectNode().put("v", PROTOCOL_VERSION).put("type", type);
    }

    /** Sends a frame as it is. */
    public void send(ObjectNode frame) {
        sendText(frame.toString());
    }

    /**
     * Sends raw text, as it is (tests of the server's handling of bad frames use this).
     *
     * @throws SignalingException if the socket is closed or the send does not finish in time
     */
    public void sendText(String text) {
        WebSocket ws = socket;
        if (ws == null || ws.isOutputClosed()) {
            throw new SignalingException("socket_closed", "the signaling socket is closed", null);
        }
        // java.net.http allows one outstanding send at a time.
        synchronized (sendLock) {
            try {
                ws.sendText(text, true).get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                framesSent.incrementAndGet();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SignalingException("interrupted", "interrupted while sending", null);
            } catch (ExecutionException | TimeoutException e) {
                throw new SignalingException("socket_closed", "send failed: " + e, null);
            }
        }
    }

    /**
     * Sends a frame with a fresh {@code request_id} and returns the server's reply to it: the
     * frame carrying the same id, or a {@link SignalingException} for an {@code error} frame or
     * a socket that closes first.
     */
    public CompletableFuture<ObjectNode> request(ObjectNode frame) {
        String id = Long.toString(nextRequestId.getAndIncrement());
        frame.put("request_id", id);
        CompletableFuture<ObjectNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        reply.whenComplete((r, e) -> pending.remove(id));
        try {
            send(frame);
        } catch (SignalingException e) {
            reply.completeExceptionally(e);
        }
        return reply;
    }

    public boolean isOpen() {
        WebSocket ws = socket;
        return ws != null && !ws.isOutputClosed() && !closed.isDone();
    }

    /** Completes when the socket has closed, with the close code. */
    public CompletableFuture<CloseStatus> closeFuture() {
        return closed.copy();
    }

    public long framesSent() {
        return framesSent.get();
    }

    public long framesReceived() {
        return framesReceived.get();
    }

    /** Closes the socket with 1000 (without {@code leave}: the server treats it as the socket gone). */
    @Override
    public void close() {
        stopHeartbeat();
        WebSocket ws = socket;
        if (ws != null && !ws.isOutputClosed()) {
            synchronized (sendLock) {
                try {
                    ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (ExecutionException | TimeoutException e) {
                    log.debug("event=signal_close_failed error={}", e.toString());
                }
            }
        }
        try {
            closed.get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            if (ws != null) {
                ws.abort();
            }
            finish(1006, "closed locally without a close frame from the server");
        }
    }

    /**
     * Drops the socket without a close frame, as a lost network or a crashed peer would: the server
     * sees it gone without {@code leave}, and the listener hears 1006.
     */
    public void abort() {
        WebSocket ws = socket;
        if (ws != null) {
            ws.abort();
        }
        finish(1006, "aborted locally");
    }

    private void ping() {
        if (isOpen()) {
            try {
                send(newFrame("ping"));
            } catch (SignalingException e) {
                log.debug("event=signal_ping_failed error={}", e.getMessage());
            }
        }
    }

    private void onText(String text) {
        framesReceived.incrementAndGet();
        JsonNode node;
        try {
            node = json.readTree(text);
        } catch (JsonProcessingException e) {
            log.warn("event=signal_frame_unparsable length={}", text.length());
            return;
        }
        if (!(node instanceof ObjectNode frame)) {
            log.warn("event=signal_frame_not_object");
            return;
        }
        String requestId = frame.path("request_id").asText(null);
        CompletableFuture<ObjectNode> reply = requestId == null ? null : pending.get(requestId);
        if (reply != null) {
            if ("error".equals(frame.path("type").asText())) {
                reply.completeExceptionally(new SignalingException(frame.path("code").asText(),
                        frame.path("message").asText(), requestId));
            } else {
                reply.complete(frame);
            }
        }
        try {
            listener.onFrame(frame);
        } catch (RuntimeException e) {
            log.warn("event=signal_listener_failed type={} error={}", frame.path("type").asText(), e.toString());
        }
    }

    private void stopHeartbeat() {
        java.util.concurrent.ScheduledFuture<?> h = heartbeat;
        if (h != null) {
            h.cancel(false);
        }
    }

    private void finish(int code, String reason) {
        if (closed.complete(new CloseStatus(code, reason))) {
            stopHeartbeat();
            SignalingException gone = new SignalingException("socket_closed", "socket closed with " + code, null);
            pending.values().forEach(f -> f.completeExceptionally(gone));
            try {
                listener.onClosed(code, reason);
            } catch (RuntimeException e) {
                log.warn("event=signal_listener_failed type=close error={}", e.toString());
            }
        }
    }

    private final class Receiver implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                SignalingSession.this.onText(text);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            finish(statusCode, reason);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            log.info("event=signal_socket_error error={}", error.toString());
            finish(1006, String.valueOf(error));
        }
    }
}
