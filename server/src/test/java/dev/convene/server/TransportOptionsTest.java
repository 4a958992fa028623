package dev.convene.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.convene.sfu.SfuConfig;
import dev.convene.signaling.turn.TurnConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ICE-TCP and TURN flags as a user writes them. */
class TransportOptionsTest {

    @Test
    void iceTcpDefaultsToTheUdpPortNumberAndCanBeMovedOrTurnedOff() {
        assertThat(MediaTcpPortOption.parse(null, 50000)).isEqualTo(50000);
        assertThat(MediaTcpPortOption.parse("443", 50000)).isEqualTo(443);
        assertThat(MediaTcpPortOption.parse("off", 50000)).isEqualTo(SfuConfig.TCP_DISABLED);
        assertThat(MediaTcpPortOption.parse(" OFF ", 50000)).isEqualTo(SfuConfig.TCP_DISABLED);
        assertThatThrownBy(() -> MediaTcpPortOption.parse("70000", 50000)).hasMessageContaining("--media-tcp-port");
        assertThatThrownBy(() -> MediaTcpPortOption.parse("tcp", 50000)).hasMessageContaining("--media-tcp-port");
    }

    @Test
    void turnFlagsBecomeATurnConfig() {
        TurnConfig turn = TurnOption.parse(List.of("turn:10.0.0.1:3478?transport=udp", " turns:t.example.org:443 "),
                "a-secret-of-24-characters", "90m");

        assertThat(turn.urls()).containsExactly("turn:10.0.0.1:3478?transport=udp", "turns:t.example.org:443");
        assertThat(turn.ttl()).isEqualTo(Duration.ofMinutes(90));
        assertThat(TurnOption.parse(null, null, "24h")).isEqualTo(TurnConfig.NONE);
        assertThat(TurnOption.ttl("1d")).isEqualTo(Duration.ofDays(1));
        assertThat(TurnOption.ttl("3600s")).isEqualTo(Duration.ofHours(1));
        assertThatThrownBy(() -> TurnOption.ttl("1 week")).hasMessageContaining("--turn-ttl");
        assertThatThrownBy(() -> TurnOption.parse(List.of("turn:h"), null, "1h")).hasMessageContaining("secret");
    }
}
