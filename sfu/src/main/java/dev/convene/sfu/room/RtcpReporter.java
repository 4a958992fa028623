package dev.convene.sfu.room;

import dev.convene.media.core.rtcp.RtcpCompoundIterator;
import dev.convene.media.core.rtcp.RtcpPacket;
import dev.convene.media.core.rtcp.RtcpReceiverReport;
import dev.convene.media.core.rtcp.RtcpSenderReport;
import dev.convene.media.routing.rtcp.LocalNtpClock;
import dev.convene.media.routing.rtcp.ReceiveStatistics;
import dev.convene.media.routing.rtcp.RemoteClock;
import dev.convene.media.routing.rtcp.SenderReportMapper;
import dev.convene.media.routing.rtcp.SendStatistics;
import dev.convene.sfu.metrics.SfuMetrics;
import dev.convene.sfu.net.MediaSocket;
import dev.convene.sfu.transport.WebRtcTransport;

/**
 * One participant's RTCP feedback loop (RFC 3550 §6.4): reads the publisher's sender reports
 * and the subscriber's receiver reports, and once per interval writes receiver reports to the
 * publisher and sender reports to the subscriber. The statistics live with the streams
 * ({@link TrackLayer#receiveStatistics()}, {@link Forwarder#sendStatistics()}); this class
 * reads and writes the packets and feeds {@link SfuMetrics}. Confined to the media loop.
 */
final class RtcpReporter {

    /** Sender reports are packed into compound packets of at most this many bytes (below any path MTU). */
    static final int MAX_COMPOUND = 1200;
    /** RR blocks per packet: the RC field's limit. */
    private static final int MAX_BLOCKS = 31;

    private final RemoteClock publisherClock = new RemoteClock();
    private final RtcpCompoundIterator iterator = new RtcpCompoundIterator();
    private final RtcpSenderReport senderReport = new RtcpSenderReport();
    private final RtcpReceiverReport receiverReport = new RtcpReceiverReport();
    private final byte[] out = new byte[MAX_COMPOUND + MediaSocket.TRAILER_ROOM];

    /** The clock of this participant's sender reports, shared by all its published streams. */
    RemoteClock publisherClock() {
        return publisherClock;
    }

    /** SRs from the publisher: their mapping (for the SRs we send its subscribers) and LSR/DLSR. */
    void onPublisherRtcp(byte[] buf, int off, int len, SsrcTable<TrackLayer> tracksBySsrc, long nowNanos) {
        iterator.reset(buf, off, len);
        while (iterator.next()) {
            RtcpPacket packet = iterator.packet();
            if (packet.type() == RtcpPacket.SR && senderReport.wrap(packet)) {
                TrackLayer layer = tracksBySsrc.get(senderReport.ssrc());
                if (layer != null) {
                    publisherClock.onSenderReport(senderReport.ntpTimestamp(), nowNanos);
                    layer.onSenderReport(senderReport.ssrc(), senderReport.ntpTimestamp(), senderReport.rtpTimestamp(),
                            nowNanos);
                }
            }
        }
    }

    /** Report blocks from the subscriber (in its RRs, or SRs if it sends media): loss, jitter, RTT. */
    void onSubscriberRtcp(byte[] buf, int off, int len, SsrcTable<Forwarder> forwardersByOutputSsrc, SfuMetrics metrics,
            long nowNanos) {
        iterator.reset(buf, off, len);
        while (iterator.next()) {
            RtcpPacket packet = iterator.packet();
            if (packet.type() == RtcpPacket.RR && receiverReport.wrap(packet)) {
                for (int i = 0; i < receiverReport.reportBlockCount(); i++) {
                    readBlock(receiverReport.blockSsrc(i), receiverReport.blockFractionLost(i),
                            receiverReport.blockCumulativeLost(i), receiverReport.blockExtendedHighestSequenceNumber(i),
                            receiverReport.blockJitter(i), receiverReport.blockLastSenderReport(i),
                            receiverReport.blockDelaySinceLastSenderReport(i), forwardersByOutputSsrc, metrics, nowNanos);
                }
            } else if (packet.type() == RtcpPacket.SR && senderReport.wrap(packet)) {
                for (int i = 0; i < senderReport.reportBlockCount(); i++) {
                    readBlock(senderReport.blockSsrc(i), senderReport.blockFractionLost(i),
                            senderReport.blockCumulativeLost(i), senderReport.blockExtendedHighestSequenceNumber(i),
                            senderReport.blockJitter(i), senderReport.blockLastSenderReport(i),
                            senderReport.blockDelaySinceLastSenderReport(i), forwardersByOutputSsrc, metrics, nowNanos);
                }
            }
        }
    }

    /** One report block of an RR or SR, read in place: a block record per report would be garbage per RTCP packet. */
    private static void readBlock(long ssrc, int fractionLost, int cumulativeLost, long extendedHighest, long jitter,
            long lastSenderReport, long delaySinceLastSenderReport, SsrcTable<Forwarder> forwardersByOutputSsrc,
            SfuMetrics metrics, long nowNanos) {
        Forwarder f = forwardersByOutputSsrc.get(ssrc);
        if (f == null) {
            return;
        }
        SendStatistics stats = f.sendStatistics();
        long rtt = stats.readReportBlock(fractionLost, cumulativeLost, extendedHighest, jitter, lastSenderReport,
                delaySinceLastSenderReport, nowNanos);
        metrics.downstreamInterval(stats.lastIntervalExpected(), stats.lastIntervalLost(), stats.lastJitterNanos());
        if (rtt >= 0) {
            metrics.rtt(rtt);
            // The leg's retransmitter spaces repeated answers to the same NACK by it.
            f.leg().setRtt(rtt);
        }
    }

    /** One RR to the publisher with a block per stream it sends (none before its first packet). */
    void sendReceiverReports(PublishedTrack[] tracks, WebRtcTransport publisherTransport, SfuMetrics metrics,
            long nowNanos) {
        // Blocks are written in place after the header's room: a block record per stream per second was garbage.
        int blocks = 0;
        for (PublishedTrack track : tracks) {
            for (TrackLayer layer : track.layers()) {
                ReceiveStatistics stats = layer.receiveStatistics();
                if (stats != null && stats.hasPackets() && blocks < MAX_BLOCKS) {
                    stats.writeReportBlock(out, RtcpReceiverReport.length(blocks), nowNanos);
                    blocks++;
                }
                // The node's upstream loss is the network's, before NACK repair (the RR tells the publisher what is left).
                ReceiveStatistics network = layer.networkStatistics();
                if (network != null && network.hasPackets()) {
                    network.closeInterval();
                    metrics.upstreamInterval(network.lastIntervalExpected(), network.lastIntervalLost(), network.jitterNanos());
                }
            }
        }
        if (blocks > 0) {
            int len = RtcpReceiverReport.writeHeader(out, 0, WebRtcTransport.FEEDBACK_SSRC, blocks);
            publisherTransport.sendRtcp(out, 0, len);
        }
    }

    /**
     * An SR per stream sent to this subscriber whose publisher has sent an SR for the source
     * being forwarded, packed into compound packets.
     */
    void sendSenderReports(Forwarder[] forwarders, WebRtcTransport subscriberTransport, LocalNtpClock clock,
            long nowNanos) {
        long ntpNow = clock.ntp(nowNanos);
        int len = 0;
        for (Forwarder f : forwarders) {
            SendStatistics stats = f.sendStatistics();
            if (stats.packetsSent() == 0) {
                continue;
            }
            PublishedTrack track = f.track();
            TrackLayer layer = f.forwardedLayer();
            if (layer == null) {
                continue;
            }
            if (!layer.hasSenderReport()) {
                continue;
            }
            long rtp = SenderReportMapper.outputRtpTimestamp(layer.senderReportSsrc(), layer.senderReportNtp(),
                    layer.senderReportRtp(), track.publisher().rtcpReporter().publisherClock(), f.leg().rewriter(),
                    stats.clockRate(), nowNanos);
            if (rtp < 0) {
                continue;
            }
            if (len + RtcpSenderReport.length(0) > MAX_COMPOUND) {
                subscriberTransport.sendRtcp(out, 0, len);
                len = 0;
            }
            len += stats.writeSenderReport(out, len, ntpNow, rtp, nowNanos);
        }
        if (len > 0) {
            subscriberTransport.sendRtcp(out, 0, len);
        }
    }

    /** Tells the subscriber the SFU's estimate of its downlink (RTCP APP "CVBW", ADR 0021), once a second. */
    void sendDownlinkEstimate(WebRtcTransport subscriberTransport, long bitsPerSecond) {
        int len = dev.convene.media.core.rtcp.RtcpApp.writeDownlinkEstimate(out, 0, WebRtcTransport.FEEDBACK_SSRC,
                bitsPerSecond);
        subscriberTransport.sendRtcp(out, 0, len);
    }
}
