package dev.convene.media.core.rtp;

import dev.convene.media.core.Bytes;
import java.util.Objects;

/**
 * The RTP retransmission payload format (RFC 4588 §4): an RTX packet carries the original
 * packet's payload behind a 2-byte original sequence number (OSN), on its own SSRC
 * (session-multiplexed, §8.1), payload type and sequence space. The RTP header, its CSRCs and
 * header extension are the original's; only PT, sequence number and SSRC change.
 *
 * <pre>
 * |                         RTP Header                            |
 * |            OSN                |                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               |
 * |                  Original RTP Packet Payload                  |
 * </pre>
 *
 * Both directions work in place or into a caller's buffer and allocate nothing.
 */
public final class RtxPacket {

    public static final int OSN_LENGTH = 2;

    private RtxPacket() {}

    /**
     * Writes the RTX form of {@code original} into {@code out[off..)}: its header with
     * {@code rtxPayloadType}, {@code rtxSequenceNumber} and {@code rtxSsrc}, then the OSN, then
     * its payload and padding. Returns the length written ({@code original.length() + 2}).
     */
    public static int encode(RtpPacket original, byte[] out, int off, int rtxPayloadType, int rtxSequenceNumber,
            long rtxSsrc) {
        int header = original.headerLength();
        int length = original.length() + OSN_LENGTH;
        Objects.checkFromIndexSize(off, length, out.length);
        byte[] src = original.buffer();
        int base = original.offset();
        int osn = original.sequenceNumber();
        // Payload first: out may overlap src only when the caller passes the same buffer and offset.
        System.arraycopy(src, base + header, out, off + header + OSN_LENGTH, original.length() - header);
        System.arraycopy(src, base, out, off, header);
        Bytes.put16(out, off + header, osn);
        out[off + 1] = (byte) (out[off + 1] & 0x80 | rtxPayloadType & 0x7F);
        Bytes.put16(out, off + 2, rtxSequenceNumber);
        Bytes.put32(out, off + 8, rtxSsrc);
        return length;
    }

    /**
     * Turns the RTX packet {@code packet} back into the original, in place: the OSN becomes the
     * sequence number, {@code mediaPayloadType} and {@code mediaSsrc} are restored, the payload
     * moves 2 bytes forward, and the view is re-wrapped 2 bytes shorter. Returns {@code false},
     * leaving the packet as it was, when it carries no OSN (RTX padding-only packets, which
     * senders use to probe bandwidth, have none).
     */
    public static boolean decode(RtpPacket packet, int mediaPayloadType, long mediaSsrc) {
        if (packet.payloadLength() < OSN_LENGTH) {
            return false;
        }
        byte[] buf = packet.buffer();
        int base = packet.offset();
        int payload = packet.payloadOffset();
        int length = packet.length();
        int osn = Bytes.u16(buf, payload);
        System.arraycopy(buf, payload + OSN_LENGTH, buf, payload, base + length - payload - OSN_LENGTH);
        packet.wrap(buf, base, length - OSN_LENGTH);
        packet.setSequenceNumber(osn);
        packet.setPayloadType(mediaPayloadType);
        packet.setSsrc(mediaSsrc);
        return true;
    }
}
