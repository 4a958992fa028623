package dev.convene.sfu.room;

import dev.convene.media.core.rtcp.RtcpCompoundIterator;
import dev.convene.media.core.rtcp.RtcpFir;
import dev.convene.media.core.rtcp.RtcpPacket;
import java.util.function.LongConsumer;

/** Finds the keyframe requests (PLI, FIR) in a compound RTCP packet from a subscriber. */
final class KeyframeRequests {

    private final RtcpCompoundIterator iterator = new RtcpCompoundIterator();
    private final RtcpFir fir = new RtcpFir();

    /** Calls {@code mediaSsrcConsumer} with the media SSRC of every PLI and FIR entry. */
    void forEach(byte[] buf, int off, int len, LongConsumer mediaSsrcConsumer) {
        iterator.reset(buf, off, len);
        while (iterator.next()) {
            RtcpPacket packet = iterator.packet();
            if (packet.isPli()) {
                mediaSsrcConsumer.accept(packet.mediaSsrc());
            } else if (packet.isFir() && fir.wrap(packet)) {
                for (int i = 0; i < fir.entryCount(); i++) {
                    mediaSsrcConsumer.accept(fir.entrySsrc(i));
                }
            }
        }
    }
}
