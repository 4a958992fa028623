package dev.convene.client;

/**
 * A track the SFU sends us on the subscriber connection: the m-line ({@code mid}) it came on,
 * whose it is (from the offer's {@code tracks}), and the SSRC the SFU sends it with (from
 * {@code a=ssrc}; -1 if the offer named none).
 */
public record RemoteTrack(String mid, String participantId, String trackId, String kind, String source, long ssrc) {
}
