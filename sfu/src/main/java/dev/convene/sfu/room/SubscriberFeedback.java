package dev.convene.sfu.room;

import dev.convene.media.core.rtcp.RtcpCompoundIterator;
import dev.convene.media.core.rtcp.RtcpFir;
import dev.convene.media.core.rtcp.RtcpNack;
import dev.convene.media.core.rtcp.RtcpPacket;
import dev.convene.media.core.rtcp.RtcpRemb;
import dev.convene.media.core.rtcp.RtcpTransportFeedback;

/**
 * Finds what a subscriber asks of the SFU in a compound RTCP packet: key frames (PLI, FIR),
 * retransmissions (generic NACK), and what its downlink carries (transport-cc feedback, REMB).
 * Allocation-free; confined to the media loop.
 */
final class SubscriberFeedback {

    /** Receives the requests, by the media SSRC the subscriber names (one the SFU sends). */
    interface Handler {
        void onKeyframeRequest(long mediaSsrc);

        /** {@code nack} is valid only during the call. */
        void onNack(long mediaSsrc, RtcpNack nack);

        /** {@code feedback} is valid only during the call. */
        void onTransportFeedback(RtcpTransportFeedback feedback);

        void onRemb(long bitsPerSecond);
    }

    private final RtcpCompoundIterator iterator = new RtcpCompoundIterator();
    private final RtcpFir fir = new RtcpFir();
    private final RtcpNack nack = new RtcpNack();
    private final RtcpTransportFeedback transportFeedback = new RtcpTransportFeedback();
    private final RtcpRemb remb = new RtcpRemb();

    void read(byte[] buf, int off, int len, Handler handler) {
        iterator.reset(buf, off, len);
        while (iterator.next()) {
            RtcpPacket packet = iterator.packet();
            if (packet.isPli()) {
                handler.onKeyframeRequest(packet.mediaSsrc());
            } else if (packet.isFir() && fir.wrap(packet)) {
                for (int i = 0; i < fir.entryCount(); i++) {
                    handler.onKeyframeRequest(fir.entrySsrc(i));
                }
            } else if (packet.isNack() && nack.wrap(packet)) {
                handler.onNack(nack.mediaSsrc(), nack);
            } else if (packet.isTransportCc() && transportFeedback.wrap(packet)) {
                handler.onTransportFeedback(transportFeedback);
            } else if (packet.isRemb() && remb.wrap(packet)) {
                handler.onRemb(remb.bitrate());
            }
        }
    }
}
