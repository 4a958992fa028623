package dev.convene.client;

/**
 * A track this client publishes: its publisher m-line, kind and source as the protocol names
 * them ({@code audio}/{@code video}, {@code microphone}/{@code camera}/…), its SSRC and
 * payload type, the SSRC of its retransmissions (0 for none), and the id the SFU gave it (null
 * until the answer).
 */
public record LocalTrack(String mid, String kind, String source, long ssrc, long rtxSsrc, int payloadType,
        String trackId) {

    public LocalTrack withTrackId(String id) {
        return new LocalTrack(mid, kind, source, ssrc, rtxSsrc, payloadType, id);
    }

    public LocalTrack withPayloadType(int pt) {
        return new LocalTrack(mid, kind, source, ssrc, rtxSsrc, pt, trackId);
    }
}
