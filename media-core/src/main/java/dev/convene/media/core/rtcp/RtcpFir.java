package dev.convene.media.core.rtcp;

import dev.convene.media.core.Bytes;
import java.util.Objects;

/**
 * Full intra request, PSFB FMT 4 (RFC 5104 §4.3.1): entries of (SSRC, command sequence
 * number); the header's media source SSRC is unused and written as 0.
 *
 * <pre>
 * |                              SSRC                             |
 * | Seq nr.       |    Reserved                                   |
 * </pre>
 */
public final class RtcpFir {
    static final int FIXED_LENGTH = 12;
    static final int FCI_LENGTH = 8;

    private final RtcpPacket header = new RtcpPacket();

    public boolean wrap(byte[] buf, int off, int len) {
        if (!header.wrap(buf, off, len) || !header.isFir() || header.contentLength() < FIXED_LENGTH
                || (header.contentLength() - FIXED_LENGTH) % FCI_LENGTH != 0) {
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

    public int entryCount() { return (header.contentLength() - FIXED_LENGTH) / FCI_LENGTH; }

    /** The SSRC of the sender asked for a decoder refresh point. */
    public long entrySsrc(int index) { return Bytes.u32(header.buffer(), entry(index)); }

    /** Command sequence number, 0–255; a repeated request keeps its number (RFC 5104 §4.3.1.1). */
    public int entrySequenceNumber(int index) { return header.buffer()[entry(index) + 4] & 0xFF; }

    private int entry(int index) {
        if (index < 0 || index >= entryCount()) {
            throw new IndexOutOfBoundsException(index);
        }
        return header.offset() + FIXED_LENGTH + FCI_LENGTH * index;
    }

    /** Writes a FIR with one entry at {@code buf[off]}; returns its length (20). */
    public static int write(byte[] buf, int off, long senderSsrc, long mediaSsrc, int sequenceNumber) {
        int length = FIXED_LENGTH + FCI_LENGTH;
        Objects.checkFromIndexSize(off, length, buf.length);
        RtcpPacket.writeHeader(buf, off, RtcpPacket.FMT_FIR, RtcpPacket.PSFB, length);
        Bytes.put32(buf, off + 4, senderSsrc);
        Bytes.put32(buf, off + 8, 0);
        Bytes.put32(buf, off + 12, mediaSsrc);
        Bytes.put32(buf, off + 16, (long) (sequenceNumber & 0xFF) << 24);
        return length;
    }
}
