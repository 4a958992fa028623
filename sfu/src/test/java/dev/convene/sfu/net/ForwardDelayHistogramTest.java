package dev.convene.sfu.net;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ForwardDelayHistogramTest {

    @Test
    void countsEachDelayBelowTheFirstBoundThatExceedsIt() {
        ForwardDelayHistogram h = new ForwardDelayHistogram();
        h.record(4_999);        // 4 µs: below 5
        h.record(5_000);        // 5 µs: not below 5, below 10
        h.record(1_500_000);    // 1.5 ms: below 2,000 µs
        h.record(3_000_000_000L); // 3 s: beyond every bound

        assertThat(h.cumulative(0)).isEqualTo(1);
        assertThat(h.cumulative(1)).isEqualTo(2);
        int twoMillis = java.util.Arrays.binarySearch(ForwardDelayHistogram.BOUNDS_MICROS, 2_000);
        assertThat(h.cumulative(twoMillis - 1)).isEqualTo(2);
        assertThat(h.cumulative(twoMillis)).isEqualTo(3);
        assertThat(h.cumulative(ForwardDelayHistogram.BOUNDS_MICROS.length - 1)).isEqualTo(3);
        assertThat(h.cumulative(ForwardDelayHistogram.BOUNDS_MICROS.length)).isEqualTo(4);
    }
}
