package dev.convene.sfu.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.convene.sfu.metrics.SfuMetrics.Direction;
import dev.convene.sfu.net.MediaCounters;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SfuMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MediaCounters counters = new MediaCounters();
    private final SfuMetrics metrics = new SfuMetrics(registry, counters);

    @Test
    void lossRatioGaugeLooksBackOverTheLastIntervalsOnly() {
        metrics.upstreamInterval(100, 50, 0);
        metrics.endInterval();
        assertThat(metrics.lossRatio(Direction.UPSTREAM)).isEqualTo(0.5);
        for (int i = 0; i < SfuMetrics.LOSS_WINDOW_INTERVALS; i++) {
            metrics.upstreamInterval(100, 3, 0);
            metrics.endInterval();
        }
        assertThat(metrics.lossRatio(Direction.UPSTREAM)).as("the bad interval has left the window")
                .isCloseTo(0.03, within(1e-9));
        assertThat(registry.get("convene.sfu.loss.ratio").tag("direction", "upstream").gauge().value())
                .isCloseTo(0.03, within(1e-9));
        assertThat(registry.get("convene.sfu.rtp.lost").tag("direction", "upstream").counter().count())
                .as("the counter keeps everything").isEqualTo(80);
        assertThat(metrics.lossRatio(Direction.DOWNSTREAM)).isZero();
    }

    @Test
    void packetCountersAreReadFromTheMediaCountersAtScrapeTime() {
        counters.droppedUnknown.add(7);
        counters.bytesOut.add(1200);
        counters.rtxOut.add(3);
        assertThat(registry.get("convene.sfu.datagrams.dropped").tag("cause", "unknown").functionCounter().count())
                .isEqualTo(7);
        assertThat(registry.get("convene.sfu.bytes").tag("direction", "out").functionCounter().count()).isEqualTo(1200);
        assertThat(registry.get("convene.sfu.rtx").tag("direction", "out").functionCounter().count()).isEqualTo(3);
    }

    @Test
    void rttIsATimerWithDelayBuckets() {
        metrics.rtt(50_000_000L);
        metrics.rtt(70_000_000L);
        var rtt = registry.get("convene.sfu.rtt").timer();
        assertThat(rtt.count()).isEqualTo(2);
        assertThat(rtt.mean(TimeUnit.MILLISECONDS)).isCloseTo(60, within(1e-6));
    }
}
