package dev.convene.media.core.rtcp;

import dev.convene.media.core.Bytes;
import java.util.Objects;

/**
 * Sender report, PT 200 (RFC 3550 §6.4.1).
 *
 * <pre>
 * |V=2|P|    RC   |   PT=SR=200   |             length            |
 * |                         SSRC of sender                        |
 * |              NTP timestamp, most significant word             |
 * |             NTP timestamp, least significant word             |
 * |                         RTP timestamp                         |
 * |                     sender's packet count                     |
 * |                      sender's octet count                     |
 * |                 report blocks (24 bytes each) ...             |
 * </pre>
 */
public final class RtcpSenderReport extends ReceptionReports {
    static final int FIXED_LENGTH = 28;

    public boolean wrap(byte[] buf, int off, int len) {
        return wrap(buf, off, len, RtcpPacket.SR, FIXED_LENGTH);
    }

    public boolean wrap(RtcpPacket packet) {
        return packet.buffer() != null && wrap(packet.buffer(), packet.offset(), packet.length());
    }

    /** The 64-bit NTP timestamp: seconds since 1900 in the high word, fraction in the low word. */
    public long ntpTimestamp() {
        return Bytes.u32(header.buffer(), header.offset() + 8) << 32 | Bytes.u32(header.buffer(), header.offset() + 12);
    }

    /** The middle 32 bits of the NTP timestamp: what receivers echo as LSR. */
    public long compactNtpTimestamp() {
        return ntpTimestamp() >>> 16 & 0xFFFFFFFFL;
    }

    public long rtpTimestamp() { return Bytes.u32(header.buffer(), header.offset() + 16); }

    public long packetCount() { return Bytes.u32(header.buffer(), header.offset() + 20); }

    public long octetCount() { return Bytes.u32(header.buffer(), header.offset() + 24); }

    /** Bytes {@link #write} needs for {@code blockCount} report blocks. */
    public static int length(int blockCount) {
        return FIXED_LENGTH + RtcpReportBlock.LENGTH * blockCount;
    }

    /** Writes an SR at {@code buf[off]}; returns its length. At most 31 blocks. */
    public static int write(byte[] buf, int off, long ssrc, long ntpTimestamp, long rtpTimestamp,
                            long packetCount, long octetCount, RtcpReportBlock... blocks) {
        checkBlockCount(blocks);
        int length = length(blocks.length);
        Objects.checkFromIndexSize(off, length, buf.length);
        RtcpPacket.writeHeader(buf, off, blocks.length, RtcpPacket.SR, length);
        Bytes.put32(buf, off + 4, ssrc);
        Bytes.put32(buf, off + 8, ntpTimestamp >>> 32);
        Bytes.put32(buf, off + 12, ntpTimestamp);
        Bytes.put32(buf, off + 16, rtpTimestamp);
        Bytes.put32(buf, off + 20, packetCount);
        Bytes.put32(buf, off + 24, octetCount);
        writeBlocks(buf, off + FIXED_LENGTH, blocks);
        return length;
    }
}
