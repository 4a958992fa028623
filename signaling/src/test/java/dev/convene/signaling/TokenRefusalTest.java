package dev.convene.signaling;

import static dev.convene.signaling.RestApiTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import dev.convene.signaling.SignalingConfig.JwtKey;
import dev.convene.signaling.auth.TokenService;
import dev.convene.signaling.auth.TokenService.Policy;
import dev.convene.signaling.testing.MutableClock;
import dev.convene.signaling.testing.TestServer;
import dev.convene.signaling.testing.TestServer.Response;
import dev.convene.store.memory.InMemoryMeetingStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Done-when 1 of issue 17, the token part: each refused token gets 401 {@code unauthorized} with
 * its documented {@code reason} and our own words (never the JWT library's), and nothing changes —
 * no meeting is created, no seat is taken.
 */
class TokenRefusalTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-03T09:00:00Z"));
    private final TestServer t = new TestServer(c -> c, clock);
    private final TokenService ours = new TokenService(List.of(TestServer.KEY_1), clock);

    @AfterEach
    void tearDown() {
        t.close();
    }

    /** Creating a meeting with {@code token} is refused with {@code reason}, and no meeting appears. */
    private void refusedOnCreate(String token, String reason) {
        int before = meetings();
        Response r = t.request("POST", "/v1/meetings", token, "{}");
        assertProblem(r, 401, "unauthorized");
        assertThat(r.body().get("reason").asText()).isEqualTo(reason);
        assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer");
        // Our words only: java-jwt's messages start with "The Token", "The Claim", "The provided".
        assertThat(r.body().get("detail").asText()).startsWith("The access token was refused: ")
                .doesNotContain("Token's", "Claim", "provided", "Algorithm", "com.auth0");
        assertThat(meetings()).isEqualTo(before);
    }

    private int meetings() {
        return ((InMemoryMeetingStore) t.stores.meetings()).meetingCount();
    }

    @Test
    void aForgedSignatureIsRefused() {
        String forged = new TokenService(List.of(new JwtKey(TestServer.KEY_1.kid(), "mallory-mallory-mallory-mallory-00")), clock)
                .issueAccess("US_host", "Mallory", Duration.ofHours(1)).token();
        refusedOnCreate(forged, "bad_signature");
    }

    @Test
    void aTamperedPayloadIsRefused() {
        String[] parts = ours.issueAccess("US_ada", "Ada", Duration.ofHours(1)).token().split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("US_ada", "US_eve");
        String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        refusedOnCreate(tampered, "bad_signature");
    }

    @Test
    void algNoneAndGarbageAreRefused() {
        String none = JWT.create().withKeyId(TestServer.KEY_1.kid()).withIssuer("convene").withAudience("convene")
                .withClaim("typ", "access").withSubject("US_x").withClaim("name", "X")
                .withIssuedAt(clock.instant()).withExpiresAt(clock.instant().plusSeconds(600)).sign(Algorithm.none());
        refusedOnCreate(none, "bad_signature");
        refusedOnCreate("not.a.jwt", "malformed");
        refusedOnCreate(new TokenService(List.of(new JwtKey("k9", "k9-secret-k9-secret-k9-secret-k9-0000")), clock)
                .issueAccess("US_x", "X", Duration.ofHours(1)).token(), "unknown_key");
    }

    @Test
    void anExpiredTokenIsRefused() {
        String token = ours.issueAccess("US_ada", "Ada", Duration.ofMinutes(5)).token();
        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        refusedOnCreate(token, "expired");
    }

    @Test
    void aTokenLivingLongerThanTheMaximumIsRefusedEvenOnItsFirstDay() {
        TokenService lax = new TokenService(List.of(TestServer.KEY_1), clock,
                new Policy("convene", "convene", Duration.ofDays(3_660)));
        refusedOnCreate(lax.issueAccess("US_ada", "Ada", Duration.ofDays(3_650)).token(), "lifetime_too_long");
        refusedOnCreate(lax.issueAccess("US_ada", "Ada", Policy.DEFAULT_MAX_LIFETIME.plusSeconds(1)).token(),
                "lifetime_too_long");
        // Exactly the maximum is fine.
        assertThat(t.request("POST", "/v1/meetings", lax.issueAccess("US_ada", "Ada", Policy.DEFAULT_MAX_LIFETIME).token(),
                "{}").status()).isEqualTo(201);
    }

    @Test
    void aTokenWithoutIssuedAtIsRefused() {
        String noIat = JWT.create().withKeyId(TestServer.KEY_1.kid()).withIssuer("convene").withAudience("convene")
                .withClaim("typ", "access").withSubject("US_x").withClaim("name", "X")
                .withExpiresAt(clock.instant().plusSeconds(600))
                .sign(Algorithm.HMAC256(TestServer.KEY_1.secret().getBytes(StandardCharsets.UTF_8)));
        refusedOnCreate(noIat, "missing_claim");
    }

    @Test
    void aTokenForAnotherAudienceOrFromAnotherIssuerIsRefused() {
        refusedOnCreate(new TokenService(List.of(TestServer.KEY_1), clock,
                new Policy("convene", "another-app", Duration.ofHours(24))).issueAccess("US_a", "A", Duration.ofHours(1)).token(),
                "wrong_audience");
        refusedOnCreate(new TokenService(List.of(TestServer.KEY_1), clock,
                new Policy("someone-else", "convene", Duration.ofHours(24))).issueAccess("US_a", "A", Duration.ofHours(1)).token(),
                "wrong_issuer");
    }

    @Test
    void aJoinTokenIsNoAccessToken() {
        String host = t.guestToken("Host");
        String meeting = t.createMeeting(host, 3);
        String joinToken = t.join(host, meeting).body().get("token").asText();
        refusedOnCreate(joinToken, "wrong_kind");
    }

    @Test
    void aTokenForMeetingAIsRefusedOnMeetingB() {
        String host = t.guestToken("Host");
        UUID a = UUID.fromString(t.createMeeting(host, 3));
        UUID b = UUID.fromString(t.createMeeting(host, 3));
        String forA = ours.issueAccess("US_guest", "Guest", Duration.ofHours(1), a).token();

        for (String path : new String[] {"/v1/meetings/" + b, "/v1/meetings/" + b + "/join", "/v1/meetings/" + b + "/messages"}) {
            assertProblem(t.request("GET", path, forA, null), 403, "token_not_for_meeting");
        }
        assertThat(t.stores.seats().occupancy(b)).isZero();
        int before = meetings();
        assertProblem(t.request("POST", "/v1/meetings", forA, "{}"), 403, "token_not_for_meeting");
        assertThat(meetings()).isEqualTo(before);

        // On its own meeting the token works.
        assertThat(t.join(forA, a.toString()).status()).isEqualTo(200);
        assertThat(t.stores.seats().occupancy(a)).isEqualTo(1);
    }

    @Test
    void aJoinTokenOpensNoSocketOnceItsSeatLapsed() {
        String host = t.guestToken("Host");
        String meeting = t.createMeeting(host, 3);
        String joinToken = t.join(host, meeting).body().get("token").asText();
        clock.advance(SignalingConfig.Hardening.DEFAULT_CLAIM_WITHIN.plusSeconds(1));
        assertThat(t.open(joinToken).awaitClose()).isEqualTo(4401);
        assertThat(t.stores.seats().occupancy(UUID.fromString(meeting))).isZero();
    }
}
