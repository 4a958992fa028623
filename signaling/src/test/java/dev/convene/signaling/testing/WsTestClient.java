package dev.convene.signaling.testing;

import org.awaitility.Awaitility;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A signaling socket as a test drives it: send JSON text, wait for frames and for the close. */
public final class WsTestClient implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    public static final Duration WAIT = Duration.ofSeconds(5);

    private final WebSocket socket;
    private final List<JsonNode> received = new ArrayList<>();
    private int consumed;
    private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();

    private WsTestClient(HttpClient http, URI uri) {
        this.socket = http.newWebSocketBuilder().buildAsync(uri, new Listener()).orTimeout(5, TimeUnit.SECONDS).join();
    }

    public static WsTestClient connect(HttpClient http, String signalingUrl, String token) {
        String uri = token == null ? signalingUrl : signalingUrl + "?token=" + token;
        return new WsTestClient(http, URI.create(uri));
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    JsonNode node = JSON.readTree(partial.toString());
                    synchronized (received) {
                        received.add(node);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException("server sent non-JSON: " + partial, e);
                }
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closeCode.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closeCode.complete(-1);
        }
    }

    public WsTestClient send(String text) {
        socket.sendText(text, true).orTimeout(5, TimeUnit.SECONDS).join();
        return this;
    }

    public WsTestClient send(Object json) {
        try {
            return send(JSON.writeValueAsString(json));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits for the next not yet consumed frame that matches, skipping (and consuming) none of the others. */
    public JsonNode await(Predicate<JsonNode> match) {
        JsonNode[] found = new JsonNode[1];
        Awaitility.await().atMost(WAIT).until(() -> {
            synchronized (received) {
                for (int i = consumed; i < received.size(); i++) {
                    if (match.test(received.get(i))) {
                        found[0] = received.remove(i);
                        return true;
                    }
                }
                return false;
            }
        });
        return found[0];
    }

    public JsonNode awaitType(String type) {
        return await(n -> type.equals(n.path("type").asText()));
    }

    public JsonNode awaitError(String code) {
        return await(n -> "error".equals(n.path("type").asText()) && code.equals(n.path("code").asText()));
    }

    /** Frames received and not taken by an await. */
    public List<JsonNode> unclaimed() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    public boolean hasType(String type) {
        return unclaimed().stream().anyMatch(n -> type.equals(n.path("type").asText()));
    }

    public int awaitClose() {
        return closeCode.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }

    public boolean isClosed() {
        return closeCode.isDone();
    }

    /** Sends ping and waits for its pong: proof that the socket still answers. */
    public void assertAlive(String requestId) {
        send("{\"v\":1,\"type\":\"ping\",\"request_id\":\"" + requestId + "\"}");
        await(n -> "pong".equals(n.path("type").asText()) && requestId.equals(n.path("request_id").asText()));
    }

    /** Closes as a well-behaved client does: sends 1000 and waits for the server's close. */
    public int closeGracefully() {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(5, TimeUnit.SECONDS).join();
        return awaitClose();
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }
        socket.abort();
    }
}
