package dev.convene.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

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
    /** When the REST join answered and when the socket opened: where a slow join spent its time. */
    volatile long restNanos;
    volatile long openNanos;
    volatile long joinedNanos;

    private SignalBot(long startNanos) {
        this.startNanos = startNanos;
    }

    /** Answers 503 (REST join or upgrade) and retries, counted over the bots of a run. */
    static final class Refusals {
        final LongAdder rest503 = new LongAdder();
        final LongAdder upgrade503 = new LongAdder();
        final LongAdder retries = new LongAdder();
    }

    /** Tries per step (REST join, upgrade) when the server answers 503: a bounded retry, the client timeout bounds the rest. */
    static final int MAX_ATTEMPTS = 5;
    /** A Retry-After above this is taken as this, so a confused server cannot park a bot past its timeout. */
    private static final long MAX_RETRY_AFTER_MILLIS = 10_000;

    /**
     * Joins {@code meetingId} with {@code accessToken}; completes at {@code joined}, or
     * exceptionally (REST refusal, socket failure, an {@code error} frame, the timeout). A 503
     * with Retry-After, on the REST join or on the upgrade, is retried after it plus up to half
     * again of jitter (so refused bots do not come back as one burst), at most
     * {@link #MAX_ATTEMPTS} times per step.
     */
    static CompletableFuture<SignalBot> join(HttpClient http, URI baseUrl, String accessToken, String meetingId, String name,
            ScheduledExecutorService timer, Duration timeout, Refusals refusals) {
        SignalBot bot = new SignalBot(System.nanoTime());
        HttpRequest rest = HttpRequest.newBuilder(URI.create(baseUrl + "/v1/meetings/" + meetingId + "/join?display_name="
                        + URLEncoder.encode(name, StandardCharsets.UTF_8)))
                .timeout(timeout).header("Authorization", "Bearer " + accessToken).GET().build();
        bot.restJoin(http, rest, timer, timeout, refusals, 1);
        bot.joined.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((b, e) -> {
            if (e != null) {
                bot.close();
            }
        });
        return bot.joined;
    }

    private void restJoin(HttpClient http, HttpRequest rest, ScheduledExecutorService timer, Duration timeout,
            Refusals refusals, int attempt) {
        http.sendAsync(rest, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
            if (joined.isDone()) {
                return;
            }
            if (error != null) {
                joined.completeExceptionally(error);
                return;
            }
            if (response.statusCode() == 503) {
                refusals.rest503.increment();
                if (attempt < MAX_ATTEMPTS) {
                    refusals.retries.increment();
                    retryLater(timer, response.headers(), () -> restJoin(http, rest, timer, timeout, refusals, attempt + 1));
                    return;
                }
            }
            if (response.statusCode() != 200) {
                joined.completeExceptionally(new IllegalStateException("join answered " + response.statusCode() + ": " + response.body()));
                return;
            }
            restNanos = System.nanoTime();
            try {
                JsonNode grant = read(response.body());
                String url = grant.path("signaling_url").asText();
                URI socketUri = URI.create(url + (url.contains("?") ? "&" : "?") + "token="
                        + URLEncoder.encode(grant.path("token").asText(), StandardCharsets.UTF_8));
                upgrade(http, socketUri, timer, timeout, refusals, 1);
            } catch (RuntimeException e) {
                joined.completeExceptionally(e);
            }
        });
    }

    private void upgrade(HttpClient http, URI socketUri, ScheduledExecutorService timer, Duration timeout, Refusals refusals,
            int attempt) {
        http.newWebSocketBuilder().connectTimeout(timeout).buildAsync(socketUri, this).whenComplete((ws, error) -> {
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                if (cause instanceof WebSocketHandshakeException refused && refused.getResponse().statusCode() == 503) {
                    refusals.upgrade503.increment();
                    if (attempt < MAX_ATTEMPTS && !joined.isDone()) {
                        refusals.retries.increment();
                        retryLater(timer, refused.getResponse().headers(),
                                () -> upgrade(http, socketUri, timer, timeout, refusals, attempt + 1));
                        return;
                    }
                }
                joined.completeExceptionally(cause);
                return;
            }
            openNanos = System.nanoTime();
            socket = ws;
            if (joined.isDone()) {
                // Timed out while the upgrade was under way.
                ws.abort();
                return;
            }
            ws.sendText("{\"v\":1,\"type\":\"join\",\"request_id\":\"1\"}", true);
            // From the open on, as a browser does: a slow `joined` must not end in a heartbeat timeout.
            long first = ThreadLocalRandom.current().nextLong(PING_INTERVAL.toMillis());
            pinger = timer.scheduleAtFixedRate(this::ping, first, PING_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        });
    }

    private void retryLater(ScheduledExecutorService timer, HttpHeaders headers, Runnable retry) {
        long after = retryAfterMillis(headers);
        long jitter = ThreadLocalRandom.current().nextLong(after / 2 + 1);
        timer.schedule(() -> {
            if (!joined.isDone()) {
                retry.run();
            }
        }, after + jitter, TimeUnit.MILLISECONDS);
    }

    /** Retry-After in seconds (RFC 9110 10.2.3; an HTTP date is not expected here and counts as 1 s). */
    static long retryAfterMillis(HttpHeaders headers) {
        String value = headers.firstValue("Retry-After").orElse("1").strip();
        long seconds;
        try {
            seconds = Long.parseLong(value);
        } catch (NumberFormatException e) {
            seconds = 1;
        }
        return Math.min(MAX_RETRY_AFTER_MILLIS, Math.max(0, seconds) * 1000);
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
