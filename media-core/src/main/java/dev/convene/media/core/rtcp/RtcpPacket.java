package dev.convene.media.core.rtcp;

import dev.convene.media.core.Bytes;

/**
 * A reusable view of one RTCP packet (RFC 3550 §6.4) — one element of a compound packet.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P| RC/FMT  |      PT       |             length            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  SSRC of packet sender                        |
 * </pre>
 *
 * <p>{@link #wrap} takes the first packet of {@code buf[off..off+len)} and checks that its
 * length field fits; {@link #length()} is then that packet's own length, which may be less
 * than {@code len}. SSRCs are unsigned 32-bit values in a {@code long}; {@code ...Offset()}
 * methods return absolute indices into {@link #buffer()}.
 */
public final class RtcpPacket {
    public static final int SR = 200;
    public static final int RR = 201;
    public static final int SDES = 202;
    public static final int BYE = 203;
    public static final int APP = 204;
    /** Transport-layer feedback (RFC 4585 §6.2). */
    public static final int RTPFB = 205;
    /** Payload-specific feedback (RFC 4585 §6.3). */
    public static final int PSFB = 206;
    public static final int XR = 207;

    /** RTPFB FMT: generic NACK (RFC 4585 §6.2.1). */
    public static final int FMT_NACK = 1;
    /** RTPFB FMT: transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1). */
    public static final int FMT_TWCC = 15;
    /** PSFB FMT: picture loss indication (RFC 4585 §6.3.1). */
    public static final int FMT_PLI = 1;
    /** PSFB FMT: full intra request (RFC 5104 §4.3.1). */
    public static final int FMT_FIR = 4;
    /** PSFB FMT: application layer feedback, REMB among it (RFC 4585 §6.4). */
    public static final int FMT_AFB = 15;

    public static final int HEADER_LENGTH = 4;

    private byte[] buf;
    private int off;
    private int len;
    private int paddingLength;

    /**
     * Points this view at the first RTCP packet in {@code buf[off..off+len)}. Returns
     * {@code false} when fewer than 4 bytes remain, the version is not 2, the length field runs
     * past {@code len}, or the padding is zero or longer than the packet body.
     */
    public boolean wrap(byte[] buffer, int offset, int length) {
        int packetLength = packetLength(buffer, offset, length);
        if (packetLength < 0) {
            return clear();
        }
        int padding = 0;
        if ((buffer[offset] & 0x20) != 0) {
            padding = buffer[offset + packetLength - 1] & 0xFF;
            if (padding == 0 || padding > packetLength - HEADER_LENGTH) {
                return clear();
            }
        }
        this.buf = buffer;
        this.off = offset;
        this.len = packetLength;
        this.paddingLength = padding;
        return true;
    }

    /**
     * The length in bytes of the first RTCP packet in {@code buf[off..off+len)} according to its
     * header, or -1 if that header is malformed or the packet runs past {@code len}.
     */
    public static int packetLength(byte[] buf, int off, int len) {
        if (!Bytes.inBounds(buf, off, len) || len < HEADER_LENGTH || (buf[off] & 0xFF) >>> 6 != 2) {
            return -1;
        }
        int packetLength = 4 * (Bytes.u16(buf, off + 2) + 1);
        return packetLength <= len ? packetLength : -1;
    }

    private boolean clear() {
        buf = null;
        off = 0;
        len = 0;
        paddingLength = 0;
        return false;
    }

    public byte[] buffer() { return buf; }

    public int offset() { return off; }

    /** This packet's length in bytes, from its length field, padding included. */
    public int length() { return len; }

    public boolean hasPadding() { return (buf[off] & 0x20) != 0; }

    public int paddingLength() { return paddingLength; }

    /** The packet's length without its padding. */
    public int contentLength() { return len - paddingLength; }

    /** The 5-bit RC/SC/FMT field. */
    public int count() { return buf[off] & 0x1F; }

    /** Same field as {@link #count()}, named as feedback messages name it. */
    public int fmt() { return buf[off] & 0x1F; }

    public int type() { return buf[off + 1] & 0xFF; }

    /** The SSRC at bytes 4–7 (packet sender, or first chunk/source for SDES/BYE), or -1 if absent. */
    public long senderSsrc() {
        return contentLength() >= 8 ? Bytes.u32(buf, off + 4) : -1;
    }

    /** For feedback messages (RTPFB/PSFB), the media source SSRC at bytes 8–11, or -1. */
    public long mediaSsrc() {
        return contentLength() >= 12 ? Bytes.u32(buf, off + 8) : -1;
    }

    public boolean isFeedback(int type, int fmt) { return type() == type && fmt() == fmt; }

    public boolean isTransportCc() { return isFeedback(RTPFB, FMT_TWCC); }

    public boolean isNack() { return isFeedback(RTPFB, FMT_NACK); }

    public boolean isPli() { return isFeedback(PSFB, FMT_PLI); }

    public boolean isFir() { return isFeedback(PSFB, FMT_FIR); }

    /** PSFB/AFB carrying the "REMB" identifier (draft-alvestrand-rmcat-remb-03 §2.2). */
    public boolean isRemb() {
        return isFeedback(PSFB, FMT_AFB) && contentLength() >= 16
                && buf[off + 12] == 'R' && buf[off + 13] == 'E' && buf[off + 14] == 'M' && buf[off + 15] == 'B';
    }

    /** Writes the 4-byte common header; {@code length} is the whole packet's length in bytes. */
    static void writeHeader(byte[] buf, int off, int count, int type, int length) {
        buf[off] = (byte) (0x80 | count & 0x1F);
        buf[off + 1] = (byte) type;
        Bytes.put16(buf, off + 2, length / 4 - 1);
    }

    @Override
    public String toString() {
        return buf == null ? "RtcpPacket[empty]" : "RtcpPacket[type=" + type() + " count=" + count() + " len=" + len + "]";
    }
}
