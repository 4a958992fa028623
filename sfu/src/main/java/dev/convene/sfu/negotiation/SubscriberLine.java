package dev.convene.sfu.negotiation;

import dev.convene.sfu.TrackKind;

/**
 * One m-line of a subscriber offer: a remote track sent to the client, or an idle slot kept
 * {@code inactive} for reuse (m-lines are never removed, RFC 8829 §5.2.2).
 *
 * @param codec what the m-line carries (for an idle slot, what it carried last or the kind's default)
 * @param streamId the msid stream id (the publishing participant), null for an idle slot
 * @param trackId the msid track id, null for an idle slot
 * @param rtxSsrc the SSRC retransmissions are sent with ({@code a=ssrc-group:FID ssrc rtxSsrc}), 0 for none
 */
public record SubscriberLine(String mid, TrackKind kind, Codec codec, String streamId, String trackId, long ssrc,
        long rtxSsrc) {

    public boolean idle() {
        return trackId == null;
    }
}
