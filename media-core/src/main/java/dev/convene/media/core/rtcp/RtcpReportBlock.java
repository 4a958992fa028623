package dev.convene.media.core.rtcp;

import dev.convene.media.core.Bytes;

/**
 * One reception report block of an SR or RR (RFC 3550 §6.4.1), as a value for writing and
 * for tests; readers use the index accessors of {@link RtcpSenderReport} and
 * {@link RtcpReceiverReport}, which do not allocate.
 *
 * @param ssrc                          the source this block reports on
 * @param fractionLost                  lost fraction since the last report, 0–255 (/256)
 * @param cumulativeLost                signed 24-bit: duplicates can make it negative
 * @param extendedHighestSequenceNumber cycles << 16 | highest sequence number received
 * @param jitter                        interarrival jitter in timestamp units
 * @param lastSenderReport              middle 32 bits of the last SR's NTP timestamp (LSR)
 * @param delaySinceLastSenderReport    DLSR in 1/65536 s
 */
public record RtcpReportBlock(long ssrc, int fractionLost, int cumulativeLost, long extendedHighestSequenceNumber,
                              long jitter, long lastSenderReport, long delaySinceLastSenderReport) {
    public static final int LENGTH = 24;

    /** Writes this block at {@code buf[off]}; returns {@value #LENGTH}. */
    public int write(byte[] buf, int off) {
        return write(buf, off, ssrc, fractionLost, cumulativeLost, extendedHighestSequenceNumber, jitter,
                lastSenderReport, delaySinceLastSenderReport);
    }

    /** Writes a block of these fields at {@code buf[off]} without a record; returns {@value #LENGTH}. */
    public static int write(byte[] buf, int off, long ssrc, int fractionLost, int cumulativeLost,
            long extendedHighestSequenceNumber, long jitter, long lastSenderReport, long delaySinceLastSenderReport) {
        Bytes.put32(buf, off, ssrc);
        buf[off + 4] = (byte) fractionLost;
        Bytes.put24(buf, off + 5, Math.max(-0x800000, Math.min(0x7FFFFF, cumulativeLost)));
        Bytes.put32(buf, off + 8, extendedHighestSequenceNumber);
        Bytes.put32(buf, off + 12, jitter);
        Bytes.put32(buf, off + 16, lastSenderReport);
        Bytes.put32(buf, off + 20, delaySinceLastSenderReport);
        return LENGTH;
    }

    static RtcpReportBlock read(byte[] buf, int at) {
        return new RtcpReportBlock(Bytes.u32(buf, at), fractionLost(buf, at), cumulativeLost(buf, at),
                Bytes.u32(buf, at + 8), Bytes.u32(buf, at + 12), Bytes.u32(buf, at + 16), Bytes.u32(buf, at + 20));
    }

    static int fractionLost(byte[] buf, int at) {
        return buf[at + 4] & 0xFF;
    }

    /** Sign-extends the 24-bit field. */
    static int cumulativeLost(byte[] buf, int at) {
        return Bytes.u24(buf, at + 5) << 8 >> 8;
    }
}
