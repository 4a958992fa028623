package dev.convene.media.core.rtcp;

import dev.convene.media.core.Bytes;

/**
 * Goodbye, PT 203 (RFC 3550 §6.6): SC source SSRCs, then an optional length-prefixed reason.
 *
 * <pre>
 * |V=2|P|    SC   |   PT=BYE=203  |             length            |
 * |                           SSRC/CSRC                           |
 * :                              ...                              :
 * |     length    |               reason for leaving            ...
 * </pre>
 */
public final class RtcpBye {
    private final RtcpPacket header = new RtcpPacket();
    private int reasonOffset = -1;
    private int reasonLength = -1;

    /** Returns {@code false} unless a BYE whose SSRC list and reason (if any) fit its length. */
    public boolean wrap(byte[] buf, int off, int len) {
        if (!header.wrap(buf, off, len) || header.type() != RtcpPacket.BYE) {
            return fail();
        }
        int end = off + header.contentLength();
        int afterSsrcs = off + 4 + 4 * header.count();
        if (afterSsrcs > end) {
            return fail();
        }
        reasonOffset = -1;
        reasonLength = -1;
        if (afterSsrcs < end) {
            int reason = buf[afterSsrcs] & 0xFF;
            if (reason > end - afterSsrcs - 1) {
                return fail();
            }
            reasonOffset = afterSsrcs + 1;
            reasonLength = reason;
        }
        return true;
    }

    public boolean wrap(RtcpPacket packet) {
        return packet.buffer() != null && wrap(packet.buffer(), packet.offset(), packet.length());
    }

    private boolean fail() {
        header.wrap(null, 0, 0);
        reasonOffset = -1;
        reasonLength = -1;
        return false;
    }

    public RtcpPacket packet() { return header; }

    public int ssrcCount() { return header.count(); }

    public long ssrc(int index) {
        if (index < 0 || index >= header.count()) {
            throw new IndexOutOfBoundsException(index);
        }
        return Bytes.u32(header.buffer(), header.offset() + 4 + 4 * index);
    }

    /** Absolute index of the reason text (UTF-8) in the buffer, or -1 without one. */
    public int reasonOffset() { return reasonOffset; }

    /** Reason length in bytes, or -1 without one. */
    public int reasonLength() { return reasonLength; }
}
