package dev.convene.sfu.metrics;

import dev.convene.sfu.net.ForwardDelayHistogram;
import dev.convene.sfu.net.MediaCounters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The media metrics of one SFU node, named {@code convene_sfu_*} in Prometheus (the list is in
 * sfu/README.md). Packet counters are read from {@link MediaCounters} at scrape time, so the
 * packet path only bumps a {@code LongAdder}; the RTCP loop feeds loss, RTT and jitter once per
 * report. Per node, never per participant: a label per participant would grow without bound.
 */
public final class SfuMetrics {

    /** Which way media went: from publishers to us, or from us to subscribers. */
    public enum Direction {
        UPSTREAM, DOWNSTREAM;

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Report intervals (1 s each) the loss-ratio gauges look back over. */
    static final int LOSS_WINDOW_INTERVALS = 10;
    private static final Duration[] DELAY_BUCKETS = {
            Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
            Duration.ofMillis(75), Duration.ofMillis(100), Duration.ofMillis(150), Duration.ofMillis(250),
            Duration.ofMillis(400), Duration.ofMillis(800), Duration.ofMillis(1600)};

    private final Counter upstreamExpected;
    private final Counter upstreamLost;
    private final Counter downstreamExpected;
    private final Counter downstreamLost;
    private final LossWindow upstreamWindow = new LossWindow(LOSS_WINDOW_INTERVALS);
    private final LossWindow downstreamWindow = new LossWindow(LOSS_WINDOW_INTERVALS);
    private final Timer rtt;
    private final Timer upstreamJitter;
    private final Timer downstreamJitter;
    private final DistributionSummary downlinkEstimate;

    public SfuMetrics(MeterRegistry registry, MediaCounters counters) {
        counter(registry, "convene.sfu.datagrams.in", "Datagrams received on the media port", counters.datagramsIn);
        dropped(registry, "unknown", "not STUN/DTLS/RTP/RTCP, or from an address no transport owns", counters.droppedUnknown);
        dropped(registry, "stun", "STUN that failed validation", counters.droppedStun);
        dropped(registry, "dtls", "DTLS that was not whole records or found the handshake queue full", counters.droppedDtls);
        dropped(registry, "srtp", "SRTP/SRTCP that failed authentication, replay or parsing", counters.droppedSrtp);
        dropped(registry, "unroutable", "RTP of an SSRC no published track owns", counters.droppedUnroutable);
        packets(registry, "in", "stun", counters.stunIn);
        packets(registry, "in", "dtls", counters.dtlsIn);
        packets(registry, "in", "rtp", counters.rtpIn);
        packets(registry, "in", "rtcp", counters.rtcpIn);
        packets(registry, "out", "rtp", counters.rtpOut);
        packets(registry, "out", "rtcp", counters.rtcpOut);
        FunctionCounter.builder("convene.sfu.bytes", counters.bytesIn, LongAdder::sum).tag("direction", "in")
                .baseUnit("bytes").description("Bytes of datagrams received (×8 and rate(): bitrate in)").register(registry);
        FunctionCounter.builder("convene.sfu.bytes", counters.bytesOut, LongAdder::sum).tag("direction", "out")
                .baseUnit("bytes").description("Bytes of SRTP/SRTCP sent (×8 and rate(): bitrate out)").register(registry);
        for (int i = 0; i <= ForwardDelayHistogram.BOUNDS_MICROS.length; i++) {
            int bucket = i;
            String le = i < ForwardDelayHistogram.BOUNDS_MICROS.length
                    ? Long.toString(ForwardDelayHistogram.BOUNDS_MICROS[i]) : "+Inf";
            FunctionCounter.builder("convene.sfu.forward.delay.within", counters.forwardDelay, h -> h.cumulative(bucket))
                    .tag("le_us", le)
                    .description("Incoming RTP packets forwarded within le_us microseconds, demultiplexed to the last copy's send")
                    .register(registry);
        }
        counter(registry, "convene.sfu.keyframe.requests", "PLIs sent to publishers (after throttling)",
                counters.keyframeRequests);
        FunctionCounter.builder("convene.sfu.nacks", counters.nacksIn, LongAdder::sum).tag("direction", "in")
                .description("NACK packets from subscribers").register(registry);
        FunctionCounter.builder("convene.sfu.nacks", counters.nacksOut, LongAdder::sum).tag("direction", "out")
                .description("NACK packets sent to publishers").register(registry);
        FunctionCounter.builder("convene.sfu.rtx", counters.rtxIn, LongAdder::sum).tag("direction", "in")
                .description("Retransmissions (RTX) received from publishers").register(registry);
        FunctionCounter.builder("convene.sfu.rtx", counters.rtxOut, LongAdder::sum).tag("direction", "out")
                .description("Retransmissions (RTX) sent to subscribers").register(registry);
        counter(registry, "convene.sfu.padding.packets", "Padding-only packets sent to subscribers to probe their downlink",
                counters.paddingOut);
        downlinkEstimate = DistributionSummary.builder("convene.sfu.downlink.estimate").baseUnit("bits_per_second")
                .description("Subscribers' downlink estimates, one sample per subscriber per second (ADR 0021)")
                // Fixed buckets, not percentiles: the estimate is recorded on the media loop, and
                // Micrometer's percentile histograms allocate as they resize (ADR 0027, zero garbage
                // on the loop thread); the buckets are arrays of counters reset in place.
                .serviceLevelObjectives(100e3, 300e3, 1e6, 3e6, 10e6, 30e6).register(registry);
        notSent(registry, "not_held", "never held (lost upstream, maybe still to be repaired) or not sent yet",
                counters.rtxNotHeld);
        notSent(registry, "gone", "no longer held (older than the cache keeps)", counters.rtxGone);
        notSent(registry, "per_packet", "retransmitted as often as allowed already", counters.rtxPerPacketCap);
        notSent(registry, "rtt", "retransmitted less than an RTT ago", counters.rtxWithinRtt);
        notSent(registry, "budget", "the leg's retransmission budget was spent", counters.rtxOverBudget);
        notSent(registry, "not_negotiated", "the subscriber's answer did not accept RTX", counters.rtxNotNegotiated);
        copies(registry, "1", counters.rtxFirstCopies);
        copies(registry, "2", counters.rtxSecondCopies);
        copies(registry, "3+", counters.rtxLaterCopies);
        FunctionCounter.builder("convene.sfu.unrepairable.gaps", counters.unrepairableGapsUpstream, LongAdder::sum)
                .tag("direction", Direction.UPSTREAM.tag())
                .description("Gaps from publishers abandoned by NACK; each asks for a key frame (throttled)")
                .register(registry);
        FunctionCounter.builder("convene.sfu.unrepairable.gaps", counters.unrepairableGapsDownstream, LongAdder::sum)
                .tag("direction", Direction.DOWNSTREAM.tag())
                .description("Subscriber NACKs no retransmission can answer any more; each asks for a key frame (throttled)")
                .register(registry);
        dropped(registry, "rtx", "RTX padding, or RTX of packets already received", counters.droppedRtx);
        dropped(registry, "tcp_frame", "ICE-TCP frames oversized, or reaching no transport", counters.droppedTcpFrames);
        dropped(registry, "tcp_send", "packets not sent on an ICE-TCP connection whose send buffer was full",
                counters.droppedTcpSends);
        counter(registry, "convene.sfu.tcp.connections", "ICE-TCP connections accepted", counters.tcpAccepted);
        counter(registry, "convene.sfu.tcp.refused", "ICE-TCP connections refused at the connection limit",
                counters.tcpRefused);
        counter(registry, "convene.sfu.tcp.closed_by_limits",
                "ICE-TCP connections closed by a limit (no ICE in time, idle, send buffer stuck, garbage)",
                counters.tcpClosedByLimits);
        packets(registry, "in", "tcp_frame", counters.tcpFramesIn);
        counter(registry, "convene.sfu.dtls.failures", "DTLS handshakes that failed", counters.dtlsFailures);
        counter(registry, "convene.sfu.ice.failures", "Transports ended because ICE consent expired", counters.iceFailures);

        upstreamExpected = rtpCounter(registry, "convene.sfu.rtp.expected", Direction.UPSTREAM,
                "RTP packets expected from publishers (RFC 3550 A.3)");
        upstreamLost = rtpCounter(registry, "convene.sfu.rtp.lost", Direction.UPSTREAM,
                "RTP packets from publishers that never arrived");
        downstreamExpected = rtpCounter(registry, "convene.sfu.rtp.expected", Direction.DOWNSTREAM,
                "RTP packets subscribers' receiver reports say they expected");
        downstreamLost = rtpCounter(registry, "convene.sfu.rtp.lost", Direction.DOWNSTREAM,
                "RTP packets subscribers report lost on the way from us (losses upstream left out)");
        lossGauge(registry, Direction.UPSTREAM, upstreamWindow);
        lossGauge(registry, Direction.DOWNSTREAM, downstreamWindow);

        rtt = delayTimer(registry, "convene.sfu.rtt", null, "Round-trip time to subscribers, from their receiver reports' LSR/DLSR");
        upstreamJitter = delayTimer(registry, "convene.sfu.jitter", Direction.UPSTREAM,
                "Interarrival jitter of publishers' streams (RFC 3550 A.8), once per stream per report");
        downstreamJitter = delayTimer(registry, "convene.sfu.jitter", Direction.DOWNSTREAM,
                "Interarrival jitter subscribers report, once per stream per report");
    }

    /** One stream's report interval as seen from our receive statistics. */
    public void upstreamInterval(long expected, long lost, long jitterNanos) {
        upstreamExpected.increment(expected);
        upstreamLost.increment(lost);
        upstreamWindow.add(expected, lost);
        upstreamJitter.record(jitterNanos, TimeUnit.NANOSECONDS);
    }

    /** One report block of a subscriber about a stream we send it. */
    public void downstreamInterval(long expected, long lost, long jitterNanos) {
        downstreamExpected.increment(expected);
        downstreamLost.increment(lost);
        downstreamWindow.add(expected, lost);
        downstreamJitter.record(jitterNanos, TimeUnit.NANOSECONDS);
    }

    public void rtt(long nanos) {
        rtt.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Called once per report interval: the loss windows move on. */
    public void endInterval() {
        upstreamWindow.roll();
        downstreamWindow.roll();
    }

    public double lossRatio(Direction direction) {
        return (direction == Direction.UPSTREAM ? upstreamWindow : downstreamWindow).ratio();
    }

    private static void counter(MeterRegistry registry, String name, String description, LongAdder adder) {
        FunctionCounter.builder(name, adder, LongAdder::sum).description(description).register(registry);
    }

    private static void dropped(MeterRegistry registry, String cause, String description, LongAdder adder) {
        FunctionCounter.builder("convene.sfu.datagrams.dropped", adder, LongAdder::sum).tag("cause", cause)
                .description("Datagrams dropped, by cause: " + description).register(registry);
    }

    private static void notSent(MeterRegistry registry, String cause, String description, LongAdder adder) {
        FunctionCounter.builder("convene.sfu.rtx.not_sent", adder, LongAdder::sum).tag("cause", cause)
                .description("NACKed packets not retransmitted, by cause: " + description).register(registry);
    }

    private static void copies(MeterRegistry registry, String copy, LongAdder adder) {
        FunctionCounter.builder("convene.sfu.rtx.copies", adder, LongAdder::sum).tag("copy", copy)
                .description("Retransmissions to subscribers by which copy of their packet each was (1st, 2nd, later)")
                .register(registry);
    }

    private static void packets(MeterRegistry registry, String direction, String type, LongAdder adder) {
        FunctionCounter.builder("convene.sfu.packets", adder, LongAdder::sum).tag("direction", direction)
                .tag("type", type).description("Packets by direction and type").register(registry);
    }

    private static Counter rtpCounter(MeterRegistry registry, String name, Direction direction, String description) {
        return Counter.builder(name).tag("direction", direction.tag()).description(description).register(registry);
    }

    private void lossGauge(MeterRegistry registry, Direction direction, LossWindow window) {
        Gauge.builder("convene.sfu.loss.ratio", window, LossWindow::ratio).tag("direction", direction.tag())
                .description("RTP loss ratio over the last " + LOSS_WINDOW_INTERVALS + " report intervals")
                .register(registry);
    }

    private static Timer delayTimer(MeterRegistry registry, String name, Direction direction, String description) {
        Timer.Builder builder = Timer.builder(name).description(description).serviceLevelObjectives(DELAY_BUCKETS)
                .distributionStatisticExpiry(Duration.ofMinutes(1));
        if (direction != null) {
            builder.tag("direction", direction.tag());
        }
        return builder.register(registry);
    }

    /** One subscriber's downlink estimate, sampled once a second; a summary over subscribers, no label per participant. */
    public void recordDownlinkEstimate(long bitsPerSecond) {
        downlinkEstimate.record(bitsPerSecond);
    }
}
