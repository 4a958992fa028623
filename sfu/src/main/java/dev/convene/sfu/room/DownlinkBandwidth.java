package dev.convene.sfu.room;

import dev.convene.media.core.rtcp.RtcpTransportFeedback;
import dev.convene.media.core.rtp.RtpPacket;
import dev.convene.media.routing.bwe.BandwidthEstimator;
import dev.convene.media.routing.bwe.ProbeController;
import dev.convene.media.routing.bwe.SendHistory;

/**
 * One subscriber transport's downlink (ADR 0021): stamps the transport-wide sequence number on
 * everything sent on it, feeds the subscriber's transport-cc feedback (or REMB) to its
 * {@link BandwidthEstimator}, and keeps the probe's padding rate between allocation ticks.
 * Everything on the packet path here is allocation-free. Confined to the media loop.
 */
final class DownlinkBandwidth {

    /** Padding packets carry this much padding: big enough to probe with few packets, under any MTU. */
    static final int PADDING_BYTES = 240;
    /** Padding packets sent per feedback tick at most: bounds a probe's burst (about 3 Mbit/s at 20 ms). */
    static final int MAX_PADDING_PER_TICK = 32;

    private final SendHistory history = new SendHistory();
    private final BandwidthEstimator estimator;
    private final ProbeController probe = new ProbeController();
    private int extensionId;
    private long paddingBps;
    private long paddingCreditBytes;
    private long lastPlanNanos = Long.MIN_VALUE;
    private long paddingPackets;

    DownlinkBandwidth(BandwidthEstimator.Settings settings) {
        this.estimator = new BandwidthEstimator(settings, history);
    }

    /** The id the subscriber's answer kept for the transport-wide sequence number, 0 for none. */
    void setExtensionId(int id) {
        this.extensionId = id;
    }

    int extensionId() {
        return extensionId;
    }

    /**
     * Stamps the next transport-wide sequence number on {@code packet} (in place; the extension
     * block is rewritten) and records its send. Returns the length to send.
     *
     * @param capacity bytes from the packet's offset it may grow into
     */
    int stamp(RtpPacket packet, int capacity, long nowNanos) {
        return stamp(packet, capacity, nowNanos, 0);
    }

    /**
     * As {@link #stamp(RtpPacket, int, long)}, keeping element {@code keepId} (under the same id),
     * e.g. the audio level a subscriber reads under the id its offer named; 0 keeps nothing.
     */
    int stamp(RtpPacket packet, int capacity, long nowNanos, int keepId) {
        if (extensionId == 0) {
            return packet.length();
        }
        int sequence = history.onSent(packet.length() + 8, nowNanos);
        int length = packet.rewriteExtensions(capacity, extensionId, sequence, keepId, keepId);
        return length < 0 ? packet.length() : length;
    }

    void onFeedback(RtcpTransportFeedback feedback, long nowNanos) {
        estimator.onFeedback(feedback, nowNanos);
    }

    void onRemb(long bps, long nowNanos) {
        estimator.onRemb(bps, nowNanos);
    }

    /** Whether an estimate exists: recent transport-cc feedback, or a REMB. Without one the budget is unlimited. */
    boolean hasEstimate(long nowNanos) {
        return estimator.hasEstimate(nowNanos);
    }

    /** Layers move up only when the estimate has not come down for {@link #UP_HOLD_NANOS}: room "for a while". */
    boolean mayMoveUp(long nowNanos) {
        long decrease = estimator.lastDecreaseNanos();
        return decrease == Long.MIN_VALUE || nowNanos - decrease >= UP_HOLD_NANOS;
    }

    static final long UP_HOLD_NANOS = 2_000_000_000L;

    /** Whether the estimate came down for congestion within the last {@code windowNanos}. */
    boolean cutWithin(long windowNanos, long nowNanos) {
        long decrease = estimator.lastDecreaseNanos();
        return decrease != Long.MIN_VALUE && nowNanos - decrease < windowNanos;
    }

    long estimateBps(long nowNanos) {
        return estimator.estimateBps(nowNanos);
    }

    /** On the allocation tick: whether to probe, from what the subscriber wants and what it gets. */
    void plan(long nowNanos, long desiredBps, long mediaBps) {
        paddingBps = extensionId == 0 || !estimator.hasTransportFeedback(nowNanos) ? 0
                : probe.paddingBps(nowNanos, estimator.estimateBps(nowNanos), desiredBps, mediaBps,
                        estimator.lastDecreaseNanos(), estimator.queueing());
        lastPlanNanos = nowNanos;
    }

    /** Padding packets due this feedback tick of {@code tickNanos}. */
    int paddingPacketsDue(long nowNanos, long tickNanos) {
        if (paddingBps > 0 && probe.stopIfQueueing(nowNanos, estimator.queueing())) {
            paddingBps = 0;
        }
        if (paddingBps <= 0) {
            paddingCreditBytes = 0;
            return 0;
        }
        paddingCreditBytes += paddingBps * tickNanos / 8_000_000_000L;
        int due = (int) Math.min(MAX_PADDING_PER_TICK, paddingCreditBytes / PADDING_BYTES);
        paddingCreditBytes -= (long) due * PADDING_BYTES;
        paddingCreditBytes = Math.min(paddingCreditBytes, PADDING_BYTES);
        paddingPackets += due;
        return due;
    }

    boolean probing() {
        return probe.probing();
    }

    long probes() {
        return probe.probes();
    }

    long paddingPackets() {
        return paddingPackets;
    }

    BandwidthEstimator estimator() {
        return estimator;
    }
}
