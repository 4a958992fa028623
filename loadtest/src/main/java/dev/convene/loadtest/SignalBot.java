package dev.convene.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A participant that only signals: REST join, the WebSocket, {@code join} → {@code joined}, then
 * a {@code ping} every 5 s and nothing else. Fully asynchronous on a shared {@link HttpClient}
 * and a shared timer, so tens of thousands cost no thread each — unlike {@code ConveneClient},
 * whose heartbeat and frame threads suit bots with media, not 50,000 idle sockets.
 */
final class SignalBot implements WebSocket.Listener {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PING_INTERVAL = Duration.ofSeconds(5);

    private final StringBuilder partial = new StringBuilder();
    private final CompletableFuture<SignalBot> joined = new CompletableFuture<>();
    private volatile WebSocket socket;
    private volatile boolean closedByServer;
    private volatile int closeCode = -1;
    private volatile ScheduledFuture<?> pinger;
    final long startNanos;
    volatile long joinedNanos;

    private SignalBot(long startNanos) {
        this.startNanos = startNanos;
    }

    /**
     * Joins {@code meetingId} with {@code accessToken}; completes at {@code joined}, or
     * exceptionally (REST refusal, socket failure, an {@code error} frame, the timeout).
     */
    static CompletableFuture<SignalBot> join(HttpClient http, URI baseUrl, String accessToken, String meetingId, String name,
            ScheduledExecutorService timer, Duration timeout) {
        SignalBot bot = new SignalBot(System.nanoTime());
        HttpRequest rest = HttpRequest.newBuilder(URI.create(baseUrl + "/v1/meetings/" + meetingId + "/join?display_name="
                        + URLEncoder.encode(name, StandardCharsets.UTF_8)))
                .timeout(timeout).header("Authorization", "Bearer " + accessToken).GET().build();
        http.sendAsync(rest, HttpResponse.BodyHandlers.ofString())
                .thenCompose(response -> {
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException("join answered " + response.statusCode() + ": " + response.body());
                    }
                    JsonNode grant = read(response.body());
                    String url = grant.path("signaling_url").asText();
                    URI socket = URI.create(url + (url.contains("?") ? "&" : "?") + "token="
                            + URLEncoder.encode(grant.path("token").asText(), StandardCharsets.UTF_8));
                    return http.newWebSocketBuilder().connectTimeout(timeout).buildAsync(socket, bot);
                })
                .thenAccept(ws -> {
                    bot.socket = ws;
                    ws.sendText("{\"v\":1,\"type\":\"join\",\"request_id\":\"1\"}", true);
                    // From the open on, as a browser does: a slow `joined` must not end in a heartbeat timeout.
                    long first = ThreadLocalRandom.current().nextLong(PING_INTERVAL.toMillis());
                    bot.pinger = timer.scheduleAtFixedRate(bot::ping, first, PING_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
                })
                .exceptionally(e -> {
                    bot.joined.completeExceptionally(e);
                    return null;
                });
        bot.joined.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((b, e) -> {
            if (e != null) {
                bot.close();
            }
        });
        return bot.joined;
    }

    double joinMillis() {
        return (joinedNanos - startNanos) / 1e6;
    }

    boolean open() {
        WebSocket ws = socket;
        return ws != null && !ws.isOutputClosed() && !ws.isInputClosed() && !closedByServer;
    }

    int closeCode() {
        return closeCode;
    }

    private void ping() {
        WebSocket ws = socket;
        if (ws != null && !ws.isOutputClosed()) {
            // java.net.http allows one send at a time; a ping still pending after 5 s is simply skipped.
            try {
                ws.sendText("{\"v\":1,\"type\":\"ping\"}", true);
            } catch (IllegalStateException e) {
                // The previous send is still in progress.
            }
        }
    }

    void close() {
        if (pinger != null) {
            pinger.cancel(false);
        }
        WebSocket ws = socket;
        if (ws != null) {
            ws.abort();
        }
    }

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
            if (!joined.isDone()) {
                JsonNode frame = read(text);
                String type = frame.path("type").asText();
                if (type.equals("joined")) {
                    joinedNanos = System.nanoTime();
                    joined.complete(this);
                } else if (type.equals("error")) {
                    joined.completeExceptionally(new IllegalStateException("error frame: " + frame.path("code").asText()));
                }
            }
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closedByServer = true;
        closeCode = statusCode;
        joined.completeExceptionally(new IllegalStateException("closed " + statusCode + " " + reason));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closedByServer = true;
        joined.completeExceptionally(error);
    }

    private static JsonNode read(String text) {
        try {
            return JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("not JSON: " + text, e);
        }
    }
}
