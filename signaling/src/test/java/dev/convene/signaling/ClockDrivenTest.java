package dev.convene.signaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.convene.signaling.SignalingConfig.JwtKey;
import dev.convene.signaling.auth.TokenService;
import dev.convene.signaling.testing.MutableClock;
import dev.convene.signaling.testing.TestServer;
import dev.convene.signaling.testing.TestServer.Peer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Behaviour that depends on time, driven by a clock the test moves. */
class ClockDrivenTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
    private final TestServer t = new TestServer(c -> c.withJwtKeys(List.of(TestServer.KEY_2, TestServer.KEY_1)), clock);

    @AfterEach
    void tearDown() {
        t.close();
    }

    @Test
    void aSeatWhoseSocketNeverOpensIsFreeAgainAfterTheClaimWindow() {
        String token = t.guestToken("Ada");
        String meeting = t.createMeeting(token, 1);
        String joinToken = t.join(token, meeting).body().get("token").asText();
        assertThat(t.join(token, meeting).status()).isEqualTo(409);

        clock.advance(Duration.ofSeconds(9));
        assertThat(t.stores.seats().occupancy(UUID.fromString(meeting))).isEqualTo(1);
        clock.advance(Duration.ofSeconds(2));
        await().atMost(Duration.ofSeconds(5)).until(() -> t.stores.seats().occupancy(UUID.fromString(meeting)) == 0);
        assertThat(t.open(joinToken).awaitClose()).isEqualTo(4401);
        assertThat(t.join(token, meeting).status()).isEqualTo(200);
    }

    @Test
    void aSeatWhoseSocketOpenedIsKeptAfterTheJoinTokenExpires() {
        String meeting = t.createMeeting(t.guestToken("Host"), 2);
        Peer ada = t.enter("Ada", meeting);
        clock.advance(Duration.ofSeconds(61));
        ada.ws().assertAlive("p");
        // The sweeper has had its chance (it runs every second of real time).
        await().pollDelay(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5))
                .until(() -> t.stores.seats().holds(UUID.fromString(meeting), ada.participantId()));
    }

    @Test
    void tokensSignedWithAnOlderConfiguredKeyStillWork() {
        // KEY_1 is still configured (second), so its tokens verify; new ones are signed with KEY_2.
        String old = new TokenService(List.of(TestServer.KEY_1), clock).issueAccess("US_old", "Ada", Duration.ofHours(1)).token();
        assertThat(t.request("POST", "/v1/meetings", old, "{}").status()).isEqualTo(201);
        String unknownKey = new TokenService(List.of(new JwtKey("k9", "k9-secret-k9-secret-k9-secret-k9-0000")), clock)
                .issueAccess("US_x", "Eve", Duration.ofHours(1)).token();
        assertThat(t.request("POST", "/v1/meetings", unknownKey, "{}").status()).isEqualTo(401);
    }

    @Test
    void expiredAccessTokensAreUnauthorized() {
        String token = t.guestToken("Ada");
        clock.advance(Duration.ofHours(12).plusSeconds(1));
        RestApiTest.assertProblem(t.request("POST", "/v1/meetings", token, "{}"), 401, "unauthorized");
    }

    @Test
    void aJoinTokenIsNoAccessTokenAndAnExpiredOneOpensNoSocket() {
        String token = t.guestToken("Ada");
        String meeting = t.createMeeting(token, 3);
        String joinToken = t.join(token, meeting).body().get("token").asText();
        RestApiTest.assertProblem(t.request("POST", "/v1/meetings", joinToken, "{}"), 401, "unauthorized");
        clock.advance(Duration.ofSeconds(61));
        assertThat(t.open(joinToken).awaitClose()).isEqualTo(4401);
    }

    @Test
    void floodingIsRateLimitedPerSecond() {
        String meeting = t.createMeeting(t.guestToken("Host"), 2);
        Peer ada = t.enter("Ada", meeting);
        for (int i = 0; i < 60; i++) {
            ada.ws().send("{\"v\":1,\"type\":\"ping\",\"request_id\":\"f" + i + "\"}");
        }
        ada.ws().awaitError("rate_limited");
        // The window is one second of the server's clock.
        clock.advance(Duration.ofSeconds(1));
        ada.ws().assertAlive("after");
        long pongs = ada.ws().unclaimed().stream().filter(n -> n.path("type").asText().equals("pong")).count();
        assertThat(pongs).isEqualTo(50 - 1); // the join frame counted too
    }
}
