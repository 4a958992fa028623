package dev.convene.media.core.rtcp;

import dev.convene.media.core.Bytes;
import java.util.Objects;

/**
 * Application-defined RTCP (RFC 3550 §6.7): a subtype, a four-character name, and data. Convene
 * uses name {@link #DOWNLINK_ESTIMATE} to tell a subscriber the SFU's estimate of its downlink
 * (one 64-bit bits-per-second value), so clients can show and test it; receivers that do not
 * know the name ignore the packet, as RFC 3550 asks.
 *
 * <pre>
 * |V=2|P| subtype |   PT=APP=204  |             length            |
 * |                           SSRC/CSRC                           |
 * |                          name (ASCII)                         |
 * |                   application-dependent data                ...
 * </pre>
 */
public final class RtcpApp {
    static final int FIXED_LENGTH = 12;
    /** "CVBW": the SFU's downlink estimate for the receiving subscriber; data is a 64-bit bits per second. */
    public static final int DOWNLINK_ESTIMATE = 'C' << 24 | 'V' << 16 | 'B' << 8 | 'W';
    public static final int DOWNLINK_ESTIMATE_LENGTH = FIXED_LENGTH + 8;

    private final RtcpPacket header = new RtcpPacket();

    public boolean wrap(RtcpPacket packet) {
        if (packet.buffer() == null || !header.wrap(packet.buffer(), packet.offset(), packet.length())
                || header.type() != RtcpPacket.APP || header.contentLength() < FIXED_LENGTH) {
            header.wrap(null, 0, 0);
            return false;
        }
        return true;
    }

    public int subtype() { return header.count(); }

    public long ssrc() { return Bytes.u32(header.buffer(), header.offset() + 4); }

    public int name() { return (int) Bytes.u32(header.buffer(), header.offset() + 8); }

    public int dataLength() { return header.contentLength() - FIXED_LENGTH; }

    /** The downlink estimate of a {@link #DOWNLINK_ESTIMATE} packet, or -1 if this is not one. */
    public long downlinkEstimate() {
        if (name() != DOWNLINK_ESTIMATE || dataLength() < 8) {
            return -1;
        }
        int at = header.offset() + FIXED_LENGTH;
        return Bytes.u32(header.buffer(), at) << 32 | Bytes.u32(header.buffer(), at + 4);
    }

    /** Writes a {@link #DOWNLINK_ESTIMATE} packet; returns its length. */
    public static int writeDownlinkEstimate(byte[] buf, int off, long ssrc, long bitsPerSecond) {
        Objects.checkFromIndexSize(off, DOWNLINK_ESTIMATE_LENGTH, buf.length);
        if (bitsPerSecond < 0) {
            throw new IllegalArgumentException("negative estimate " + bitsPerSecond);
        }
        RtcpPacket.writeHeader(buf, off, 0, RtcpPacket.APP, DOWNLINK_ESTIMATE_LENGTH);
        Bytes.put32(buf, off + 4, ssrc);
        Bytes.put32(buf, off + 8, DOWNLINK_ESTIMATE & 0xFFFFFFFFL);
        Bytes.put32(buf, off + 12, bitsPerSecond >>> 32);
        Bytes.put32(buf, off + 16, bitsPerSecond & 0xFFFFFFFFL);
        return DOWNLINK_ESTIMATE_LENGTH;
    }
}
