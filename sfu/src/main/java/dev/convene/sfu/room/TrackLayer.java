package dev.convene.sfu.room;

import dev.convene.media.routing.InboundStream;
import dev.convene.media.routing.PacketArrays;
import dev.convene.media.routing.RetransmissionBuffer;
import dev.convene.media.routing.rtcp.ReceiveStatistics;
import dev.convene.media.routing.rtcp.SourceSenderReport;
import dev.convene.media.routing.simulcast.SimulcastLayer;
import dev.convene.sfu.TrackKind;
import dev.convene.sfu.negotiation.Codec;
import dev.convene.sfu.negotiation.SfuCodecs;

/**
 * One RTP stream of a published track: the whole track without simulcast, one simulcast layer
 * with it. Each has its own receive stages (RTX restored per layer, NACKs and key frame
 * requests to its own SSRC), its RTCP statistics and what the allocator needs to know of it.
 * Confined to the media loop.
 */
final class TrackLayer {

    private final PublishedTrack track;
    private final int index;
    private final String rid;
    private final Codec codec;
    private final InboundStream inbound;
    private final SimulcastLayer state;
    /**
     * As a leg's buffer, with twice its slots: a layer's packets must outlive every leg's copy of
     * them (a leg stores a packet when it is received, so their ages agree), and a key frame's
     * burst must not push out packets a leg still holds a head of.
     */
    private static final RetransmissionBuffer.Settings RECEIVED_PACKETS = new RetransmissionBuffer.Settings(
            1024, 2 * 1024 * 1024, RetransmissionBuffer.Settings.defaults().maxAgeNanos(),
            RetransmissionBuffer.Settings.defaults().maxPacketSize());

    private RetransmissionBuffer receivedPackets;
    private long mediaSsrc = -1;
    private ReceiveStatistics receiveStatistics;
    private ReceiveStatistics networkStatistics;
    /** The latest SR's fields, kept as numbers: a record per SR would be garbage on the RTCP path. */
    private boolean hasSenderReport;
    private long senderReportSsrc;
    private long senderReportNtp;
    private long senderReportRtp;

    /** @param rid the layer's rid, or null (no simulcast, or SSRC-signalled simulcast) */
    TrackLayer(PublishedTrack track, int index, String rid, TrackKind kind, Codec codec, int rtxPayloadType) {
        this.track = track;
        this.index = index;
        this.rid = rid;
        this.codec = codec;
        boolean nack = kind == TrackKind.VIDEO && codec.feedback().contains("nack");
        this.inbound = new InboundStream(InboundStream.Config.of(SfuCodecs.mediaCodec(codec), codec.payloadType(),
                rtxPayloadType, nack));
        this.state = new SimulcastLayer(index, SfuCodecs.mediaCodec(codec));
    }

    PublishedTrack track() { return track; }

    int index() { return index; }

    String rid() { return rid; }

    InboundStream inbound() { return inbound; }

    /**
     * The layer's packets of about the last second as received, once for all the legs that
     * forward them: each leg's retransmission buffer keeps only what it rewrote (ADR 0038).
     * Made on the first packet, with arrays from the loop's pool.
     */
    RetransmissionBuffer receivedPackets(PacketArrays arrays) {
        if (receivedPackets == null) {
            receivedPackets = new RetransmissionBuffer(RECEIVED_PACKETS, arrays);
        }
        return receivedPackets;
    }

    SimulcastLayer state() { return state; }

    /** The SSRC the publisher sends this layer with, once known; -1 before. */
    long mediaSsrc() { return mediaSsrc; }

    void setMediaSsrc(long ssrc) {
        this.mediaSsrc = ssrc;
        inbound.setMediaSsrc(ssrc);
        this.receiveStatistics = new ReceiveStatistics(ssrc, codec.clockRate());
        this.networkStatistics = new ReceiveStatistics(ssrc, codec.clockRate());
        if (hasSenderReport && senderReportSsrc != ssrc) {
            hasSenderReport = false;
        }
    }

    /**
     * Statistics of the stream from {@link #mediaSsrc()} as routed, retransmissions restored
     * (what our RRs report); null before its first packet.
     */
    ReceiveStatistics receiveStatistics() { return receiveStatistics; }

    /** The same over original transmissions only: the uplink's own loss and jitter, for metrics. */
    ReceiveStatistics networkStatistics() { return networkStatistics; }

    /** Records the publisher's SR about {@code ssrc}; kept only while that is the layer's stream. */
    void onSenderReport(long ssrc, long ntpTimestamp, long rtpTimestamp, long arrivalNanos) {
        if (ssrc == mediaSsrc && receiveStatistics != null) {
            receiveStatistics.onSenderReport(ntpTimestamp, arrivalNanos);
            hasSenderReport = true;
            senderReportSsrc = ssrc;
            senderReportNtp = ntpTimestamp;
            senderReportRtp = rtpTimestamp;
        }
    }

    /** Whether the publisher sent an SR for the current stream; its fields follow. */
    boolean hasSenderReport() { return hasSenderReport; }

    long senderReportSsrc() { return senderReportSsrc; }

    long senderReportNtp() { return senderReportNtp; }

    long senderReportRtp() { return senderReportRtp; }

    /** The publisher's latest SR for the current stream, or null. */
    SourceSenderReport lastSenderReport() {
        return hasSenderReport ? new SourceSenderReport(senderReportSsrc, senderReportNtp, senderReportRtp) : null;
    }
}
