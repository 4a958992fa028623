package dev.convene.client;

/**
 * What arrived on one SSRC of a transport, after SRTP: a snapshot.
 *
 * @param ssrc               the RTP SSRC
 * @param payloadType        the payload type of the last packet
 * @param packets            packets that authenticated
 * @param payloadBytes       RTP payload bytes of those packets
 * @param lastSequenceNumber the sequence number of the last packet, -1 before the first
 * @param keyframes          VP8 keyframe starts seen (0 for non-VP8 payload types)
 * @param lastKeyframeWidth  the picture width of the last VP8 key frame, 0 before one: which simulcast layer arrives
 */
public record ReceivedStream(long ssrc, int payloadType, long packets, long payloadBytes, int lastSequenceNumber,
        long keyframes, int lastKeyframeWidth) {

    public static final ReceivedStream NONE = new ReceivedStream(-1, -1, 0, 0, -1, 0, 0);

    /** The sum of two streams' counts (for totals per participant and kind). */
    public ReceivedStream plus(ReceivedStream other) {
        return new ReceivedStream(ssrc, payloadType, packets + other.packets, payloadBytes + other.payloadBytes,
                other.lastSequenceNumber >= 0 ? other.lastSequenceNumber : lastSequenceNumber,
                keyframes + other.keyframes, other.lastKeyframeWidth > 0 ? other.lastKeyframeWidth : lastKeyframeWidth);
    }
}
