package dev.convene.signaling;

import static dev.convene.signaling.RestApiTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.convene.signaling.testing.MutableClock;
import dev.convene.signaling.testing.TestServer;
import dev.convene.signaling.testing.TestServer.Peer;
import dev.convene.signaling.testing.TestServer.Response;
import dev.convene.signaling.testing.WsTestClient;
import dev.convene.store.RateLimiter.Limit;
import dev.convene.store.memory.InMemoryChatStore;
import dev.convene.store.memory.InMemoryMeetingStore;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Unclaimed seats, guest minting, origins, security headers and forgetting empty meetings. */
class AbuseLimitsTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-03T09:00:00Z"));

    @Test
    void oneAddressHoldsOnlyAFewUnclaimedSeatsAndTheyLapseWithinSeconds() {
        try (TestServer t = new TestServer(c -> c, clock)) {
            String host = t.guestToken("Host");
            String meeting = t.createMeeting(host, 20);
            UUID id = UUID.fromString(meeting);
            String[] joinTokens = new String[3];
            for (int i = 0; i < 3; i++) {
                Response r = t.join(t.guestToken("Squatter " + i), meeting);
                assertThat(r.status()).isEqualTo(200);
                joinTokens[i] = r.body().get("token").asText();
            }
            Response fourth = t.join(t.guestToken("Squatter 3"), meeting);
            assertProblem(fourth, 429, "too_many_unclaimed_seats");
            assertThat(Long.parseLong(fourth.header("Retry-After"))).isBetween(1L, 10L);
            assertThat(t.stores.seats().occupancy(id)).as("the refusal took no seat").isEqualTo(3);

            // A socket that claims its seat gives its address room for one more.
            WsTestClient claimed = t.open(joinTokens[0]);
            claimed.send("{\"v\":1,\"type\":\"join\",\"request_id\":\"j\"}");
            claimed.awaitType("joined");
            assertThat(t.join(t.guestToken("Squatter 4"), meeting).status()).isEqualTo(200);

            // The unclaimed ones lapse after the claim window; the claimed one stays.
            clock.advance(SignalingConfig.Hardening.DEFAULT_CLAIM_WITHIN.plusSeconds(1));
            assertThat(t.stores.seats().occupancy(id)).isEqualTo(1);
            assertThat(t.open(joinTokens[1]).awaitClose()).isEqualTo(4401);
            claimed.assertAlive("p");
        }
    }

    @Test
    void guestTokensAreRateLimitedPerAddress() {
        try (TestServer t = new TestServer(c -> c.withHardening(c.hardening()
                .withGuestPerAddress(Limit.of(3, Duration.ofMinutes(1)))), Clock.systemUTC())) {
            for (int i = 0; i < 3; i++) {
                t.guestToken("Guest " + i);
            }
            Response r = t.request("POST", "/v1/auth/guest", null, "{\"display_name\":\"One too many\"}");
            assertProblem(r, 429, "rate_limited");
            assertThat(r.body().has("access_token")).isFalse();
            assertThat(Long.parseLong(r.header("Retry-After"))).isBetween(1L, 60L);
        }
    }

    private static HttpResponse<String> send(TestServer t, String method, String path, String origin, String token,
            String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(t.base() + path)).timeout(Duration.ofSeconds(5))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (origin != null) {
            b.header("Origin", origin);
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return t.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static WebSocket openWithOrigin(TestServer t, String token, String origin) {
        return t.http.newWebSocketBuilder().header("Origin", origin)
                .buildAsync(URI.create(t.signalingUrl() + "?token=" + token), new WebSocket.Listener() { })
                .orTimeout(5, TimeUnit.SECONDS).join();
    }

    @Test
    void onlyTheServersOwnOriginByDefault() throws Exception {
        try (TestServer t = new TestServer(c -> c, Clock.systemUTC())) {
            String token = t.guestToken("Ada");
            String meeting = t.createMeeting(token, 5);
            String self = "http://127.0.0.1:" + t.server.port();
            int before = ((InMemoryMeetingStore) t.stores.meetings()).meetingCount();

            HttpResponse<String> evil = send(t, "POST", "/v1/meetings", "https://evil.example", token, "{}");
            assertThat(evil.statusCode()).isEqualTo(403);
            assertThat(evil.body()).contains("\"code\":\"origin_not_allowed\"");
            assertThat(evil.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
            assertThat(((InMemoryMeetingStore) t.stores.meetings()).meetingCount()).isEqualTo(before);
            assertThat(send(t, "POST", "/v1/meetings", "null", token, "{}").statusCode()).isEqualTo(403);
            assertThat(send(t, "POST", "/v1/meetings", self, token, "{}").statusCode()).isEqualTo(201);

            String joinToken = t.join(token, meeting).body().get("token").asText();
            assertThatThrownBy(() -> openWithOrigin(t, joinToken, "https://evil.example"))
                    .isInstanceOf(CompletionException.class);
            assertThat(t.server.openSockets()).isZero();
            WebSocket ok = openWithOrigin(t, joinToken, self);
            ok.sendClose(1000, "bye").join();
        }
    }

    @Test
    void configuredOriginsGetCorsAnswers() throws Exception {
        try (TestServer t = new TestServer(c -> c.withHardening(c.hardening()
                .withAllowedOrigins(List.of("https://app.example.org"))), Clock.systemUTC())) {
            String token = t.guestToken("Ada");
            HttpResponse<String> preflight = t.http.send(HttpRequest.newBuilder(URI.create(t.base() + "/v1/meetings"))
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                    .header("Origin", "https://app.example.org").header("Access-Control-Request-Method", "POST")
                    .header("Access-Control-Request-Headers", "authorization, content-type").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(preflight.statusCode()).isEqualTo(204);
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).contains("https://app.example.org");
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElseThrow()).contains("Authorization");

            HttpResponse<String> created = send(t, "POST", "/v1/meetings", "https://APP.example.org", token, "{}");
            assertThat(created.statusCode()).isEqualTo(201);
            assertThat(created.headers().firstValue("Access-Control-Allow-Origin")).contains("https://APP.example.org");
            assertThat(send(t, "POST", "/v1/meetings", "https://other.example.org", token, "{}").statusCode()).isEqualTo(403);
            // With a list, even the server's own host is not implied.
            assertThat(send(t, "POST", "/v1/meetings", "http://127.0.0.1:" + t.server.port(), token, "{}").statusCode())
                    .isEqualTo(403);
        }
    }

    @Test
    void everyAnswerCarriesSecurityHeaders() throws Exception {
        try (TestServer t = new TestServer(c -> c, Clock.systemUTC())) {
            for (String path : new String[] {"/healthz", "/v1/meetings/nope"}) {
                HttpResponse<String> r = send(t, "GET", path, null, null, null);
                assertThat(r.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
                assertThat(r.headers().firstValue("Referrer-Policy")).contains("no-referrer");
                String csp = r.headers().firstValue("Content-Security-Policy").orElseThrow();
                assertThat(csp).contains("frame-ancestors 'none'", "script-src 'self'", "object-src 'none'",
                        "connect-src 'self' ws://127.0.0.1:" + t.server.port());
                assertThat(csp).doesNotContain("unsafe-inline", "unsafe-eval");
            }
        }
    }

    @Test
    void aMeetingEmptyForTheTimeoutEndsAndIsForgotten() {
        // Heartbeats are stretched so that moving the clock by minutes does not time Grace out.
        try (TestServer t = new TestServer(c -> c.withHeartbeatTimeout(Duration.ofHours(1)).withHardening(c.hardening()
                .withEmptyMeetingTimeout(Duration.ofMinutes(5))), clock)) {
            String host = t.guestToken("Host");
            String left = t.createMeeting(host, 5);
            String busy = t.createMeeting(host, 5);
            String neverJoined = t.createMeeting(host, 5);
            Peer ada = t.enter("Ada", left);
            ada.ws().send("{\"v\":1,\"type\":\"chat\",\"text\":\"hi\"}");
            ada.ws().awaitType("chat");
            ada.ws().send("{\"v\":1,\"type\":\"leave\"}");
            ada.ws().awaitClose();
            Peer grace = t.enter("Grace", busy);

            clock.advance(Duration.ofMinutes(4));
            tick(t);
            assertThat(t.request("GET", "/v1/meetings/" + left, host, null).status()).isEqualTo(200);

            clock.advance(Duration.ofMinutes(2));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                assertProblem(t.request("GET", "/v1/meetings/" + left, host, null), 404, "meeting_not_found");
                assertProblem(t.request("GET", "/v1/meetings/" + neverJoined, host, null), 404, "meeting_not_found");
            });
            assertThat(t.request("GET", "/v1/meetings/" + busy, host, null).status()).as("someone is in it").isEqualTo(200);
            assertThat(((InMemoryMeetingStore) t.stores.meetings()).meetingCount()).isEqualTo(1);
            assertThat(((InMemoryChatStore) t.stores.chat()).meetingCount()).isZero();
            assertThat(t.server.watchedMeetings()).isEqualTo(1);
            grace.ws().assertAlive("p");
        }
    }

    /** Lets the node's timer (real time, one tick ≤ 1 s) run at least once. */
    private static void tick(TestServer t) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1_200);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> System.nanoTime() >= until);
    }
}
