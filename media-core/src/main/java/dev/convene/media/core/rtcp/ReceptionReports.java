package dev.convene.media.core.rtcp;

import dev.convene.media.core.Bytes;

/** The report-block accessors SR and RR share; {@code index} is below {@link #reportBlockCount()}. */
abstract sealed class ReceptionReports permits RtcpSenderReport, RtcpReceiverReport {
    final RtcpPacket header = new RtcpPacket();
    /** Absolute index of the first report block. */
    int blocksOffset;

    /**
     * Wraps the first packet of {@code buf[off..off+len)} if it has {@code type} and room for
     * {@code fixedLength} bytes plus RC report blocks.
     */
    final boolean wrap(byte[] buf, int off, int len, int type, int fixedLength) {
        if (!header.wrap(buf, off, len) || header.type() != type
                || fixedLength + RtcpReportBlock.LENGTH * header.count() > header.contentLength()) {
            header.wrap(null, 0, 0);
            return false;
        }
        blocksOffset = off + fixedLength;
        return true;
    }

    public final RtcpPacket packet() { return header; }

    /** The reporter's SSRC. */
    public final long ssrc() { return Bytes.u32(header.buffer(), header.offset() + 4); }

    public final int reportBlockCount() { return header.count(); }

    public final long blockSsrc(int index) { return Bytes.u32(header.buffer(), block(index)); }

    public final int blockFractionLost(int index) { return RtcpReportBlock.fractionLost(header.buffer(), block(index)); }

    public final int blockCumulativeLost(int index) { return RtcpReportBlock.cumulativeLost(header.buffer(), block(index)); }

    public final long blockExtendedHighestSequenceNumber(int index) { return Bytes.u32(header.buffer(), block(index) + 8); }

    public final long blockJitter(int index) { return Bytes.u32(header.buffer(), block(index) + 12); }

    public final long blockLastSenderReport(int index) { return Bytes.u32(header.buffer(), block(index) + 16); }

    public final long blockDelaySinceLastSenderReport(int index) { return Bytes.u32(header.buffer(), block(index) + 20); }

    /** The block as a value; allocates, so not for the per-packet path. */
    public final RtcpReportBlock reportBlock(int index) { return RtcpReportBlock.read(header.buffer(), block(index)); }

    private int block(int index) {
        if (index < 0 || index >= header.count()) {
            throw new IndexOutOfBoundsException(index);
        }
        return blocksOffset + RtcpReportBlock.LENGTH * index;
    }

    static int writeBlocks(byte[] buf, int at, RtcpReportBlock[] blocks) {
        for (RtcpReportBlock block : blocks) {
            at += block.write(buf, at);
        }
        return at;
    }

    static void checkBlockCount(RtcpReportBlock[] blocks) {
        if (blocks.length > 31) {
            throw new IllegalArgumentException("at most 31 report blocks fit one packet, got " + blocks.length);
        }
    }
}
