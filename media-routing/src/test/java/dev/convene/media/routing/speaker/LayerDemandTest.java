package dev.convene.media.routing.speaker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LayerDemandTest {

    private static final long MS = 1_000_000L;

    @Test
    void unwatchedLayersPauseAfterTwoSecondsAndResumeAtOnce() {
        long t = 1_000 * MS;
        LayerDemand demand = new LayerDemand(3, t);
        boolean[] lowOnly = {true, false, false};
        assertThat(demand.update(lowOnly, t + 1_900 * MS)).isFalse();
        assertThat(demand.sent()).containsExactly(true, true, true);
        assertThat(demand.update(lowOnly, t + 2_000 * MS)).isTrue();
        assertThat(demand.sent()).containsExactly(true, false, false);
        assertThat(demand.update(lowOnly, t + 5_000 * MS)).isFalse();

        assertThat(demand.update(new boolean[] {false, false, true}, t + 5_100 * MS)).isTrue();
        assertThat(demand.sent()).containsExactly(true, false, true);
        assertThat(demand.update(new boolean[0], t + 7_100 * MS)).isTrue();
        assertThat(demand.sent()).containsExactly(false, false, false);
    }

    @Test
    void aLayerTakenOnAndOffWithinTheDelayIsNeverPaused() {
        long t = 0;
        LayerDemand demand = new LayerDemand(2, t);
        for (int i = 0; i < 20; i++) {
            boolean[] wanted = {true, i % 10 == 0};
            assertThat(demand.update(wanted, t + i * 200 * MS)).isFalse();
        }
        assertThat(demand.sent(1)).isTrue();
    }

    @Test
    void aResumedLayerCountsAsComingForFiveSeconds() {
        long t = 0;
        LayerDemand demand = new LayerDemand(1, t);
        assertThat(demand.resuming(0, t)).as("sent from the start, not resumed").isFalse();
        demand.update(new boolean[] {false}, t + 2_000 * MS);
        assertThat(demand.sent(0)).isFalse();
        assertThat(demand.resuming(0, t + 2_000 * MS)).isFalse();
        demand.update(new boolean[] {true}, t + 3_000 * MS);
        assertThat(demand.resuming(0, t + 3_000 * MS)).isTrue();
        // Nobody takes it while it is silent, yet it is not paused again before the grace is over.
        assertThat(demand.resuming(0, t + 7_900 * MS)).isTrue();
        assertThat(demand.resuming(0, t + 8_000 * MS)).isFalse();
    }
}
