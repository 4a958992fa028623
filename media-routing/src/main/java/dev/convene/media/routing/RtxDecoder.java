package dev.convene.media.routing;

import dev.convene.media.core.rtp.RtpPacket;
import dev.convene.media.core.rtp.RtxPacket;

/**
 * Recognises a publisher's retransmissions (RFC 4588, by the negotiated RTX payload type) and
 * restores the original packet in place, so the rest of the path sees an ordinary packet of the
 * media stream. Not thread-safe.
 */
public final class RtxDecoder implements PipelineStage {

    private final int rtxPayloadType;
    private final int mediaPayloadType;
    private long decoded;
    private long paddingOnly;

    /** @param rtxPayloadType -1 when RTX is not negotiated: nothing is decoded */
    public RtxDecoder(int rtxPayloadType, int mediaPayloadType) {
        this.rtxPayloadType = rtxPayloadType;
        this.mediaPayloadType = mediaPayloadType;
    }

    public boolean isRtx(RtpPacket packet) {
        return rtxPayloadType >= 0 && packet.payloadType() == rtxPayloadType;
    }

    /** Decodes an RTX packet in place; false for one with no original inside (padding only). */
    public boolean decode(RtpPacket packet, long mediaSsrc) {
        if (!RtxPacket.decode(packet, mediaPayloadType, mediaSsrc)) {
            paddingOnly++;
            return false;
        }
        decoded++;
        return true;
    }

    public int rtxPayloadType() { return rtxPayloadType; }

    public long decoded() { return decoded; }

    public long paddingOnly() { return paddingOnly; }

    @Override
    public String name() {
        return "rtx_decoder";
    }

    @Override
    public void appendCounters(CounterSink sink) {
        sink.counter("decoded", decoded);
        sink.counter("padding_only", paddingOnly);
    }
}
