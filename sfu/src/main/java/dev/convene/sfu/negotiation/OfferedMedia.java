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
 * @param rtxSsrcs the RTX SSRCs paired with media SSRCs by {@code a=ssrc-group:FID}
 * @param extensionIds header extension ids by URI
 * @param layers the simulcast streams, lowest resolution first; empty without simulcast
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
        List<Long> rtxSsrcs,
        Map<String, Integer> extensionIds,
        List<OfferedLayer> layers) {

    public static final String SDES_MID_URI = "urn:ietf:params:rtp-hdrext:sdes:mid";
    public static final String AUDIO_LEVEL_URI = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
    public static final String RID_URI = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
    public static final String REPAIRED_RID_URI = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";
    public static final String TRANSPORT_CC_URI = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";

    /** The publisher's RTX payload type for {@code codec} ({@code a=fmtp:<pt> apt=<codec's pt>}), or -1. */
    public int rtxPayloadTypeFor(Codec codec) {
        String apt = "apt=" + codec.payloadType();
        for (Codec c : codecs) {
            if (c.is("rtx") && c.clockRate() == codec.clockRate() && c.fmtp() != null
                    && java.util.Arrays.stream(c.fmtp().split(";")).map(String::strip).anyMatch(apt::equals)) {
                return c.payloadType();
            }
        }
        return -1;
    }

    /** The id of the {@code sdes:mid} header extension, or 0 if not offered. */
    public int midExtensionId() {
        return extensionIds.getOrDefault(SDES_MID_URI, 0);
    }

    /** The id of the {@code rtp-stream-id} (rid) header extension, or 0 if not offered. */
    public int ridExtensionId() {
        return extensionIds.getOrDefault(RID_URI, 0);
    }

    /** The id of the {@code repaired-rtp-stream-id} header extension (on RTX packets), or 0. */
    public int repairedRidExtensionId() {
        return extensionIds.getOrDefault(REPAIRED_RID_URI, 0);
    }

    /** Whether the streams are named by rid (answered with {@code a=rid:… recv} and {@code a=simulcast:recv}). */
    public boolean ridSimulcast() {
        return !layers.isEmpty() && layers.getFirst().rid() != null;
    }
}
