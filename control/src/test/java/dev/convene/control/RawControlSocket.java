package dev.convene.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/** A control socket driven by hand: raw frames out, parsed frames and the close code in. */
final class RawControlSocket implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final WebSocket socket;
    final List<JsonNode> received = new CopyOnWriteArrayList<>();
    final CompletableFuture<Integer> closeCode = new CompletableFuture<>();

    RawControlSocket(URI url, String bearerToken) {
        this(url, bearerToken, null);
    }

    /** @param tls for {@code wss://}: whom to trust and what to present; null for the JDK's defaults */
    RawControlSocket(URI url, String bearerToken, javax.net.ssl.SSLContext tls) {
        this.http = tls == null ? HttpClient.newHttpClient() : HttpClient.newBuilder().sslContext(tls).build();
        WebSocket.Builder builder = http.newWebSocketBuilder();
        if (bearerToken != null) {
            builder.header("Authorization", "Bearer " + bearerToken);
        }
        this.socket = builder.buildAsync(url, new Listener()).orTimeout(5, TimeUnit.SECONDS).join();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    received.add(JSON.readTree(partial.toString()));
                } catch (Exception e) {
                    throw new IllegalStateException("SFU sent non-JSON: " + partial, e);
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

    RawControlSocket send(String text) {
        socket.sendText(text, true).orTimeout(5, TimeUnit.SECONDS).join();
        return this;
    }

    RawControlSocket sendBinary(byte[] bytes) {
        socket.sendBinary(ByteBuffer.wrap(bytes), true).orTimeout(5, TimeUnit.SECONDS).join();
        return this;
    }

    /** Waits for a received frame matching {@code test} and returns it. */
    JsonNode await(Predicate<JsonNode> test) {
        return Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> received.stream().filter(test).findFirst().orElse(null), n -> n != null);
    }

    static Predicate<JsonNode> replyTo(long id) {
        return n -> n.path("id").asLong() == id;
    }

    @Override
    public void close() {
        socket.abort();
        http.shutdownNow();
    }
}
