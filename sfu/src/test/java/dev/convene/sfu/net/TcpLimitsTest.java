package dev.convene.sfu.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** When a connection has overstayed, decided from times passed in (a negative clock included: nanoTime may be). */
class TcpLimitsTest {

    private static final long S = 1_000_000_000L;
    private static final long T0 = -5 * S;
    private final TcpLimits limits = new TcpLimits(10, 2048, Duration.ofSeconds(10), Duration.ofSeconds(30),
            Duration.ofSeconds(5), 8, 1024, 4096);

    @Test
    void anUnboundConnectionHasTheBindTimeoutToPassAnIceCheck() {
        assertThat(limits.closeReason(false, T0, T0 + 9 * S, false, 0, T0 + 9 * S)).isEmpty();
        assertThat(limits.closeReason(false, T0, T0 + 9 * S, false, 0, T0 + 10 * S)).contains("no_ice_check");
        // Sending frames does not extend it: only a valid check binds.
        assertThat(limits.closeReason(false, T0, T0 + 10 * S, false, 0, T0 + 10 * S)).contains("no_ice_check");
    }

    @Test
    void aBoundConnectionStaysAsLongAsFramesKeepComing() {
        assertThat(limits.closeReason(true, T0, T0 + 100 * S, false, 0, T0 + 129 * S)).isEmpty();
        assertThat(limits.closeReason(true, T0, T0 + 100 * S, false, 0, T0 + 130 * S)).contains("idle");
    }

    @Test
    void aPeerThatStopsReadingIsClosedAfterTheUnwritableTimeout() {
        long since = T0 + 20 * S;
        assertThat(limits.closeReason(true, T0, T0 + 24 * S, true, since, T0 + 24 * S)).isEmpty();
        assertThat(limits.closeReason(true, T0, T0 + 24 * S, true, since, T0 + 25 * S)).contains("not_reading");
        assertThat(limits.closeReason(true, T0, T0 + 24 * S, false, since, T0 + 25 * S)).isEmpty();
    }
}
