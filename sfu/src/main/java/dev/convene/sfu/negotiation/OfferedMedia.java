package dev.convene.sfu.negotiation;

import dev.convene.sfu.TrackKind;
import java.util.List;
import java.util.Map;

/**
 * One m-line of a publisher's offer, reduced to what the SFU decides on.
 *
 * @param mediaType, proto, formats the m= line as offered, to echo when rejecting it
 * @param kind null for media the SFU does not forward (e.g. a data channel)
 * @param sending whether the client sends on it (sendonly or sendrecv, port not 0)
 * @param ssrcs the primary media SSRCs announced by {@code a=ssrc} (RTX SSRCs left out)
 * @param extensionIds header extension ids by URI
 */
public record OfferedMedia(
        String mid,
        String mediaType,
        String proto,
        List<String> formats,
        TrackKind kind,
        boolean sending,
        List<Codec> codecs,
        List<Long> ssrcs,
        Map<String, Integer> extensionIds) {

    public static final String SDES_MID_URI = "urn:ietf:params:rtp-hdrext:sdes:mid";
    public static final String AUDIO_LEVEL_URI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";

    /** The id of the {@code sdes:mid} header extension, or 0 if not offered. */
    public int midExtensionId() {
        return extensionIds.getOrDefault(SDES_MID_URI, 0);
    }
}
