package dev.convene.media.routing;

import dev.convene.media.core.codec.Codec;
import dev.convene.media.core.codec.Vp8PayloadDescriptor;
import dev.convene.media.core.rtp.RtpPacket;
import dev.convene.media.core.rtp.SequenceNumberUnwrapper;
import dev.convene.media.core.rtp.TimestampUnwrapper;
import dev.convene.media.routing.svc.SvcLayerFilter;
import java.util.Objects;

/**
 * Makes the packets forwarded to one subscriber for one track look like one continuous RTP
 * stream, whichever publisher stream (simulcast layer, reconnected publisher) they come from.
 *
 * <p>The SFU copies each incoming plaintext packet into the subscriber's output buffer, wraps
 * the copy in an {@link RtpPacket} and calls {@link #rewrite}; on {@link RewriteResult#FORWARD}
 * the copy has been rewritten in place and is ready to protect and send:
 * <ul>
 *   <li>SSRC → the fixed output SSRC; payload type → the subscriber's, by {@link PayloadTypeMap};</li>
 *   <li>sequence number → input + a per-source offset, so gaps and reordering inside one source
 *       survive (the subscriber can still NACK) and a new source continues right after the
 *       highest number sent;</li>
 *   <li>timestamp → input + a per-source offset; a new source continues from the highest
 *       timestamp sent plus the wall-clock time between the two packets' arrivals × clock rate;</li>
 *   <li>VP8 PictureID and TL0PICIDX → continued across sources the same way (+1 on a switch);</li>
 *   <li>VP9 with an {@link SvcLayerFilter}: the layers above the subscriber's target dropped,
 *       sequence numbers closed over them and the marker moved to the top forwarded layer.</li>
 * </ul>
 *
 * <p>Switching is explicit: {@link #switchTo} names the source to forward; until a packet of
 * it is a switch point (any audio packet, a key frame for video) the current source keeps
 * flowing and the new one's packets are dropped as {@link RewriteResult#DROP_WAITING_FOR_KEYFRAME},
 * the caller's cue to request a key frame. A new SSRC is never adopted on its own: the router,
 * which knows why a stream appeared, calls {@code switchTo}. {@link #switchToCuttingCurrent} is
 * the congestion variant: the current source stops at the end of the frame in hand instead of
 * flowing on until the switch point, so it no longer fills a downlink queue the new source's key
 * frame has to get through (ADR 0031).
 *
 * <p>Each call first decides (pure reading plus the source-switch bookkeeping) and then applies
 * (writes the packet, advances the "highest sent" marks). Counters are 64-bit extended values,
 * so wraps of the 16- and 32-bit fields never reach the arithmetic. Time is the arrival time
 * the caller passes in. Not thread-safe: one instance per (subscriber, track), confined to the
 * subscriber's event loop.
 */
public final class RtpStreamRewriter implements PipelineStage {
    /** "No source" for {@link #currentSource()} and {@link #pendingSource()}. */
    public static final long NO_SOURCE = -1;

    /**
     * Packets further behind the newest of their source are dropped: the subscriber's jitter
     * buffer has long given up on them, and near 2^15 the unwrapped number becomes ambiguous.
     */
    public static final int MAX_REORDER_DISTANCE = 1 << 12;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final long outputSsrc;
    private final int clockRate;
    private final PayloadTypeMap payloadTypes;
    private final SequenceNumberUnwrapper sequenceNumbers = new SequenceNumberUnwrapper();
    private final TimestampUnwrapper timestamps = new TimestampUnwrapper();
    private final Vp8PayloadDescriptor vp8 = new Vp8PayloadDescriptor();
    private final SvcLayerFilter svc;

    private long currentSource = NO_SOURCE;
    private long pendingSource = NO_SOURCE;

    // Mapping of the current source, fixed at its switch point.
    private long sourceStartSequence;
    private long sequenceOffset;
    private long timestampOffset;
    private int pictureIdOffset;
    private int tl0PicIdxOffset;
    private boolean rebasePictureId;
    private boolean rebaseTl0PicIdx;

    // The current source's last forwarded packet, so a cut can finish the frame in hand.
    private long lastSourceTimestamp = -1;
    private boolean frameOpen;
    private boolean cutting;

    // What the subscriber has been sent, across all sources.
    private boolean started;
    private long highestSequence;
    private long highestTimestamp;
    private long highestTimestampArrivalNanos;
    private int lastPictureId = -1;
    private int lastTl0PicIdx = -1;

    // The decision for the packet in hand.
    private long decidedSequence;
    private long decidedTimestamp;
    private int decidedPayloadType;
    private Codec decidedCodec;
    private boolean decidedMarker;

    private long forwarded;
    private long dropped;
    private long switches;
    private long lastSwitchNanos = Long.MIN_VALUE;
    private long cuts;

    /**
     * @param outputSsrc   the SSRC the subscriber sees, unsigned 32-bit in a long
     * @param clockRate    RTP clock rate of the track in Hz (90000 for video, 48000 for Opus)
     * @param payloadTypes publisher → subscriber payload types and their codecs
     */
    public RtpStreamRewriter(long outputSsrc, int clockRate, PayloadTypeMap payloadTypes) {
        this(outputSsrc, clockRate, payloadTypes, null);
    }

    /** @param svc drops VP9 layers above the subscriber's target; null forwards every packet of the source */
    public RtpStreamRewriter(long outputSsrc, int clockRate, PayloadTypeMap payloadTypes, SvcLayerFilter svc) {
        this.svc = svc;
        if (outputSsrc < 0 || outputSsrc > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("SSRC is unsigned 32-bit: " + outputSsrc);
        }
        if (clockRate <= 0) {
            throw new IllegalArgumentException("clock rate must be positive: " + clockRate);
        }
        this.outputSsrc = outputSsrc;
        this.clockRate = clockRate;
        this.payloadTypes = Objects.requireNonNull(payloadTypes, "payloadTypes");
    }

    /**
     * Forwards {@code sourceSsrc} from its next switch point on; the current source keeps
     * flowing until then. Naming the current source cancels a pending switch. After
     * {@link #pause()}, naming the same source again waits for a switch point too.
     */
    public void switchTo(long sourceSsrc) {
        if (sourceSsrc < 0 || sourceSsrc > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("SSRC is unsigned 32-bit: " + sourceSsrc);
        }
        pendingSource = sourceSsrc == currentSource ? NO_SOURCE : sourceSsrc;
        if (sourceSsrc == currentSource) {
            cutting = false;
        }
    }

    /**
     * As {@link #switchTo}, but the current source stops at the end of its frame in hand (at
     * once if that frame is complete): nothing of it follows that frame. For a down-switch on
     * congestion, where the old layer's packets would only queue up ahead of the new layer's key
     * frame; the subscriber's picture holds its last complete frame until that key frame.
     */
    public void switchToCuttingCurrent(long sourceSsrc) {
        switchTo(sourceSsrc);
        if (pendingSource == NO_SOURCE || currentSource == NO_SOURCE) {
            return;
        }
        cuts++;
        if (frameOpen) {
            cutting = true;
        } else {
            currentSource = NO_SOURCE;
        }
    }

    /** Stops forwarding; the next {@link #switchTo} continues the output stream from where it stopped. */
    public void pause() {
        currentSource = NO_SOURCE;
        pendingSource = NO_SOURCE;
        cutting = false;
    }

    /**
     * Decides whether {@code packet} (a copy the caller owns) goes to the subscriber, and if so
     * rewrites it in place.
     *
     * @param arrivalNanos the packet's arrival time from the caller's monotonic clock
     */
    public RewriteResult rewrite(RtpPacket packet, long arrivalNanos) {
        RewriteResult result = decide(packet, arrivalNanos);
        if (result == RewriteResult.FORWARD) {
            apply(packet, arrivalNanos);
            forwarded++;
        } else {
            dropped++;
        }
        return result;
    }

    private RewriteResult decide(RtpPacket packet, long arrivalNanos) {
        int payloadType = packet.payloadType();
        int outputPayloadType = payloadTypes.outputPayloadType(payloadType);
        if (outputPayloadType < 0) {
            return RewriteResult.DROP_UNKNOWN_PAYLOAD_TYPE;
        }
        Codec codec = payloadTypes.codec(payloadType);
        long ssrc = packet.ssrc();
        if (ssrc == pendingSource) {
            if (!codec.isKeyframe(packet)) {
                return RewriteResult.DROP_WAITING_FOR_KEYFRAME;
            }
            beginSource(packet, arrivalNanos);
        } else if (ssrc != currentSource) {
            return RewriteResult.DROP_NOT_SELECTED;
        } else if (cutting && (packet.timestamp() != lastSourceTimestamp)) {
            // A packet of the next frame: the frame in hand is over (its end lost, if no marker came).
            endCut();
            return RewriteResult.DROP_NOT_SELECTED;
        }
        long sequence = sequenceNumbers.unwrap(packet.sequenceNumber());
        if (sequence < sourceStartSequence || sequenceNumbers.highest() - sequence > MAX_REORDER_DISTANCE) {
            return RewriteResult.DROP_TOO_OLD;
        }
        decidedSequence = sequence + sequenceOffset;
        decidedMarker = packet.marker();
        if (svc != null && codec == Codec.VP9) {
            SvcLayerFilter.Verdict verdict = svc.filter(packet.buffer(), packet.payloadOffset(), packet.payloadLength(),
                    sequence, decidedMarker, arrivalNanos);
            switch (verdict) {
                case FORWARD -> {
                    decidedSequence = svc.outputSequence() + sequenceOffset;
                    decidedMarker = svc.marker();
                }
                case DROP -> { return RewriteResult.DROP_LAYER; }
                case DROP_WAITING -> { return RewriteResult.DROP_WAITING_FOR_KEYFRAME; }
                case DROP_TOO_OLD -> { return RewriteResult.DROP_TOO_OLD; }
            }
        }
        decidedTimestamp = timestamps.unwrap(packet.timestamp()) + timestampOffset;
        decidedPayloadType = outputPayloadType;
        decidedCodec = codec;
        return RewriteResult.FORWARD;
    }

    /** Fixes the new source's offsets at its switch point {@code packet}. */
    private void beginSource(RtpPacket packet, long arrivalNanos) {
        lastSwitchNanos = arrivalNanos;
        sequenceNumbers.reset();
        timestamps.reset();
        long firstSequence = sequenceNumbers.unwrap(packet.sequenceNumber());
        long firstTimestamp = timestamps.unwrap(packet.timestamp());
        if (started) {
            sequenceOffset = highestSequence + 1 - firstSequence;
            timestampOffset = highestTimestamp + elapsedTicks(arrivalNanos - highestTimestampArrivalNanos) - firstTimestamp;
        } else {
            sequenceOffset = 0;
            timestampOffset = 0;
        }
        sourceStartSequence = firstSequence;
        if (svc != null) {
            svc.reset();
        }
        rebasePictureId = true;
        rebaseTl0PicIdx = true;
        currentSource = pendingSource;
        pendingSource = NO_SOURCE;
        cutting = false;
        switches++;
    }

    private void endCut() {
        cutting = false;
        frameOpen = false;
        currentSource = NO_SOURCE;
    }

    /** Wall-clock time in RTP ticks, at least 1 so the new source never repeats a timestamp. */
    private long elapsedTicks(long elapsedNanos) {
        if (elapsedNanos <= 0) {
            return 1;
        }
        long ticks = elapsedNanos / NANOS_PER_SECOND * clockRate
                + elapsedNanos % NANOS_PER_SECOND * clockRate / NANOS_PER_SECOND;
        return Math.max(1, ticks);
    }

    private void apply(RtpPacket packet, long arrivalNanos) {
        boolean newest = !started || decidedSequence > highestSequence;
        if (newest) {
            lastSourceTimestamp = packet.timestamp();
            frameOpen = !decidedMarker;
        }
        packet.setSsrc(outputSsrc);
        packet.setPayloadType(decidedPayloadType);
        packet.setSequenceNumber((int) decidedSequence);
        packet.setTimestamp(decidedTimestamp);
        if (svc != null && packet.marker() != decidedMarker) {
            packet.setMarker(decidedMarker);
        }
        if (decidedCodec == Codec.VP8 && vp8.wrap(packet.buffer(), packet.payloadOffset(), packet.payloadLength())) {
            rewriteVp8(newest);
        }
        if (newest) {
            highestSequence = decidedSequence;
        }
        if (!started || decidedTimestamp >= highestTimestamp) {
            highestTimestamp = decidedTimestamp;
            highestTimestampArrivalNanos = arrivalNanos;
        }
        started = true;
        if (cutting && !frameOpen) {
            endCut();
        }
    }

    /** Offsets are kept modulo the field width, so 7- and 15-bit PictureIDs share one. */
    private void rewriteVp8(boolean newest) {
        if (vp8.hasPictureId()) {
            int input = vp8.pictureId();
            if (rebasePictureId) {
                pictureIdOffset = lastPictureId < 0 ? 0 : lastPictureId + 1 - input & 0x7FFF;
                rebasePictureId = false;
            }
            vp8.setPictureId(input + pictureIdOffset);
            if (newest) {
                lastPictureId = vp8.pictureId();
            }
        }
        if (vp8.hasTl0PicIdx()) {
            int input = vp8.tl0PicIdx();
            if (rebaseTl0PicIdx) {
                tl0PicIdxOffset = lastTl0PicIdx < 0 ? 0 : lastTl0PicIdx + 1 - input & 0xFF;
                rebaseTl0PicIdx = false;
            }
            vp8.setTl0PicIdx(input + tl0PicIdxOffset);
            if (newest) {
                lastTl0PicIdx = vp8.tl0PicIdx();
            }
        }
    }

    public long outputSsrc() { return outputSsrc; }

    /** The VP9 layer filter of this leg, or null. */
    public SvcLayerFilter svc() { return svc; }

    /** The source being forwarded, or {@link #NO_SOURCE}. */
    public long currentSource() { return currentSource; }

    /**
     * What {@code sourceTimestamp} of the current source becomes in the output stream, for
     * mapping the publisher's sender reports; -1 if {@code sourceSsrc} is not the current source.
     */
    public long outputTimestamp(long sourceSsrc, long sourceTimestamp) {
        if (sourceSsrc != currentSource || currentSource == NO_SOURCE) {
            return -1;
        }
        return sourceTimestamp + timestampOffset & 0xFFFFFFFFL;
    }

    /** The source waiting for its switch point, or {@link #NO_SOURCE}. */
    public long pendingSource() { return pendingSource; }

    /** True while a video switch waits for a key frame: the caller should have one requested. */
    public boolean isWaitingForSwitchPoint() { return pendingSource != NO_SOURCE; }

    /**
     * The output sequence number (16 bits) of the current source's first packet — its switch
     * point, a key frame — or -1 before any source began. What the receiver lost before it belongs
     * to a stream its decoder has left: worth no retransmission.
     */
    public int switchPointSequenceNumber() {
        return switches == 0 ? -1 : (int) ((sourceStartSequence + sequenceOffset) & 0xFFFF);
    }

    /** Whether output sequence number {@code sequenceNumber} was sent before the current source's switch point. */
    public boolean beforeSwitchPoint(int sequenceNumber) {
        int point = switchPointSequenceNumber();
        if (point < 0) {
            return false;
        }
        int behind = (point - sequenceNumber) & 0xFFFF;
        return behind > 0 && behind < 0x8000;
    }

    /** The highest extended output sequence number sent, or -1 before the first packet. */
    public long highestOutputSequenceNumber() { return started ? highestSequence : -1; }

    /** The extended output sequence number of the packet last rewritten for forwarding. */
    public long lastForwardedSequenceNumber() { return decidedSequence; }

    public long forwardedPackets() { return forwarded; }

    public long droppedPackets() { return dropped; }

    /** Switches that cut the current source at its frame's end ({@link #switchToCuttingCurrent}). */
    public long cuts() { return cuts; }

    /** Completed source switches, the first source included. */
    public long sourceSwitches() { return switches; }

    /** When the last source switch happened (its switch point's arrival), or {@link Long#MIN_VALUE}. */
    public long lastSwitchNanos() { return lastSwitchNanos; }

    @Override
    public String name() {
        return "rewriter";
    }

    @Override
    public void appendCounters(CounterSink sink) {
        sink.counter("forwarded", forwarded);
        sink.counter("dropped", dropped);
        sink.counter("source_switches", switches);
        sink.counter("cuts", cuts);
    }
}
