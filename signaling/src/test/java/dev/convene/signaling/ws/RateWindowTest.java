package dev.convene.signaling.ws;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RateWindowTest {

    @Test
    void allowsTheLimitPerSecondAndTellsOncePerWindow() {
        RateWindow w = new RateWindow(3);
        assertThat(w.onFrame(1_000)).isEqualTo(RateWindow.Verdict.ACCEPT);
        assertThat(w.onFrame(1_100)).isEqualTo(RateWindow.Verdict.ACCEPT);
        assertThat(w.onFrame(1_200)).isEqualTo(RateWindow.Verdict.ACCEPT);
        assertThat(w.onFrame(1_300)).isEqualTo(RateWindow.Verdict.REJECT_AND_TELL);
        assertThat(w.onFrame(1_999)).isEqualTo(RateWindow.Verdict.REJECT_QUIETLY);
        assertThat(w.onFrame(2_000)).isEqualTo(RateWindow.Verdict.ACCEPT);
    }

    @Test
    void aClockThatJumpsBackStartsANewWindow() {
        RateWindow w = new RateWindow(1);
        w.onFrame(5_000);
        assertThat(w.onFrame(5_001)).isEqualTo(RateWindow.Verdict.REJECT_AND_TELL);
        assertThat(w.onFrame(4_000)).isEqualTo(RateWindow.Verdict.ACCEPT);
    }
}
