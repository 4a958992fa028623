package dev.convene.media.core.rtcp;

import dev.convene.media.core.Bytes;
import java.util.Objects;

/**
 * Receiver report, PT 201 (RFC 3550 §6.4.2): the sender's SSRC, then RC report blocks.
 *
 * <pre>
 * |V=2|P|    RC   |   PT=RR=201   |             length            |
 * |                     SSRC of packet sender                     |
 * |                 report blocks (24 bytes each) ...             |
 * </pre>
 */
public final class RtcpReceiverReport extends ReceptionReports {
    static final int FIXED_LENGTH = 8;

    public boolean wrap(byte[] buf, int off, int len) {
        return wrap(buf, off, len, RtcpPacket.RR, FIXED_LENGTH);
    }

    public boolean wrap(RtcpPacket packet) {
        return packet.buffer() != null && wrap(packet.buffer(), packet.offset(), packet.length());
    }

    /**
     * Writes an RR's header at {@code buf[off]} for {@code blockCount} blocks the caller wrote
     * (or writes) at {@code buf[off + length(i)]}, so that no block records are needed; returns
     * the RR's length. At most 31 blocks.
     */
    public static int writeHeader(byte[] buf, int off, long senderSsrc, int blockCount) {
        if (blockCount < 0 || blockCount > 31) {
            throw new IllegalArgumentException("an RR carries 0 to 31 report blocks: " + blockCount);
        }
        int length = length(blockCount);
        Objects.checkFromIndexSize(off, length, buf.length);
        RtcpPacket.writeHeader(buf, off, blockCount, RtcpPacket.RR, length);
        Bytes.put32(buf, off + 4, senderSsrc);
        return length;
    }

    /** Bytes {@link #write} needs for {@code blockCount} report blocks. */
    public static int length(int blockCount) {
        return FIXED_LENGTH + RtcpReportBlock.LENGTH * blockCount;
    }

    /** Writes an RR at {@code buf[off]}; returns its length. At most 31 blocks. */
    public static int write(byte[] buf, int off, long senderSsrc, RtcpReportBlock... blocks) {
        checkBlockCount(blocks);
        int length = length(blocks.length);
        Objects.checkFromIndexSize(off, length, buf.length);
        RtcpPacket.writeHeader(buf, off, blocks.length, RtcpPacket.RR, length);
        Bytes.put32(buf, off + 4, senderSsrc);
        writeBlocks(buf, off + FIXED_LENGTH, blocks);
        return length;
    }
}
