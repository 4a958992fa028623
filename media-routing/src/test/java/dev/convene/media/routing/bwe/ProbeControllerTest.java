package dev.convene.media.routing.bwe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * When the probe controller pads, on a fake clock: not on a path that queues or loses, and a
 * probe that makes the path queue stops at once, as failed (ADR 0031: a 700 ms probe at twice a
 * 300 kbit/s cap, started while the bottleneck already queued 190 ms, froze a Chromium
 * subscriber's low layer for 0.25 s).
 */
class ProbeControllerTest {

    private static final long MS = 1_000_000;
    private static final long ESTIMATE = 300_000;
    private static final long WANTED = 1_500_000;
    private static final long MEDIA = 250_000;

    @Test
    void aProbeDoesNotStartWhileThePathQueues() {
        ProbeController probe = new ProbeController();
        assertThat(probe.paddingBps(5_000 * MS, ESTIMATE, WANTED, MEDIA, Long.MIN_VALUE, true)).isZero();
        assertThat(probe.probing()).isFalse();
        // The queue gone, it starts: up to twice the estimate, less what media sends.
        assertThat(probe.paddingBps(5_020 * MS, ESTIMATE, WANTED, MEDIA, Long.MIN_VALUE, false))
                .isEqualTo(2 * ESTIMATE - MEDIA);
        assertThat(probe.probes()).isEqualTo(1);
    }

    @Test
    void aProbeThatMakesThePathQueueStopsAtOnceAsFailed() {
        ProbeController probe = new ProbeController();
        long start = 5_000 * MS;
        assertThat(probe.paddingBps(start, ESTIMATE, WANTED, MEDIA, Long.MIN_VALUE, false)).isPositive();
        assertThat(probe.stopIfQueueing(start + 20 * MS, false)).isFalse();
        assertThat(probe.probing()).isTrue();

        // A feedback tick 120 ms in, the queue shows: the padding stops there, not 580 ms later.
        assertThat(probe.stopIfQueueing(start + 120 * MS, true)).isTrue();
        assertThat(probe.probing()).isFalse();
        assertThat(probe.successes()).isZero();
        // A failure: the next probe waits 4 s, even with the path quiet again.
        assertThat(probe.paddingBps(start + 2_000 * MS, ESTIMATE, WANTED, MEDIA, Long.MIN_VALUE, false)).isZero();
        assertThat(probe.paddingBps(start + 4_200 * MS, ESTIMATE, WANTED, MEDIA, Long.MIN_VALUE, false)).isPositive();
        assertThat(probe.probes()).isEqualTo(2);
    }

    @Test
    void aProbeOnAQuietPathRunsItsFullLength() {
        ProbeController probe = new ProbeController();
        long start = 5_000 * MS;
        probe.paddingBps(start, ESTIMATE, WANTED, MEDIA, Long.MIN_VALUE, false);
        for (long t = 20; t < 700; t += 20) {
            assertThat(probe.stopIfQueueing(start + t * MS, false)).isFalse();
        }
        assertThat(probe.paddingBps(start + 600 * MS, 2 * ESTIMATE, WANTED, MEDIA, Long.MIN_VALUE, false)).isPositive();
        assertThat(probe.paddingBps(start + 700 * MS, 2 * ESTIMATE, WANTED, MEDIA, Long.MIN_VALUE, false)).isZero();
        assertThat(probe.successes()).isEqualTo(1);
    }
}
