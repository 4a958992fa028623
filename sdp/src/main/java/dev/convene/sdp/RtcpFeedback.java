package dev.convene.sdp;

/**
 * {@code a=rtcp-fb:<payload type|*> <type> [<parameter>]} (RFC 4585), e.g.
 * {@code 96 nack pli}, {@code 96 ccm fir}, {@code * transport-cc}.
 *
 * @param payloadType the payload type, or {@link #WILDCARD} for all of the m-line's formats
 * @param parameter   the rest after the type, or {@code null}
 */
public record RtcpFeedback(int payloadType, String type, String parameter) {
    /** {@code *}: the feedback applies to every payload type of the m-line. */
    public static final int WILDCARD = -1;

    public RtcpFeedback {
        if (payloadType != WILDCARD) {
            RtpMap.requirePayloadType(payloadType);
        }
        Syntax.requireToken(type, "rtcp-fb type");
        if (parameter != null) {
            Syntax.requireLineText(parameter, "rtcp-fb parameter");
            if (parameter.isEmpty()) {
                throw new IllegalArgumentException("rtcp-fb parameter must be null or non-empty");
            }
        }
    }

    public static RtcpFeedback of(int payloadType, String type) {
        return new RtcpFeedback(payloadType, type, null);
    }

    public static RtcpFeedback parse(String value) throws SdpParseException {
        int space = value.indexOf(' ');
        if (space < 0) {
            throw new SdpParseException("malformed rtcp-fb " + Syntax.show(value) + ": expected <payload type|*> <type> [<parameter>]");
        }
        String ptText = value.substring(0, space);
        int pt = "*".equals(ptText) ? WILDCARD : RtpMap.payloadType(ptText);
        String rest = value.substring(space + 1);
        int next = rest.indexOf(' ');
        String type = next < 0 ? rest : rest.substring(0, next);
        String parameter = next < 0 ? null : rest.substring(next + 1);
        if (!Syntax.isToken(type) || (parameter != null && parameter.isEmpty())) {
            throw new SdpParseException("malformed rtcp-fb " + Syntax.show(value) + ": expected <payload type|*> <type> [<parameter>]");
        }
        return new RtcpFeedback(pt, type, parameter);
    }

    public boolean isWildcard() {
        return payloadType == WILDCARD;
    }

    /** True if this feedback is for the given payload type, directly or through {@code *}. */
    public boolean appliesTo(int pt) {
        return payloadType == WILDCARD || payloadType == pt;
    }

    /** The same feedback for another payload type. */
    public RtcpFeedback withPayloadType(int pt) {
        return new RtcpFeedback(pt, type, parameter);
    }

    public String toValue() {
        return (isWildcard() ? "*" : Integer.toString(payloadType)) + " " + type
                + (parameter == null ? "" : " " + parameter);
    }

    public Attribute toAttribute() {
        return Attribute.of("rtcp-fb", toValue());
    }
}
