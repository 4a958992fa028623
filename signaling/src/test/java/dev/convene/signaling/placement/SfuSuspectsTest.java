package dev.convene.signaling.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convene.store.SfuNodeInfo;
import java.net.InetSocketAddress;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SfuSuspectsTest {

    private static final Instant T0 = Instant.parse("2026-12-03T19:00:00Z");

    private static SfuNodeInfo node(String mediaAddress, Instant heartbeat) {
        return new SfuNodeInfo("sfu-1", "wss://127.0.0.1:7001/v1/sfu-control", mediaAddress, "eu", 0, 0, 0.1, false, heartbeat);
    }

    @Test
    void aSilentMediaPortKeepsItsNodeSuspectThroughHeartbeatsUntilItAnswers() {
        SfuSuspects suspects = new SfuSuspects();
        suspects.markMediaUnreachable("sfu-1", new InetSocketAddress("127.0.0.1", 50000));
        assertThat(suspects.isSuspect(node("127.0.0.1:50000", T0.plusSeconds(5)))).isTrue();
        assertThat(suspects.isSuspect("sfu-1")).isTrue();
        suspects.markMediaUnreachable("sfu-1", null);
        assertThat(suspects.isSuspect(node("127.0.0.1:50000", T0.plusSeconds(6)))).isFalse();
    }

    @Test
    void aNodeRegisteredAgainAtAnotherMediaAddressIsNotHeldToTheOldOnesSilence() {
        SfuSuspects suspects = new SfuSuspects();
        suspects.markMediaUnreachable("sfu-1", new InetSocketAddress("127.0.0.1", 50000));
        // Restarted under the same id: a new process with a new media port.
        assertThat(suspects.isSuspect(node("127.0.0.1:50002", T0.plusSeconds(3)))).isFalse();
        assertThat(suspects.isSuspect("sfu-1")).as("forgotten once seen at the new address").isFalse();
    }

    @Test
    void aNodeFoundDeadIsSuspectUntilItHeartbeatsAfterward() {
        SfuSuspects suspects = new SfuSuspects();
        suspects.markDead("sfu-1", T0);
        assertThat(suspects.isSuspect(node("127.0.0.1:50000", T0.minusMillis(500)))).isTrue();
        assertThat(suspects.isSuspect(node("127.0.0.1:50000", T0.plusMillis(250)))).isFalse();
    }
}
