package dev.convene.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.convene.signaling.testing.FakeSfuNode;
import dev.convene.signaling.testing.TestServer;
import dev.convene.signaling.testing.TestServer.Response;
import dev.convene.store.Meeting;
import dev.convene.store.MeetingStore;
import dev.convene.store.memory.InMemoryChatStore;
import dev.convene.store.memory.InMemoryEventBus;
import dev.convene.store.memory.InMemoryParticipantStore;
import dev.convene.store.memory.InMemoryPresence;
import dev.convene.store.memory.InMemoryRateLimiter;
import dev.convene.store.memory.InMemorySeatLedger;
import dev.convene.signaling.turn.TurnConfig;
import dev.convene.signaling.turn.TurnCredentials;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RestApiTest {

    private final TestServer t = new TestServer();

    @AfterEach
    void tearDown() {
        t.close();
    }

    static void assertProblem(Response r, int status, String code) {
        assertThat(r.status()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.body().get("code").asText()).isEqualTo(code);
        assertThat(r.body().get("status").asInt()).isEqualTo(status);
        assertThat(r.body().get("type").asText()).isEqualTo("https://convene.dev/problems/" + code);
        assertThat(r.body().get("title").asText()).isNotBlank();
        assertThat(r.raw().body()).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("java.");
    }

    @Test
    void guestTokenIsIssued() {
        Response r = t.request("POST", "/v1/auth/guest", null, "{\"display_name\":\"  Ada \"}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("application/json");
        assertThat(r.body().get("token_type").asText()).isEqualTo("Bearer");
        assertThat(r.body().get("expires_in").asLong()).isBetween(12 * 3600L - 2, 12 * 3600L);
        assertThat(r.body().get("user_id").asText()).startsWith("US_");
        assertThat(r.body().get("display_name").asText()).isEqualTo("Ada");
        assertThat(r.body().get("access_token").asText()).contains(".");
    }

    @Test
    void guestTokenNeedsAValidDisplayName() {
        assertProblem(t.request("POST", "/v1/auth/guest", null, "{}"), 400, "invalid_request");
        assertProblem(t.request("POST", "/v1/auth/guest", null, "{\"display_name\":\"   \"}"), 400, "invalid_request");
        assertProblem(t.request("POST", "/v1/auth/guest", null, "{\"display_name\":42}"), 400, "invalid_request");
        assertProblem(t.request("POST", "/v1/auth/guest", null, "{\"display_name\":\"" + "x".repeat(65) + "\"}"), 400, "invalid_request");
    }

    @Test
    void badJsonIsMalformedBody() {
        assertProblem(t.request("POST", "/v1/auth/guest", null, "{\"display_name\":"), 400, "malformed_body");
        assertProblem(t.request("POST", "/v1/auth/guest", null, "[1,2]"), 400, "malformed_body");
        assertProblem(t.request("POST", "/v1/auth/guest", null, ""), 400, "malformed_body");
        String token = t.guestToken("Ada");
        assertProblem(t.request("POST", "/v1/meetings", token, "not json"), 400, "malformed_body");
    }

    @Test
    void createMeetingAnswers201WithLocationAndJoinUrl() {
        String token = t.guestToken("Ada");
        Response r = t.request("POST", "/v1/meetings", token, "{\"title\":\"Weekly\"}");
        assertThat(r.status()).isEqualTo(201);
        String id = r.body().get("meeting_id").asText();
        assertThat(UUID.fromString(id)).isNotNull();
        assertThat(r.header("Location")).isEqualTo("/v1/meetings/" + id);
        assertThat(r.body().get("title").asText()).isEqualTo("Weekly");
        assertThat(r.body().get("capacity").asInt()).isEqualTo(100);
        assertThat(r.body().get("host_id").asText()).startsWith("US_");
        assertThat(r.body().get("created_at").asText()).isNotBlank();
        assertThat(r.body().get("join_url").asText()).isEqualTo(t.base() + "/m/" + id);
    }

    @Test
    void createMeetingWithoutBodyUsesDefaults() {
        Response r = t.request("POST", "/v1/meetings", t.guestToken("Ada"), null);
        assertThat(r.status()).isEqualTo(201);
        assertThat(r.body().get("capacity").asInt()).isEqualTo(Meeting.DEFAULT_CAPACITY);
        assertThat(r.body().get("title").asText()).isEqualTo("Meeting");
    }

    @Test
    void createMeetingValidatesItsFields() {
        String token = t.guestToken("Ada");
        assertProblem(t.request("POST", "/v1/meetings", token, "{\"capacity\":0}"), 400, "invalid_request");
        assertProblem(t.request("POST", "/v1/meetings", token, "{\"capacity\":101}"), 400, "invalid_request");
        assertProblem(t.request("POST", "/v1/meetings", token, "{\"capacity\":\"10\"}"), 400, "invalid_request");
        assertProblem(t.request("POST", "/v1/meetings", token, "{\"capacity\":2.5}"), 400, "invalid_request");
        assertProblem(t.request("POST", "/v1/meetings", token, "{\"title\":[]}"), 400, "invalid_request");
    }

    @Test
    void everyCallButGuestNeedsAValidAccessToken() {
        String meeting = t.createMeeting(t.guestToken("Ada"), 5);
        assertProblem(t.request("POST", "/v1/meetings", null, "{}"), 401, "unauthorized");
        assertProblem(t.request("POST", "/v1/meetings", "garbage", "{}"), 401, "unauthorized");
        assertProblem(t.request("GET", "/v1/meetings/" + meeting, null, null), 401, "unauthorized");
        assertProblem(t.request("GET", "/v1/meetings/" + meeting + "/join", "a.b.c", null), 401, "unauthorized");
        Response r = t.request("POST", "/v1/meetings", null, "{}");
        assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer");
    }

    @Test
    void getMeetingAnswersWithParticipantCount() {
        String token = t.guestToken("Ada");
        String id = t.createMeeting(token, 7);
        Response r = t.request("GET", "/v1/meetings/" + id, token, null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body().get("meeting_id").asText()).isEqualTo(id);
        assertThat(r.body().get("capacity").asInt()).isEqualTo(7);
        assertThat(r.body().get("participant_count").asInt()).isZero();
        assertThat(r.body().get("join_url").asText()).endsWith("/m/" + id);
    }

    @Test
    void unknownMeetingIs404() {
        String token = t.guestToken("Ada");
        assertProblem(t.request("GET", "/v1/meetings/" + UUID.randomUUID(), token, null), 404, "meeting_not_found");
        assertProblem(t.request("GET", "/v1/meetings/not-a-uuid", token, null), 404, "meeting_not_found");
        assertProblem(t.join(token, UUID.randomUUID().toString()), 404, "meeting_not_found");
    }

    @Test
    void unknownPathIs404AndWrongMethodIs405() {
        assertProblem(t.request("GET", "/v1/nothing-here", null, null), 404, "not_found");
        assertProblem(t.request("DELETE", "/v1/meetings", t.guestToken("Ada"), null), 405, "method_not_allowed");
        assertProblem(t.request("PUT", "/v1/auth/guest", null, "{}"), 405, "method_not_allowed");
    }

    @Test
    void joinReservesASeatAndAnswersWithAJoinToken() {
        String token = t.guestToken("Ada");
        String id = t.createMeeting(token, 5);
        Response r = t.request("GET", "/v1/meetings/" + id + "/join?display_name=Ada%20L.", token, null);
        assertThat(r.status()).isEqualTo(200);
        JsonNode b = r.body();
        assertThat(b.get("meeting_id").asText()).isEqualTo(id);
        assertThat(b.get("participant_id").asText()).startsWith("PA_");
        assertThat(b.get("display_name").asText()).isEqualTo("Ada L.");
        assertThat(b.get("sfu").get("node_id").asText()).isEqualTo(FakeSfuNode.NODE_ID);
        assertThat(b.get("sfu").get("region").asText()).isEqualTo("local");
        assertThat(b.get("signaling_url").asText()).isEqualTo(t.signalingUrl());
        assertThat(b.get("token").asText()).isNotBlank();
        assertThat(b.get("expires_in").asLong()).isBetween(58L, 60L);
        assertThat(b.get("ice_servers").isArray()).isTrue();
        assertThat(b.get("ice_servers")).isEmpty();
        assertThat(t.stores.seats().occupancy(UUID.fromString(id))).isEqualTo(1);
    }

    @Test
    void joinAnswersCarryTurnServersWithEphemeralCredentialsWhenConfigured() {
        String secret = "turn-shared-secret-for-tests";
        TurnConfig turn = new TurnConfig(List.of("turn:192.0.2.7:3478?transport=udp", "turns:turn.example.org:443"),
                secret, Duration.ofMinutes(10));
        try (TestServer withTurn = new TestServer(c -> c.withTurn(turn), Clock.systemUTC())) {
            String token = withTurn.guestToken("Ada");
            long before = Instant.now().getEpochSecond();
            JsonNode b = withTurn.join(token, withTurn.createMeeting(token, 3)).body();

            JsonNode server = b.get("ice_servers").get(0);
            assertThat(b.get("ice_servers")).hasSize(1);
            assertThat(server.get("urls")).extracting(JsonNode::asText)
                    .containsExactly("turn:192.0.2.7:3478?transport=udp", "turns:turn.example.org:443");
            String username = server.get("username").asText();
            assertThat(username).endsWith(":" + b.get("participant_id").asText());
            long expiry = Long.parseLong(username.substring(0, username.indexOf(':')));
            assertThat(expiry).isBetween(before + 600, Instant.now().getEpochSecond() + 600);
            assertThat(server.get("credential").asText()).isEqualTo(TurnCredentials.password(secret, username));
        }
    }

    @Test
    void joinWithoutDisplayNameUsesTheTokensName() {
        String token = t.guestToken("Grace");
        String id = t.createMeeting(token, 5);
        assertThat(t.join(token, id).body().get("display_name").asText()).isEqualTo("Grace");
        assertProblem(t.request("GET", "/v1/meetings/" + id + "/join?display_name=%20", token, null), 400, "invalid_request");
    }

    @Test
    void thirdJoinOfACapacityTwoMeetingIsRefused() {
        String token = t.guestToken("Ada");
        String id = t.createMeeting(token, 2);
        assertThat(t.join(token, id).status()).isEqualTo(200);
        assertThat(t.join(token, id).status()).isEqualTo(200);
        assertProblem(t.join(token, id), 409, "meeting_full");
    }

    @Test
    void joiningAnEndedMeetingIsAConflict() {
        String token = t.guestToken("Ada");
        String id = t.createMeeting(token, 2);
        t.stores.meetings().end(UUID.fromString(id));
        assertProblem(t.join(token, id), 409, "meeting_ended");
    }

    @Test
    void concurrentJoinsNeverOverfill() throws Exception {
        // One user joining 24 times at once: its unclaimed-seat limit is lifted so capacity alone decides.
        try (TestServer t = new TestServer(c -> c.withHardening(c.hardening().withClaims(Duration.ofSeconds(10), 100)),
                Clock.systemUTC())) {
            concurrentJoinsNeverOverfill(t);
        }
    }

    private static void concurrentJoinsNeverOverfill(TestServer t) throws Exception {
        String token = t.guestToken("Ada");
        String id = t.createMeeting(token, 5);
        ExecutorService pool = Executors.newFixedThreadPool(12);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                statuses.add(pool.submit(() -> {
                    start.await();
                    return t.join(token, id).status();
                }));
            }
            start.countDown();
            int ok = 0;
            int full = 0;
            for (Future<Integer> f : statuses) {
                int s = f.get(30, TimeUnit.SECONDS);
                if (s == 200) {
                    ok++;
                } else if (s == 409) {
                    full++;
                }
            }
            assertThat(ok).isEqualTo(5);
            assertThat(full).isEqualTo(19);
            assertThat(t.stores.seats().occupancy(UUID.fromString(id))).isEqualTo(5);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void healthAndMetrics() {
        Response health = t.request("GET", "/healthz", null, null);
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body().get("status").asText()).isEqualTo("ok");
        String token = t.guestToken("Ada");
        t.join(token, t.createMeeting(token, 3));
        Response metrics = t.request("GET", "/metrics", null, null);
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.contentType()).startsWith("text/plain");
        assertThat(metrics.raw().body())
                .contains("convene_signaling_meetings_total 1.0")
                .contains("convene_signaling_joins_total{result=\"admitted\"} 1.0")
                .contains("convene_signaling_sockets_open");
    }

    @Test
    void servesTheWebClientAndJoinLinks() {
        Response index = t.request("GET", "/", null, null);
        assertThat(index.status()).isEqualTo(200);
        assertThat(index.raw().body()).contains("Convene test client");
        Response js = t.request("GET", "/app.js", null, null);
        assertThat(js.status()).isEqualTo(200);
        assertThat(js.raw().body()).contains("export const hello");
        Response link = t.request("GET", "/m/" + UUID.randomUUID(), null, null);
        assertThat(link.status()).isEqualTo(200);
        assertThat(link.contentType()).startsWith("text/html");
        assertThat(link.raw().body()).contains("Convene test client");
    }

    @Test
    void startsWithoutAWebRoot() {
        try (TestServer bare = new TestServer(c -> c.withWebRoot("/no-such-web-root"), Clock.systemUTC())) {
            assertThat(bare.request("GET", "/healthz", null, null).status()).isEqualTo(200);
            assertProblem(bare.request("GET", "/m/" + UUID.randomUUID(), null, null), 404, "not_found");
        }
    }

    @Test
    void guestAuthCanBeTurnedOff() {
        try (TestServer closed = new TestServer(c -> c.withGuestAuth(false), Clock.systemUTC())) {
            Response r = closed.request("POST", "/v1/auth/guest", null, "{\"display_name\":\"Ada\"}");
            assertThat(r.status()).isIn(404, 405);
            assertThat(r.contentType()).startsWith("application/problem+json");
        }
    }

    @Test
    void publicBaseUrlShapesJoinAndSignalingUrls() {
        try (TestServer pub = new TestServer(c -> c.withPublicBaseUrl("https://meet.example.org/"), Clock.systemUTC())) {
            String token = pub.guestToken("Ada");
            Response created = pub.request("POST", "/v1/meetings", token, "{}");
            String id = created.body().get("meeting_id").asText();
            assertThat(created.body().get("join_url").asText()).isEqualTo("https://meet.example.org/m/" + id);
            assertThat(pub.join(token, id).body().get("signaling_url").asText()).isEqualTo("wss://meet.example.org/v1/signal");
        }
    }

    @Test
    void aFailingStoreIs500WithoutDetails() {
        MeetingStore broken = new MeetingStore() {
            @Override
            public void create(Meeting meeting) {
                throw new IllegalStateException("database password is hunter2");
            }

            @Override
            public Optional<Meeting> find(UUID id) {
                return Optional.empty();
            }

            @Override
            public Optional<Meeting> end(UUID id) {
                return Optional.empty();
            }

            @Override
            public Optional<Meeting> setHost(UUID id, String hostUserId) {
                return Optional.empty();
            }

            @Override
            public Optional<Meeting> changeRules(UUID id, dev.convene.store.MeetingRules.RulesChange change) {
                return Optional.empty();
            }

            @Override
            public boolean removeUser(UUID id, String userId) {
                return false;
            }

            @Override
            public boolean isRemoved(UUID id, String userId) {
                return false;
            }
        };
        SignalingStores stores = new SignalingStores(broken, new InMemorySeatLedger(), new InMemoryParticipantStore(),
                new InMemoryChatStore(), new InMemoryEventBus(), new InMemoryRateLimiter(),
                new InMemoryPresence());
        try (TestServer failing = new TestServer(c -> c, Clock.systemUTC(), stores)) {
            Response r = failing.request("POST", "/v1/meetings", failing.guestToken("Ada"), "{}");
            assertProblem(r, 500, "internal_error");
            assertThat(r.raw().body()).doesNotContain("hunter2");
        }
    }
}
