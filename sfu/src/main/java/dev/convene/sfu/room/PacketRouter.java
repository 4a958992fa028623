package dev.convene.sfu.room;

import dev.convene.media.core.rtcp.RtcpNack;
import dev.convene.media.core.rtp.RtpPacket;
import dev.convene.media.routing.InboundStream;
import dev.convene.media.routing.RewriteResult;
import dev.convene.sfu.TrackKind;
import dev.convene.sfu.net.MediaCounters;

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

    PacketRouter(MediaCounters counters, byte[] tx) {
        this.counters = counters;
        this.tx = tx;
    }

    /** A publisher's RTP packet of {@code track}; {@code packet} views the plaintext receive buffer. */
    void onPublisherRtp(PublishedTrack track, RtpPacket packet, long nowNanos) {
        boolean retransmission = track.inbound().isRtx(packet);
        InboundStream.Result result = track.inbound().onRtp(packet, nowNanos);
        if (retransmission) {
            counters.rtxIn.increment();
        }
        if (result != InboundStream.Result.ROUTE) {
            counters.droppedRtx.increment();
            return;
        }
        if (track.muted()) {
            return;
        }
        int len = packet.length();
        for (Forwarder f : track.forwarders()) {
            System.arraycopy(packet.buffer(), packet.offset(), tx, 0, len);
            if (!outbound.wrap(tx, 0, len)) {
                return;
            }
            RewriteResult rewritten = f.leg().forward(outbound, nowNanos);
            if (rewritten == RewriteResult.FORWARD) {
                f.subscriber().subscriberTransport().sendRtp(tx, 0, len);
            } else if (rewritten == RewriteResult.DROP_WAITING_FOR_KEYFRAME) {
                requestKeyframe(track, nowNanos);
            }
        }
    }

    /** A subscriber's NACK for the leg {@code f}: retransmits what the leg's caps allow. */
    void onNack(Forwarder f, RtcpNack nack, long nowNanos) {
        counters.nacksIn.increment();
        int count = nack.lostSequenceNumbers(sequenceNumbers);
        for (int i = 0; i < count; i++) {
            int len = f.leg().retransmit(sequenceNumbers[i], nowNanos, tx, 0);
            if (len > 0) {
                counters.rtxOut.increment();
                f.subscriber().subscriberTransport().sendRtp(tx, 0, len);
            } else {
                counters.rtxNotSent.increment();
            }
        }
    }

    /** Sends the NACK that {@code track}'s receive side has due, if any. */
    void sendDueNacks(PublishedTrack track, long nowNanos) {
        if (track.mediaSsrc() < 0) {
            return;
        }
        int count = track.inbound().collectNacks(nowNanos, sequenceNumbers);
        if (count > 0) {
            counters.nacksOut.increment();
            track.publisher().publisherTransport().sendNack(track.mediaSsrc(), sequenceNumbers, count);
        }
    }

    /** Asks {@code track}'s publisher for a key frame, unless one was asked for too recently. */
    void requestKeyframe(PublishedTrack track, long nowNanos) {
        if (track.kind() != TrackKind.VIDEO || track.mediaSsrc() < 0) {
            return;
        }
        if (track.inbound().admitKeyframeRequest(nowNanos)) {
            counters.keyframeRequests.increment();
            track.publisher().publisherTransport().sendPli(track.mediaSsrc());
        }
    }
}
