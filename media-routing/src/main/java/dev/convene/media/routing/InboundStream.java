package dev.convene.media.routing;

import dev.convene.media.core.codec.Codec;
import dev.convene.media.core.rtp.RtpPacket;
import java.util.List;

/**
 * The receive side of one published stream, a chain of small stages run on every packet
 * before it is routed to subscribers:
 *
 * <pre>
 *   RTX decoder ─▶ NACK generator ─▶ receive stats ─▶ keyframe tracker ─▶ (route)
 * </pre>
 *
 * <p>A retransmission is restored to the original packet first, so it fills its gap for every
 * later stage and every subscriber; one that fills no gap (the original came after all) is
 * dropped rather than sent twice. The NACK generator runs only when the stream negotiated
 * {@code nack}; its requests are collected by the caller's timer ({@link #collectNacks}).
 *
 * <p>Allocation-free per packet. Time is the caller's monotonic clock. Not thread-safe: one
 * per published stream, confined to its event loop.
 */
public final class InboundStream {

    /** What {@link #onRtp} decided. */
    public enum Result {
        /** Route it to the subscribers. */
        ROUTE,
        /** An RTX packet with no original inside (a sender's padding for bandwidth probing). */
        DROP_RTX_PADDING,
        /** A retransmission of a packet that had arrived already. */
        DROP_DUPLICATE_RTX,
        /** Arrived before the stream's media SSRC was known; nothing to restore RTX to. */
        DROP_NO_MEDIA_SSRC;
    }

    /**
     * @param codec            the media codec (key frame detection)
     * @param mediaPayloadType the publisher's payload type for it
     * @param rtxPayloadType   the publisher's RTX payload type for it, -1 if none was negotiated
     * @param nack             whether the publisher answers NACKs ({@code a=rtcp-fb:… nack})
     */
    public record Config(Codec codec, int mediaPayloadType, int rtxPayloadType, boolean nack,
            NackGenerator.Settings nackSettings, long keyframeRequestIntervalNanos) {
        public static Config of(Codec codec, int mediaPayloadType, int rtxPayloadType, boolean nack) {
            return new Config(codec, mediaPayloadType, rtxPayloadType, nack, NackGenerator.Settings.defaults(),
                    KeyframeRequestThrottle.DEFAULT_MIN_INTERVAL_NANOS);
        }
    }

    private final RtxDecoder rtx;
    private final NackGenerator nack;
    private final ReceiveStats stats = new ReceiveStats();
    private final KeyframeTracker keyframes;
    private final List<PipelineStage> stages;
    private long mediaSsrc = -1;

    public InboundStream(Config config) {
        this.rtx = new RtxDecoder(config.rtxPayloadType(), config.mediaPayloadType());
        this.nack = config.nack() ? new NackGenerator(config.nackSettings()) : null;
        this.keyframes = new KeyframeTracker(config.codec(), new KeyframeRequestThrottle(config.keyframeRequestIntervalNanos()));
        this.stages = nack == null ? List.of(rtx, stats, keyframes) : List.of(rtx, nack, stats, keyframes);
    }

    /** The SSRC the publisher sends the media with; RTX is restored to it. */
    public void setMediaSsrc(long ssrc) {
        this.mediaSsrc = ssrc;
    }

    public long mediaSsrc() {
        return mediaSsrc;
    }

    /** Whether {@code packet} is a retransmission of this stream (before {@link #onRtp} decodes it). */
    public boolean isRtx(RtpPacket packet) {
        return rtx.isRtx(packet);
    }

    /**
     * Runs the receive stages on {@code packet}, which may be changed in place (an RTX packet
     * becomes its original, 2 bytes shorter: use {@code packet.length()} afterwards).
     */
    public Result onRtp(RtpPacket packet, long nowNanos) {
        boolean retransmission = rtx.isRtx(packet);
        if (retransmission) {
            if (mediaSsrc < 0) {
                return Result.DROP_NO_MEDIA_SSRC;
            }
            if (!rtx.decode(packet, mediaSsrc)) {
                return Result.DROP_RTX_PADDING;
            }
        }
        if (nack != null) {
            NackGenerator.Arrival arrival = nack.onPacket(packet.sequenceNumber(), nowNanos);
            if (retransmission && arrival == NackGenerator.Arrival.DUPLICATE_OR_LATE) {
                return Result.DROP_DUPLICATE_RTX;
            }
        }
        stats.onPacket(packet, nowNanos);
        keyframes.onPacket(packet, nowNanos);
        return Result.ROUTE;
    }

    /**
     * The sequence numbers to NACK now (see {@link NackGenerator#collect}); 0 when the stream
     * has no NACK generator.
     */
    public int collectNacks(long nowNanos, int[] out) {
        return nack == null ? 0 : nack.collect(nowNanos, out);
    }

    /**
     * Whether missing packets were abandoned since the last call (see
     * {@link NackGenerator#takeAbandoned}): the caller should ask the publisher for a key frame,
     * since no retransmission will fill those gaps. False for a stream without NACK.
     */
    public boolean takeAbandonedLosses() {
        return nack != null && nack.takeAbandoned() > 0;
    }

    /** Whether losses on the way to us are repaired by NACK (a gap may still be filled from upstream). */
    public boolean repairsLosses() {
        return nack != null;
    }

    /** Whether a keyframe request may go to the publisher now; records it if so. */
    public boolean admitKeyframeRequest(long nowNanos) {
        return keyframes.admitRequest(nowNanos);
    }

    /** Whether a keyframe request suppressed earlier is owed now; records it if so. */
    public boolean admitPendingKeyframeRequest(long nowNanos) {
        return keyframes.admitPendingRequest(nowNanos);
    }

    /** The round-trip time to the publisher, when RTCP has measured one. */
    public void setRtt(long nanos) {
        if (nack != null) {
            nack.setRtt(nanos);
        }
    }

    public RtxDecoder rtx() { return rtx; }

    /** The NACK generator, or null when the stream does not use NACK. */
    public NackGenerator nack() { return nack; }

    public ReceiveStats stats() { return stats; }

    public KeyframeTracker keyframes() { return keyframes; }

    /** The stages in packet order, for counters. */
    public List<PipelineStage> stages() { return stages; }
}
