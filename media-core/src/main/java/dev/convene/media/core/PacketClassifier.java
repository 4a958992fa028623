package dev.convene.media.core;

/**
 * Tells STUN, DTLS, RTP and RTCP apart on one UDP port by their first bytes.
 *
 * <p>RFC 7983 §7: first byte 0–3 is STUN, 20–63 DTLS, 128–191 RTP or RTCP (16–19 ZRTP and
 * 64–79 TURN channels are not used by Convene and come out {@link PacketKind#UNKNOWN}).
 * RFC 5761 §4: RTP and RTCP are told apart by the second byte; RTCP packet types 192–223
 * are never RTP payload types with the marker bit either way, so 192–223 means RTCP.
 *
 * <p>This only routes the datagram: the view it goes to validates the rest.
 */
public final class PacketClassifier {
    private PacketClassifier() {}

    public static PacketKind classify(byte[] buf, int off, int len) {
        if (!Bytes.inBounds(buf, off, len) || len == 0) {
            return PacketKind.UNKNOWN;
        }
        int first = buf[off] & 0xFF;
        if (first <= 3) {
            return PacketKind.STUN;
        }
        if (first >= 20 && first <= 63) {
            return PacketKind.DTLS;
        }
        if (first >= 128 && first <= 191) {
            if (len < 2) {
                return PacketKind.UNKNOWN;
            }
            int second = buf[off + 1] & 0xFF;
            return second >= 192 && second <= 223 ? PacketKind.RTCP : PacketKind.RTP;
        }
        return PacketKind.UNKNOWN;
    }
}
