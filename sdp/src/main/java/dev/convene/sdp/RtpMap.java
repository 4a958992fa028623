package dev.convene.sdp;

/**
 * {@code a=rtpmap:<payload type> <encoding name>/<clock rate>[/<channels>]}, e.g.
 * {@code 111 opus/48000/2} or {@code 96 VP8/90000}.
 *
 * @param channels the encoding parameter (audio channels), or 0 when the line has none
 */
public record RtpMap(int payloadType, String encodingName, int clockRate, int channels) {
    public RtpMap {
        requirePayloadType(payloadType);
        Syntax.requireToken(encodingName, "encoding name");
        if (encodingName.indexOf('/') >= 0) {
            throw new IllegalArgumentException("encoding name must not contain '/': " + Syntax.show(encodingName));
        }
        if (clockRate <= 0) {
            throw new IllegalArgumentException("clock rate must be positive, was " + clockRate);
        }
        if (channels < 0) {
            throw new IllegalArgumentException("channels must not be negative, was " + channels);
        }
    }

    public static RtpMap of(int payloadType, String encodingName, int clockRate) {
        return new RtpMap(payloadType, encodingName, clockRate, 0);
    }

    public static RtpMap parse(String value) throws SdpParseException {
        int space = value.indexOf(' ');
        if (space < 0) {
            throw new SdpParseException("malformed rtpmap " + Syntax.show(value)
                    + ": expected <payload type> <encoding name>/<clock rate>[/<channels>]");
        }
        int pt = payloadType(value.substring(0, space));
        String encoding = value.substring(space + 1);
        String[] parts = encoding.split("/", -1);
        if (parts.length < 2 || parts.length > 3 || !Syntax.isToken(parts[0])) {
            throw new SdpParseException("malformed rtpmap " + Syntax.show(value)
                    + ": expected <payload type> <encoding name>/<clock rate>[/<channels>]");
        }
        int clock = Syntax.integer(parts[1], 1, Integer.MAX_VALUE, "rtpmap clock rate");
        int channels = parts.length == 3 ? Syntax.integer(parts[2], 1, 255, "rtpmap channels") : 0;
        return new RtpMap(pt, parts[0], clock, channels);
    }

    /** True for the given codec name (any case) and clock rate. */
    public boolean matches(String name, int rate) {
        return encodingName.equalsIgnoreCase(name) && clockRate == rate;
    }

    public String toValue() {
        return payloadType + " " + encodingName + "/" + clockRate + (channels > 0 ? "/" + channels : "");
    }

    public Attribute toAttribute() {
        return Attribute.of("rtpmap", toValue());
    }

    static int payloadType(String token) throws SdpParseException {
        return Syntax.integer(token, 0, 127, "payload type");
    }

    static void requirePayloadType(int pt) {
        if (pt < 0 || pt > 127) {
            throw new IllegalArgumentException("payload type must be 0..127, was " + pt);
        }
    }
}
