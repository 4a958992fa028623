package dev.convene.media.core.rtcp;

import dev.convene.media.core.Bytes;

/**
 * Walks the packets of a compound RTCP packet (RFC 3550 §6.1) without allocating.
 *
 * <pre>{@code
 * iterator.reset(buf, off, len);
 * while (iterator.next()) {
 *     RtcpPacket packet = iterator.packet();
 *     ...
 * }
 * if (iterator.malformed()) { count and drop }
 * }</pre>
 *
 * <p>Iteration stops at the first packet that does not fit; packets before it have been seen.
 * The first-packet-must-be-SR/RR rule is not enforced, so reduced-size RTCP (RFC 5506) passes.
 */
public final class RtcpCompoundIterator {
    private final RtcpPacket packet = new RtcpPacket();
    private byte[] buf;
    private int next;
    private int end;
    private boolean malformed;

    public void reset(byte[] buffer, int offset, int length) {
        if (!Bytes.inBounds(buffer, offset, length)) {
            buf = null;
            next = end = 0;
            malformed = true;
            return;
        }
        buf = buffer;
        next = offset;
        end = offset + length;
        malformed = false;
    }

    /** Advances to the next packet; {@code false} at the end or on a malformed packet. */
    public boolean next() {
        if (buf == null || next >= end) {
            return false;
        }
        if (!packet.wrap(buf, next, end - next)) {
            malformed = true;
            next = end;
            return false;
        }
        next += packet.length();
        return true;
    }

    /** The current packet; valid after {@link #next()} returned {@code true}. */
    public RtcpPacket packet() { return packet; }

    /** True once a packet failed to parse (or the range given to {@link #reset} was invalid). */
    public boolean malformed() { return malformed; }
}
