package dev.convene.media.core.rtcp;

import dev.convene.media.core.Bytes;

/**
 * Transport-wide congestion control feedback, RTPFB FMT 15
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1). Only recognized here: the fixed
 * fields are exposed, the packet status chunks are left to the bandwidth estimator.
 *
 * <pre>
 * |      base sequence number     |      packet status count      |
 * |                 reference time                | fb pkt. count |
 * </pre>
 */
public final class RtcpTransportFeedback {
    static final int FIXED_LENGTH = 20;

    private final RtcpPacket header = new RtcpPacket();

    public boolean wrap(byte[] buf, int off, int len) {
        if (!header.wrap(buf, off, len) || !header.isTransportCc() || header.contentLength() < FIXED_LENGTH) {
            header.wrap(null, 0, 0);
            return false;
        }
        return true;
    }

    public boolean wrap(RtcpPacket packet) {
        return packet.buffer() != null && wrap(packet.buffer(), packet.offset(), packet.length());
    }

    public RtcpPacket packet() { return header; }

    public long senderSsrc() { return header.senderSsrc(); }

    public long mediaSsrc() { return header.mediaSsrc(); }

    public int baseSequenceNumber() { return Bytes.u16(header.buffer(), header.offset() + 12); }

    public int packetStatusCount() { return Bytes.u16(header.buffer(), header.offset() + 14); }

    /** Signed 24-bit, in multiples of 64 ms. */
    public int referenceTime() { return Bytes.u24(header.buffer(), header.offset() + 16) << 8 >> 8; }

    public int feedbackPacketCount() { return header.buffer()[header.offset() + 19] & 0xFF; }
}
