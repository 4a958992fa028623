package dev.convene.signaling.turn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** TURN REST credentials as coturn's use-auth-secret checks them, on a fixed clock. */
class TurnCredentialsTest {

    private static final String SECRET = "north-sea-turn-secret-2026";
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(1_699_996_400L), ZoneOffset.UTC);

    @Test
    void thePasswordIsBase64OfHmacSha1OfTheUsername() {
        // echo -n "1700000000:PA_ada" | openssl dgst -binary -sha1 -hmac "north-sea-turn-secret-2026" | base64
        assertThat(TurnCredentials.password(SECRET, "1700000000:PA_ada")).isEqualTo("HnI4dK1GHR7s9GvwgppkzR7LWZ4=");
    }

    @Test
    void theUsernameIsTheExpiryThenTheParticipant() {
        TurnConfig config = new TurnConfig(List.of("turn:turn.example.org:3478?transport=udp",
                "turns:turn.example.org:5349?transport=tcp"), SECRET, Duration.ofSeconds(3600));

        List<IceServer> servers = new TurnCredentials(config, CLOCK).iceServers("PA_ada");

        assertThat(servers).singleElement().satisfies(s -> {
            assertThat(s.urls()).containsExactlyElementsOf(config.urls());
            assertThat(s.username()).isEqualTo("1700000000:PA_ada");
            assertThat(s.credential()).isEqualTo("HnI4dK1GHR7s9GvwgppkzR7LWZ4=");
            assertThat(s.toString()).doesNotContain(s.credential());
        });
    }

    @Test
    void withoutTurnThereAreNoIceServers() {
        assertThat(new TurnCredentials(TurnConfig.NONE, CLOCK).iceServers("PA_ada")).isEmpty();
    }

    @Test
    void aUserWithAColonIsRefusedBecauseTheServerWouldMisreadTheExpiry() {
        TurnConfig config = new TurnConfig(List.of("turn:192.0.2.1"), SECRET, Duration.ofHours(1));
        assertThatThrownBy(() -> new TurnCredentials(config, CLOCK).iceServers("a:b"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void configurationMistakesAreRefusedAtStart() {
        Duration ttl = Duration.ofHours(1);
        assertThatThrownBy(() -> new TurnConfig(List.of("stun:stun.example.org"), SECRET, ttl))
                .hasMessageContaining("turn: or turns:");
        assertThatThrownBy(() -> new TurnConfig(List.of("turn:"), SECRET, ttl)).hasMessageContaining("turn:host");
        assertThatThrownBy(() -> new TurnConfig(List.of("turn://user@h"), SECRET, ttl)).hasMessageContaining("turn:host");
        assertThatThrownBy(() -> new TurnConfig(List.of("turn:h?transport=sctp"), SECRET, ttl))
                .hasMessageContaining("transport=udp");
        assertThatThrownBy(() -> new TurnConfig(List.of("turn:h"), null, ttl)).hasMessageContaining("secret");
        assertThatThrownBy(() -> new TurnConfig(List.of("turn:h"), "short", ttl)).hasMessageContaining("16");
        assertThatThrownBy(() -> new TurnConfig(List.of(), SECRET, ttl)).hasMessageContaining("without TURN URLs");
        assertThatThrownBy(() -> new TurnConfig(List.of("turn:h"), SECRET, Duration.ZERO)).hasMessageContaining("lifetime");
        assertThat(new TurnConfig(List.of("TURN:[2001:db8::1]:3478", "turns:h:443?transport=tcp"), SECRET, ttl).enabled())
                .isTrue();
        assertThat(new TurnConfig(List.of("turn:h"), SECRET, ttl).toString()).doesNotContain(SECRET);
    }
}
