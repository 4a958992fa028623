package dev.convene.sdp;

/**
 * {@code a=extmap:<id>[/<direction>] <uri> [<attributes>]} (RFC 8285), e.g.
 * {@code 1 urn:ietf:params:rtp-hdrext:ssrc-audio-level}.
 *
 * @param direction  the direction after the id, or {@code null} when the line has none
 * @param attributes extension attributes after the URI, or {@code null}
 */
public record Extmap(int id, Direction direction, String uri, String attributes) {
    public static final String AUDIO_LEVEL = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
    public static final String ABS_SEND_TIME = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
    public static final String TRANSPORT_CC = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
    public static final String SDES_MID = "urn:ietf:params:rtp-hdrext:sdes:mid";
    public static final String SDES_RTP_STREAM_ID = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
    public static final String SDES_REPAIRED_RTP_STREAM_ID = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";
    public static final String DEPENDENCY_DESCRIPTOR =
            "https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension";
    public static final String VIDEO_ORIENTATION = "urn:3gpp:video-orientation";

    /** RFC 8285 ids: 1–14 one-byte, up to 255 two-byte, 4096–4351 offerer-reserved. */
    private static final int MAX_ID = 4351;

    public Extmap {
        if (id < 1 || id > MAX_ID) {
            throw new IllegalArgumentException("extmap id must be 1.." + MAX_ID + ", was " + id);
        }
        Syntax.requireToken(uri, "extmap URI");
        if (attributes != null) {
            Syntax.requireLineText(attributes, "extmap attributes");
        }
    }

    public static Extmap of(int id, String uri) {
        return new Extmap(id, null, uri, null);
    }

    public static Extmap parse(String value) throws SdpParseException {
        int space = value.indexOf(' ');
        if (space < 0) {
            throw new SdpParseException("malformed extmap " + Syntax.show(value) + ": expected <id>[/<direction>] <uri>");
        }
        String idPart = value.substring(0, space);
        Direction direction = null;
        int slash = idPart.indexOf('/');
        if (slash >= 0) {
            String d = idPart.substring(slash + 1);
            direction = Direction.fromSdpName(d).orElseThrow(() ->
                    new SdpParseException("extmap direction " + Syntax.show(d) + " is not sendrecv, sendonly, recvonly or inactive"));
            idPart = idPart.substring(0, slash);
        }
        int id = Syntax.integer(idPart, 1, MAX_ID, "extmap id");
        String rest = value.substring(space + 1);
        int next = rest.indexOf(' ');
        String uri = next < 0 ? rest : rest.substring(0, next);
        if (!Syntax.isToken(uri)) {
            throw new SdpParseException("malformed extmap " + Syntax.show(value) + ": missing URI");
        }
        return new Extmap(id, direction, uri, next < 0 ? null : rest.substring(next + 1));
    }

    public String toValue() {
        return id + (direction == null ? "" : "/" + direction.sdpName()) + " " + uri
                + (attributes == null ? "" : " " + attributes);
    }

    public Attribute toAttribute() {
        return Attribute.of("extmap", toValue());
    }
}
