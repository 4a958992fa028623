package dev.convene.sfu.room;

import dev.convene.media.core.rtcp.RtcpNack;
import dev.convene.media.core.rtp.AudioLevelExtension;
import dev.convene.media.core.rtp.RtpPacket;
import dev.convene.media.routing.ExtensionIds;
import dev.convene.media.routing.InboundStream;
import dev.convene.media.routing.OutboundStream;
import dev.convene.media.routing.PacketArrays;
import dev.convene.media.routing.RetransmissionBuffer;
import dev.convene.media.routing.Retransmitter;
import dev.convene.media.routing.RewriteResult;
import dev.convene.media.routing.RtpStreamRewriter;
import dev.convene.sfu.TrackKind;
import dev.convene.sfu.negotiation.SdpTranslator;
import dev.convene.sfu.net.MediaCounters;
import dev.convene.sfu.net.MediaSocket;

/**
 * The SFU's packet path between transports: runs a published track's receive stages on each
 * packet from its publisher and each subscriber leg's stages on the copy it sends, answers
 * subscribers' NACKs from the legs' retransmission buffers, sends NACKs and (throttled)
 * keyframe requests to publishers. The decisions are made by the stages in
 * {@code media-routing}; this class only moves bytes between them and the transports.
 *
 * <p>One per node, confined to the media loop; it owns the loop's scratch views and lists, so
 * the path allocates nothing per packet.
 */
final class PacketRouter {

    /** Sequence numbers taken from one NACK, or put in one: more than a NACK packet usually holds. */
    private static final int MAX_NACKED_PER_PACKET = 128;

    private final MediaCounters counters;
    private final byte[] tx;
    private final RtpPacket outbound = new RtpPacket();
    private final int[] sequenceNumbers = new int[MAX_NACKED_PER_PACKET];

    /** The loop's packet arrays, for the layers' buffers of received packets (ADR 0038). */
    private final PacketArrays arrays;

    PacketRouter(MediaCounters counters, byte[] tx, PacketArrays arrays) {
        this.counters = counters;
        this.tx = tx;
        this.arrays = arrays;
        this.txCapacity = tx.length - MediaSocket.TRAILER_ROOM;
    }

    /** What a packet in {@link #tx} may grow to (the transport-wide sequence number), leaving SRTP's room. */
    private final int txCapacity;

    /** A publisher's RTP packet of {@code layer}; {@code packet} views the plaintext receive buffer. */
    void onPublisherRtp(TrackLayer layer, RtpPacket packet, long nowNanos) {
        InboundStream inbound = layer.inbound();
        boolean retransmission = inbound.isRtx(packet);
        if (!retransmission && layer.networkStatistics() != null) {
            layer.networkStatistics().onPacket(packet.sequenceNumber(), packet.timestamp(), packet.payloadLength(), nowNanos);
        }
        InboundStream.Result result = inbound.onRtp(packet, nowNanos);
        if (retransmission) {
            counters.rtxIn.increment();
        }
        if (result != InboundStream.Result.ROUTE) {
            counters.droppedRtx.increment();
            return;
        }
        if (inbound.admitPendingKeyframeRequest(nowNanos) && layer.mediaSsrc() >= 0) {
            // A request that came too soon after another is owed at the end of the interval.
            counters.keyframeRequests.increment();
            layer.track().publisher().publisherTransport().sendPli(layer.mediaSsrc());
        }
        // After RTX decoding: a repaired packet counts as received, as receivers report it.
        layer.receiveStatistics().onPacket(packet.sequenceNumber(), packet.timestamp(), packet.payloadLength(), nowNanos);
        layer.state().onPacket(packet, nowNanos);
        PublishedTrack track = layer.track();
        if (track.muted()) {
            return;
        }
        int levelId = track.audioLevelExtensionId();
        if (levelId > 0 && track.speakerActivity() != null) {
            track.speakerActivity().onLevel(AudioLevelExtension.level(packet, levelId), nowNanos);
        }
        long ssrc = packet.ssrc();
        int len = packet.length();
        // Video legs retransmit: the layer keeps the packet once, for the first leg that takes it,
        // and each leg only what it rewrote (ADR 0038).
        RetransmissionBuffer received = null;
        long receivedSequence = 0;
        for (Forwarder f : track.forwarders()) {
            RtpStreamRewriter rewriter = f.leg().rewriter();
            // Most legs take one layer of three: skip the copy for the others.
            if (rewriter.currentSource() != ssrc && rewriter.pendingSource() != ssrc) {
                continue;
            }
            if (received == null && track.kind() == TrackKind.VIDEO) {
                received = layer.receivedPackets(arrays);
                receivedSequence = received.storeReceived(packet, nowNanos);
            }
            System.arraycopy(packet.buffer(), packet.offset(), tx, 0, len);
            if (!outbound.wrap(tx, 0, len)) {
                return;
            }
            if (levelId > 0 && levelId != SdpTranslator.SUBSCRIBER_AUDIO_LEVEL_ID) {
                // Subscribers read the level under the id their offer named.
                ExtensionIds.swap(outbound, levelId, SdpTranslator.SUBSCRIBER_AUDIO_LEVEL_ID);
            }
            RewriteResult rewritten = f.leg().forward(outbound, nowNanos, received, receivedSequence);
            if (rewritten == RewriteResult.FORWARD) {
                f.sendStatistics().onPacketSent(outbound.sequenceNumber(), outbound.payloadLength());
                // The stamp replaces the extension block; the audio level stays for the speaking ring.
                int sendLength = f.subscriber().downlink().stamp(outbound, txCapacity, nowNanos,
                        levelId > 0 ? SdpTranslator.SUBSCRIBER_AUDIO_LEVEL_ID : 0);
                f.subscriber().subscriberTransport().sendRtp(tx, 0, sendLength);
            } else if (rewritten == RewriteResult.DROP_WAITING_FOR_KEYFRAME) {
                requestKeyframe(layer, nowNanos);
            }
        }
    }

    /**
     * A subscriber's NACK for the leg {@code f}: retransmits what the leg's caps allow. A NACK
     * that no retransmission can answer any more (the packet is gone from the cache, or was
     * retransmitted as often as allowed and is still missing; or it never reached us and
     * nothing repairs losses upstream) asks the publisher for a key frame, throttled per track:
     * otherwise the subscriber's decoder waits on the gap until it gives up by itself, which
     * Chromium does only after seconds of frozen video.
     */
    void onNack(Forwarder f, RtcpNack nack, long nowNanos) {
        counters.nacksIn.increment();
        RtpStreamRewriter rewriter = f.leg().rewriter();
        if (rewriter.currentSource() == RtpStreamRewriter.NO_SOURCE && rewriter.isWaitingForSwitchPoint()) {
            // Cut for congestion, or resuming (ADR 0031): the leg waits for a key frame, so nothing
            // sent before it is of use, and a retransmission would queue ahead of that key frame.
            return;
        }
        int count = nack.lostSequenceNumbers(sequenceNumbers);
        boolean unrepairable = false;
        for (int i = 0; i < count; i++) {
            if (rewriter.beforeSwitchPoint(sequenceNumbers[i])) {
                // Sent before the layer switch's key frame: the decoder has left that stream, and on
                // a congested downlink the copy would queue ahead of the new layer's frames.
                counters.rtxNotSent.increment();
                continue;
            }
            OutboundStream leg = f.leg();
            int len = leg.retransmit(sequenceNumbers[i], nowNanos, tx, 0);
            if (len > 0) {
                counters.rtxOut.increment();
                countCopy(leg.retransmitter().lastCopy());
                int sendLength = outbound.wrap(tx, 0, len)
                        ? f.subscriber().downlink().stamp(outbound, txCapacity, nowNanos) : len;
                f.subscriber().subscriberTransport().sendRtp(tx, 0, sendLength);
                continue;
            }
            counters.rtxNotSent.increment();
            Retransmitter.Refusal why = leg.lastRefusal();
            countRefusal(why);
            if (why.leavesGap() || why == Retransmitter.Refusal.NOT_HELD && !forwardedLayer(f).inbound().repairsLosses()) {
                unrepairable = true;
            }
        }
        if (unrepairable) {
            counters.unrepairableGapsDownstream.increment();
            requestKeyframe(forwardedLayer(f), nowNanos);
        }
    }

    /** The layer the leg forwards now (the lowest before it has chosen one). */
    private static TrackLayer forwardedLayer(Forwarder f) {
        TrackLayer layer = f.track().layerBySsrc(f.leg().rewriter().currentSource());
        return layer != null ? layer : f.track().layers()[0];
    }

    private void countCopy(int copy) {
        (copy <= 1 ? counters.rtxFirstCopies : copy == 2 ? counters.rtxSecondCopies : counters.rtxLaterCopies)
                .increment();
    }

    private void countRefusal(Retransmitter.Refusal why) {
        switch (why) {
            case NOT_HELD -> counters.rtxNotHeld.increment();
            case GONE -> counters.rtxGone.increment();
            case PER_PACKET_CAP -> counters.rtxPerPacketCap.increment();
            case WITHIN_RTT -> counters.rtxWithinRtt.increment();
            case BUDGET -> counters.rtxOverBudget.increment();
            case NOT_NEGOTIATED -> counters.rtxNotNegotiated.increment();
            case NONE -> { }
        }
    }

    /**
     * Sends {@code count} padding-only packets on {@code f}'s RTX stream, each stamped with the
     * transport-wide sequence number: a bandwidth probe (ADR 0021). No-op without negotiated RTX.
     */
    void sendPadding(Forwarder f, int count, long nowNanos) {
        Retransmitter retransmitter = f.leg().retransmitter();
        if (retransmitter == null) {
            return;
        }
        for (int i = 0; i < count; i++) {
            int len = retransmitter.writePadding(tx, 0, 0, DownlinkBandwidth.PADDING_BYTES);
            if (len == 0 || !outbound.wrap(tx, 0, len)) {
                return;
            }
            counters.paddingOut.increment();
            int sendLength = f.subscriber().downlink().stamp(outbound, txCapacity, nowNanos);
            f.subscriber().subscriberTransport().sendRtp(tx, 0, sendLength);
        }
    }

    /** Sends the NACK that {@code layer}'s receive side has due, if any. */
    void sendDueNacks(TrackLayer layer, long nowNanos) {
        if (layer.mediaSsrc() < 0) {
            return;
        }
        int count = layer.inbound().collectNacks(nowNanos, sequenceNumbers);
        if (count > 0) {
            counters.nacksOut.increment();
            layer.track().publisher().publisherTransport().sendNack(layer.mediaSsrc(), sequenceNumbers, count);
        }
        if (layer.inbound().takeAbandonedLosses()) {
            // Every subscriber of this layer now has a gap that only a key frame repairs.
            counters.unrepairableGapsUpstream.increment();
            requestKeyframe(layer, nowNanos);
        }
    }

    /** As {@link #requestKeyframe}, past the throttle's interval: a switch on congestion waits for it. */
    void requestKeyframeUrgently(TrackLayer layer, long nowNanos) {
        if (layer.track().kind() != TrackKind.VIDEO || layer.mediaSsrc() < 0) {
            return;
        }
        if (layer.inbound().admitUrgentKeyframeRequest(nowNanos)) {
            counters.keyframeRequests.increment();
            layer.track().publisher().publisherTransport().sendPli(layer.mediaSsrc());
        }
    }

    /** Asks {@code layer}'s publisher for a key frame of it, unless one was asked for too recently. */
    void requestKeyframe(TrackLayer layer, long nowNanos) {
        if (layer.track().kind() != TrackKind.VIDEO || layer.mediaSsrc() < 0) {
            return;
        }
        if (layer.inbound().admitKeyframeRequest(nowNanos)) {
            counters.keyframeRequests.increment();
            layer.track().publisher().publisherTransport().sendPli(layer.mediaSsrc());
        }
    }
}
