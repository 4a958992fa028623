package dev.convene.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.convene.signaling.SignalingConfig.HttpLimits;
import dev.convene.signaling.placement.SfuDirectory;
import dev.convene.signaling.placement.SingleSfuDirectory;
import dev.convene.signaling.testing.FakeSfuNode;
import dev.convene.signaling.testing.TestServer;
import dev.convene.signaling.testing.WsTestClient;
import dev.convene.sfu.SfuNode;
import dev.convene.store.RateLimiter.Limit;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A burst beyond the HTTP limits is answered, never dropped (ADR 0037): every REST call and every
 * WebSocket upgrade gets its answer or 503 with Retry-After and problem JSON, none a reset or a
 * 1006, and a refused join holds no seat.
 */
class OverloadTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** 8 threads: 4 requests handled at once, 8 more may wait (up to 1 s), the rest are refused. */
    private static final HttpLimits SMALL = new HttpLimits(8, 2, 1024, 8);
    private static final int ADMITTED_AT_MOST = SMALL.maxActiveRequests() + SMALL.queuedRequests();
    private static final int FLOOD = 60;
    private static final int UPGRADES = 10;
    private static final Limit OPEN = Limit.of(100_000, Duration.ofMinutes(1));

    @Test
    void aFloodBeyondTheLimitsIsAnswered503WithRetryAfterAndLeavesNoSeat() throws Exception {
        GatedDirectory directory = new GatedDirectory(new SingleSfuDirectory(new FakeSfuNode(), "local"));
        Clock clock = Clock.systemUTC();
        try (TestServer t = new TestServer(c -> c.withRateLimits(new SignalingConfig.RateLimits(OPEN, OPEN, OPEN, OPEN))
                        .withHardening(c.hardening().withGuestPerAddress(OPEN).withClaims(Duration.ofSeconds(60), 100_000)
                                .withHttp(SMALL)),
                clock, SignalingStores.inMemory(clock), directory);
                HttpClient flood = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(5)).build()) {
            String host = t.guestToken("Host");
            String meeting = t.createMeeting(host, 100);
            UUID meetingId = UUID.fromString(meeting);
            // Sockets to open during the flood, from joins admitted before it.
            List<String> socketTokens = new ArrayList<>();
            for (int i = 0; i < UPGRADES; i++) {
                TestServer.Response joined = t.join(t.guestToken("Early " + i), meeting);
                assertThat(joined.status()).isEqualTo(200);
                socketTokens.add(joined.body().get("token").asText());
            }
            List<String> floodTokens = new ArrayList<>();
            for (int i = 0; i < FLOOD; i++) {
                floodTokens.add(t.guestToken("Flood " + i));
            }

            // Placement held: admitted joins stay in progress, so the flood meets full limits.
            directory.close();
            List<CompletableFuture<HttpResponse<String>>> joins = new ArrayList<>();
            for (String token : floodTokens) {
                joins.add(flood.sendAsync(HttpRequest.newBuilder(URI.create(t.base() + "/v1/meetings/" + meeting + "/join"))
                        .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + token).GET().build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> joins.stream().filter(CompletableFuture::isDone).count() >= FLOOD - ADMITTED_AT_MOST);
            List<CompletableFuture<WebSocket>> upgrades = new ArrayList<>();
            for (String token : socketTokens) {
                upgrades.add(flood.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                        .buildAsync(URI.create(t.signalingUrl() + "?token=" + token), new WebSocket.Listener() { }));
            }
            for (CompletableFuture<WebSocket> upgrade : upgrades) {
                assertThat(upgrade).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                        .havingCause().isInstanceOfSatisfying(WebSocketHandshakeException.class, e -> {
                            assertThat(e.getResponse().statusCode()).isEqualTo(503);
                            assertThat(e.getResponse().headers().firstValue("Retry-After")).hasValue("1");
                        });
            }
            directory.open();

            int admitted = 0;
            List<String> admittedTokens = new ArrayList<>();
            for (CompletableFuture<HttpResponse<String>> f : joins) {
                HttpResponse<String> r = f.get(20, TimeUnit.SECONDS); // an exception here would be a dropped connection
                assertThat(r.statusCode()).as("each join answered or refused with 503").isIn(200, 503);
                if (r.statusCode() == 200) {
                    admitted++;
                    admittedTokens.add(JSON.readTree(r.body()).get("token").asText());
                } else {
                    assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
                    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
                    JsonNode problem = JSON.readTree(r.body());
                    assertThat(problem.get("status").asInt()).isEqualTo(503);
                    assertThat(problem.get("code").asText()).isEqualTo("unavailable");
                }
            }
            assertThat(admitted).isLessThanOrEqualTo(ADMITTED_AT_MOST);
            assertThat(FLOOD - admitted).as("refused").isGreaterThanOrEqualTo(FLOOD - ADMITTED_AT_MOST);
            // A refused join took no seat: only the early and the admitted joins hold one.
            assertThat(t.stores.seats().occupancy(meetingId)).isEqualTo(UPGRADES + admitted);
            assertThat(t.server.port()).isPositive();
            assertThat(t.request("GET", "/metrics", null, null).raw().body())
                    .containsPattern("convene_http_overload_refused_total \\d+");

            // Once the burst is over, every refused socket opens after Retry-After and joins; each seat is then freed.
            List<WsTestClient> sockets = new ArrayList<>();
            List<String> all = new ArrayList<>(socketTokens);
            all.addAll(admittedTokens);
            for (String token : all) {
                WsTestClient ws = t.open(token);
                ws.send("{\"v\":1,\"type\":\"join\",\"request_id\":\"j1\"}");
                assertThat(ws.awaitType("joined")).isNotNull();
                sockets.add(ws);
            }
            assertThat(t.stores.seats().occupancy(meetingId)).isEqualTo(UPGRADES + admitted);
            sockets.forEach(WsTestClient::close);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> t.stores.seats().occupancy(meetingId) == 0);
        } finally {
            directory.open();
        }
    }

    /** The one local SFU, whose placement the test can hold, so admitted joins stay in progress. */
    private static final class GatedDirectory implements SfuDirectory {
        private final SfuDirectory delegate;
        private volatile CountDownLatch gate = new CountDownLatch(0);

        GatedDirectory(SfuDirectory delegate) {
            this.delegate = delegate;
        }

        void close() {
            gate = new CountDownLatch(1);
        }

        void open() {
            gate.countDown();
        }

        @Override
        public Placement place(UUID meetingId, Optional<String> regionHint) {
            try {
                if (!gate.await(15, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("gate not opened");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return delegate.place(meetingId, regionHint);
        }

        @Override
        public Placement place(UUID meetingId, Instant meetingCreatedAt, Optional<String> regionHint) {
            return place(meetingId, regionHint);
        }

        @Override
        public void keepPlacement(UUID meetingId, String nodeId) {
            delegate.keepPlacement(meetingId, nodeId);
        }

        @Override
        public SfuNode node(String nodeId) {
            return delegate.node(nodeId);
        }
    }
}
