package dev.convene.control;

import static dev.convene.control.ControlTestSupport.KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class ControlTokensTest {

    private static final Instant NOW = Instant.parse("2026-11-20T10:00:00Z");
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final ControlTokens tokens = new ControlTokens(List.of(KEY), clock, Duration.ofSeconds(30));

    @Test
    void mintedTokenVerifiesForItsNodeOnly() throws Exception {
        String token = tokens.mint("sig-1", "sfu-1");

        assertThat(tokens.verify(token, "sfu-1")).isEqualTo(new ControlTokens.Caller("sig-1", KEY.kid()));
        assertThatThrownBy(() -> tokens.verify(token, "sfu-2")).isInstanceOf(ControlTokens.InvalidTokenException.class);
    }

    @Test
    void keysRotate() throws Exception {
        ControlKey next = new ControlKey("ctl-2027", "next-secret-0123456789abcdefghijklmnopq");
        String oldToken = tokens.mint("sig-1", "sfu-1");
        ControlTokens rotated = new ControlTokens(List.of(next, KEY), clock, Duration.ZERO);

        assertThat(rotated.verify(oldToken, "sfu-1").kid()).isEqualTo(KEY.kid());
        assertThat(rotated.verify(rotated.mint("sig-1", "sfu-1"), "sfu-1").kid()).isEqualTo(next.kid());
    }

    @Test
    void expiredBeyondTheSkewIsRefused() {
        Clock later = Clock.fixed(NOW.plus(ControlTokens.TTL).plusSeconds(31), ZoneOffset.UTC);
        String token = tokens.mint("sig-1", "sfu-1");

        assertThatThrownBy(() -> new ControlTokens(List.of(KEY), later, Duration.ofSeconds(30)).verify(token, "sfu-1"))
                .isInstanceOf(ControlTokens.InvalidTokenException.class);
    }

    @Test
    void tokensOfAnotherKindOrTooLongLivedAreRefused() {
        Algorithm hmac = Algorithm.HMAC256(KEY.secret().getBytes(StandardCharsets.UTF_8));
        String access = JWT.create().withKeyId(KEY.kid()).withIssuer("convene").withClaim("typ", "access")
                .withSubject("user").withAudience("sfu-1").withIssuedAt(NOW).withExpiresAt(NOW.plusSeconds(60)).sign(hmac);
        String forever = JWT.create().withKeyId(KEY.kid()).withIssuer("convene").withClaim("typ", "sfu-control")
                .withSubject("sig-1").withAudience("sfu-1").withIssuedAt(NOW).withExpiresAt(NOW.plus(Duration.ofDays(365)))
                .sign(hmac);
        String noKid = JWT.create().withIssuer("convene").withClaim("typ", "sfu-control").withSubject("sig-1")
                .withAudience("sfu-1").withIssuedAt(NOW).withExpiresAt(NOW.plusSeconds(60)).sign(hmac);

        assertThatThrownBy(() -> tokens.verify(access, "sfu-1")).isInstanceOf(ControlTokens.InvalidTokenException.class);
        assertThatThrownBy(() -> tokens.verify(forever, "sfu-1")).hasMessageContaining("longer than");
        assertThatThrownBy(() -> tokens.verify(noKid, "sfu-1")).hasMessageContaining("key id");
        assertThatThrownBy(() -> tokens.verify(null, "sfu-1")).hasMessageContaining("no token");
    }
}
