package dev.convene.media.core.rtcp;

import dev.convene.media.core.Bytes;
import java.util.Objects;

/**
 * Receiver estimated maximum bitrate: PSFB FMT 15 with the "REMB" identifier
 * (draft-alvestrand-rmcat-remb-03 §2.2). The bitrate is mantissa × 2^exponent bits/s.
 *
 * <pre>
 * |V=2|P| FMT=15  |   PT=206      |             length            |
 * |                  SSRC of packet sender                        |
 * |                  SSRC of media source (0)                     |
 * |  Unique identifier 'R' 'E' 'M' 'B'                            |
 * |  Num SSRC     | BR Exp    |  BR Mantissa                      |
 * |   SSRC feedback                                               |
 * </pre>
 */
public final class RtcpRemb {
    static final int FIXED_LENGTH = 20;
    static final int MAX_MANTISSA = 0x3FFFF;

    private final RtcpPacket header = new RtcpPacket();

    public boolean wrap(byte[] buf, int off, int len) {
        if (!header.wrap(buf, off, len) || !header.isRemb() || header.contentLength() < FIXED_LENGTH
                || FIXED_LENGTH + 4 * (buf[off + 16] & 0xFF) > header.contentLength()) {
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

    public int exponent() { return (header.buffer()[header.offset() + 17] & 0xFF) >>> 2; }

    public int mantissa() { return Bytes.u24(header.buffer(), header.offset() + 17) & MAX_MANTISSA; }

    /** Bits per second; saturates at {@link Long#MAX_VALUE} for exponents past what a long holds. */
    public long bitrate() {
        long mantissa = mantissa();
        int exponent = exponent();
        if (mantissa == 0) {
            return 0;
        }
        return exponent > Long.numberOfLeadingZeros(mantissa) - 1 ? Long.MAX_VALUE : mantissa << exponent;
    }

    public int ssrcCount() { return header.buffer()[header.offset() + 16] & 0xFF; }

    public long ssrc(int index) {
        if (index < 0 || index >= ssrcCount()) {
            throw new IndexOutOfBoundsException(index);
        }
        return Bytes.u32(header.buffer(), header.offset() + FIXED_LENGTH + 4 * index);
    }

    public static int length(int ssrcCount) {
        return FIXED_LENGTH + 4 * ssrcCount;
    }

    /**
     * Writes a REMB for {@code ssrcs[0..count)} (at most 255) at {@code buf[off]}; returns its
     * length. The bitrate is rounded down to an 18-bit mantissa with the smallest exponent.
     */
    public static int write(byte[] buf, int off, long senderSsrc, long bitrate, long[] ssrcs, int count) {
        if (bitrate < 0) {
            throw new IllegalArgumentException("negative bitrate " + bitrate);
        }
        if (count < 0 || count > 255) {
            throw new IllegalArgumentException("REMB carries 0-255 SSRCs, got " + count);
        }
        Objects.checkFromIndexSize(0, count, ssrcs.length);
        int length = length(count);
        Objects.checkFromIndexSize(off, length, buf.length);
        int exponent = 0;
        while (bitrate >>> exponent > MAX_MANTISSA) {
            exponent++;
        }
        long mantissa = bitrate >>> exponent;
        RtcpPacket.writeHeader(buf, off, RtcpPacket.FMT_AFB, RtcpPacket.PSFB, length);
        Bytes.put32(buf, off + 4, senderSsrc);
        Bytes.put32(buf, off + 8, 0);
        buf[off + 12] = 'R';
        buf[off + 13] = 'E';
        buf[off + 14] = 'M';
        buf[off + 15] = 'B';
        buf[off + 16] = (byte) count;
        Bytes.put24(buf, off + 17, exponent << 18 | (int) mantissa);
        for (int i = 0; i < count; i++) {
            Bytes.put32(buf, off + FIXED_LENGTH + 4 * i, ssrcs[i]);
        }
        return length;
    }
}
