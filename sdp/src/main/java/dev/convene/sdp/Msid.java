package dev.convene.sdp;

import java.util.List;

/**
 * {@code a=msid:<stream id> [<track id>]} (RFC 8830). Chromium writes {@code -} as the
 * stream id of a track without a stream; Convene uses participant id and track id.
 *
 * @param trackId the application data (track id), or {@code null} when absent
 */
public record Msid(String streamId, String trackId) {
    public Msid {
        Syntax.requireToken(streamId, "msid stream id");
        if (trackId != null) {
            Syntax.requireToken(trackId, "msid track id");
        }
    }

    public static Msid parse(String value) throws SdpParseException {
        List<String> f = Syntax.fields(value, "msid");
        if (f.size() > 2) {
            throw new SdpParseException("malformed msid " + Syntax.show(value) + ": expected <stream id> [<track id>]");
        }
        return new Msid(f.get(0), f.size() == 2 ? f.get(1) : null);
    }

    public String toValue() {
        return trackId == null ? streamId : streamId + " " + trackId;
    }

    public Attribute toAttribute() {
        return Attribute.of("msid", toValue());
    }
}
