package dev.convene.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Percentage.withPercentage;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void quantilesAreWithinTheBucketResolution() {
        LatencyHistogram h = new LatencyHistogram();
        for (long v = 1; v <= 10_000; v++) {
            h.record(v);
        }
        assertThat(h.count()).isEqualTo(10_000);
        assertThat(h.quantile(0.5)).isCloseTo(5_000, withPercentage(7));
        assertThat(h.quantile(0.99)).isCloseTo(9_900, withPercentage(7));
        assertThat(h.max()).isCloseTo(10_000, withPercentage(7));
        assertThat(h.quantile(0.01)).isCloseTo(100, withPercentage(7));
    }

    @Test
    void smallValuesAreExactAndHugeOnesStayInTheLastBucket() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(3);
        assertThat(h.quantile(0.5)).isEqualTo(3);
        h.record(Long.MAX_VALUE / 2);
        assertThat(h.max()).isPositive();
    }

    @Test
    void theSfuForwardDelayQuantileIsInterpolatedBetweenTwoScrapes() {
        String p = "convene_sfu_forward_delay_within_total{le_us=\"";
        Map<String, Double> before = Map.of(p + "10\"}", 100.0, p + "100\"}", 100.0, p + "+Inf\"}", 100.0);
        // Then 100 packets more, all between 10 and 100 µs.
        Map<String, Double> after = Map.of(p + "10\"}", 100.0, p + "100\"}", 200.0, p + "+Inf\"}", 200.0);

        assertThat(LoadRun.forwardDelayCount(before, after)).isEqualTo(100);
        assertThat(LoadRun.forwardDelayQuantile(before, after, 0.5)).isCloseTo(55, withPercentage(1));
        assertThat(LoadRun.forwardDelayQuantile(before, after, 0.99)).isCloseTo(99.1, withPercentage(1));
    }
}
