package dev.convene.sdp;

/**
 * {@code a=ssrc:<ssrc> <attribute>[:<value>]} (RFC 5576), e.g.
 * {@code 2810214802 cname:lfUSpPvI+GtETQp8} or {@code 2810214802 msid:<stream> <track>}.
 *
 * @param value the attribute value, or {@code null} when there is none
 */
public record SsrcAttribute(long ssrc, String attribute, String value) {
    public static final long MAX_SSRC = 0xFFFF_FFFFL;

    public SsrcAttribute {
        if (ssrc < 0 || ssrc > MAX_SSRC) {
            throw new IllegalArgumentException("SSRC must be 0.." + MAX_SSRC + ", was " + ssrc);
        }
        Syntax.requireToken(attribute, "ssrc attribute name");
        if (attribute.indexOf(':') >= 0) {
            throw new IllegalArgumentException("ssrc attribute name must not contain ':', was " + Syntax.show(attribute));
        }
        if (value != null) {
            Syntax.requireLineText(value, "ssrc attribute value");
        }
    }

    public static SsrcAttribute parse(String text) throws SdpParseException {
        int space = text.indexOf(' ');
        if (space < 0) {
            throw new SdpParseException("malformed ssrc " + Syntax.show(text) + ": expected <ssrc> <attribute>[:<value>]");
        }
        long ssrc = Syntax.unsigned(text.substring(0, space), MAX_SSRC, "SSRC");
        String rest = text.substring(space + 1);
        int colon = rest.indexOf(':');
        String name = colon < 0 ? rest : rest.substring(0, colon);
        if (!Syntax.isToken(name)) {
            throw new SdpParseException("malformed ssrc " + Syntax.show(text) + ": bad attribute name");
        }
        return new SsrcAttribute(ssrc, name, colon < 0 ? null : rest.substring(colon + 1));
    }

    public String toValue() {
        return ssrc + " " + attribute + (value == null ? "" : ":" + value);
    }

    public Attribute toAttribute() {
        return Attribute.of("ssrc", toValue());
    }
}
