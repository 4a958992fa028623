package dev.convene.signaling.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import dev.convene.signaling.SignalingConfig.JwtKey;
import java.nio.charset.StandardCharsets;
import dev.convene.signaling.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TokenServiceTest {

    private static final JwtKey OLD = new JwtKey("2026-10", "old-secret-old-secret-old-secret-0001");
    private static final JwtKey NEW = new JwtKey("2026-11", "new-secret-new-secret-new-secret-0002");
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00.400Z"));

    @Test
    void accessTokenRoundTrips() throws Exception {
        TokenService tokens = new TokenService(List.of(NEW), clock);
        TokenService.Issued issued = tokens.issueAccess("US_1", "Ada", Duration.ofHours(12));
        assertThat(issued.expiresAt()).isEqualTo(Instant.parse("2026-11-25T22:00:00Z"));
        AccessClaims claims = tokens.verifyAccess(issued.token());
        assertThat(claims.userId()).isEqualTo("US_1");
        assertThat(claims.displayName()).isEqualTo("Ada");
    }

    @Test
    void joinTokenBindsMeetingParticipantAndSfu() throws Exception {
        TokenService tokens = new TokenService(List.of(NEW), clock);
        UUID meeting = UUID.randomUUID();
        JoinClaims claims = tokens.verifyJoin(tokens.issueJoin(meeting, "PA_1", "US_1", "Ada", "sfu-1", Duration.ofSeconds(60)).token());
        assertThat(claims.meetingId()).isEqualTo(meeting);
        assertThat(claims.participantId()).isEqualTo("PA_1");
        assertThat(claims.userId()).isEqualTo("US_1");
        assertThat(claims.displayName()).isEqualTo("Ada");
        assertThat(claims.sfuNodeId()).isEqualTo("sfu-1");
    }

    @Test
    void aTokenSignedWithAnOldKeyVerifiesWhileThatKeyIsConfigured() throws Exception {
        String oldToken = new TokenService(List.of(OLD), clock).issueAccess("US_1", "Ada", Duration.ofHours(1)).token();
        TokenService rotating = new TokenService(List.of(NEW, OLD), clock);
        assertThat(rotating.verifyAccess(oldToken).userId()).isEqualTo("US_1");
        // New tokens are signed with the first key...
        String fresh = rotating.issueAccess("US_2", "Grace", Duration.ofHours(1)).token();
        assertThat(new TokenService(List.of(NEW), clock).verifyAccess(fresh).userId()).isEqualTo("US_2");
        // ...and once the old key is dropped, its tokens stop working.
        assertThatThrownBy(() -> new TokenService(List.of(NEW), clock).verifyAccess(oldToken))
                .isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void aKeyIdWithAnotherSecretDoesNotVerify() {
        String forged = new TokenService(List.of(new JwtKey(NEW.kid(), "forged-forged-forged-forged-forged-0")), clock)
                .issueAccess("US_1", "Mallory", Duration.ofHours(1)).token();
        assertThatThrownBy(() -> new TokenService(List.of(NEW), clock).verifyAccess(forged))
                .isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void tokensOfOneTypeAreRefusedAsAnother() {
        TokenService tokens = new TokenService(List.of(NEW), clock);
        String access = tokens.issueAccess("US_1", "Ada", Duration.ofHours(1)).token();
        String join = tokens.issueJoin(UUID.randomUUID(), "PA_1", "US_1", "Ada", "sfu-1", Duration.ofSeconds(60)).token();
        ResumeClaims claims = new ResumeClaims(UUID.randomUUID(), "PA_1", "US_1", "Ada", "sfu-1", "sig-1-1-abc");
        String resume = tokens.issueResume(claims, Duration.ofHours(1)).token();
        assertThatThrownBy(() -> tokens.verifyJoin(access)).isInstanceOf(InvalidTokenException.class);
        assertThatThrownBy(() -> tokens.verifyAccess(join)).isInstanceOf(InvalidTokenException.class);
        assertThatThrownBy(() -> tokens.verifyAccess(resume)).isInstanceOf(InvalidTokenException.class);
        assertThatThrownBy(() -> tokens.verifyJoin(resume)).isInstanceOf(InvalidTokenException.class);
        assertThatThrownBy(() -> tokens.verifyResume(join)).isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void aResumeTokenBindsMeetingParticipantAndSession() throws Exception {
        TokenService tokens = new TokenService(List.of(NEW), clock);
        ResumeClaims claims = new ResumeClaims(UUID.randomUUID(), "PA_1", "US_1", "Ada", "sfu-1", "sig-1-1-abc");
        assertThat(tokens.verifyResume(tokens.issueResume(claims, Duration.ofHours(1)).token())).isEqualTo(claims);
    }

    @Test
    void expiryFollowsTheInjectedClock() throws Exception {
        TokenService tokens = new TokenService(List.of(NEW), clock);
        String join = tokens.issueJoin(UUID.randomUUID(), "PA_1", "US_1", "Ada", "sfu-1", Duration.ofSeconds(60)).token();
        clock.advance(Duration.ofSeconds(59));
        tokens.verifyJoin(join);
        clock.advance(Duration.ofSeconds(2));
        assertThatThrownBy(() -> tokens.verifyJoin(join)).isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void garbageIsRefused() {
        TokenService tokens = new TokenService(List.of(NEW), clock);
        for (String bad : new String[] {null, "", "abc", "a.b.c", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."}) {
            assertThatThrownBy(() -> tokens.verifyAccess(bad)).isInstanceOf(InvalidTokenException.class);
        }
    }

    @Test
    void theHostGrantIsAJsonTrueAndTravelsFromAccessToJoinToken() throws Exception {
        TokenService tokens = new TokenService(List.of(NEW), clock);
        UUID meeting = UUID.randomUUID();
        assertThat(tokens.verifyAccess(tokens.issueAccess("US_1", "Ada", Duration.ofHours(1)).token()).hostGrant()).isFalse();
        AccessClaims host = tokens.verifyAccess(tokens.issueAccess("US_1", "Ada", Duration.ofHours(1), meeting, true).token());
        assertThat(host.hostGrant()).isTrue();
        assertThat(host.meetingId()).isEqualTo(meeting);
        assertThat(tokens.verifyJoin(tokens.issueJoin(meeting, "PA_1", "US_1", "Ada", "sfu-1", Duration.ofSeconds(60), true)
                .token()).hostGrant()).isTrue();
        assertThat(tokens.verifyJoin(tokens.issueJoin(meeting, "PA_1", "US_1", "Ada", "sfu-1", Duration.ofSeconds(60))
                .token()).hostGrant()).isFalse();

        // An identity provider writing "true" or 1 grants nothing: only a JSON true does.
        Instant now = Instant.parse("2026-11-25T10:00:00Z");
        for (Object notTrue : new Object[] {"true", 1}) {
            com.auth0.jwt.JWTCreator.Builder b = JWT.create().withKeyId(NEW.kid()).withIssuer("convene").withAudience("convene")
                    .withClaim("typ", "access").withSubject("US_2").withClaim("name", "Eve")
                    .withIssuedAt(now).withExpiresAt(now.plusSeconds(600));
            if (notTrue instanceof String str) {
                b.withClaim("host", str);
            } else {
                b.withClaim("host", (Integer) notTrue);
            }
            String token = b.sign(Algorithm.HMAC256(NEW.secret().getBytes(StandardCharsets.UTF_8)));
            assertThat(tokens.verifyAccess(token).hostGrant()).as("host=%s", notTrue).isFalse();
        }
    }
}
