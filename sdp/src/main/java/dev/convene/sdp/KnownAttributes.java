package dev.convene.sdp;

/**
 * Checks the syntax of the attributes this model has typed accessors for, so a description
 * that parsed (or was built) never fails later in an accessor. Other attributes pass as
 * they are.
 */
final class KnownAttributes {
    private KnownAttributes() {}

    static void check(Attribute a) throws SdpParseException {
        String v = a.value();
        switch (a.name()) {
            case "rtpmap" -> RtpMap.parse(required(a));
            case "fmtp" -> Fmtp.parse(required(a));
            case "rtcp-fb" -> RtcpFeedback.parse(required(a));
            case "extmap" -> Extmap.parse(required(a));
            case "ssrc" -> SsrcAttribute.parse(required(a));
            case "ssrc-group" -> SsrcGroup.parse(required(a));
            case "msid" -> Msid.parse(required(a));
            case "rid" -> Rid.parse(required(a));
            case "simulcast" -> Simulcast.parse(required(a));
            case "candidate" -> Candidate.parse(required(a));
            case "fingerprint" -> Fingerprint.parse(required(a));
            case "setup" -> Setup.parse(required(a));
            case "group" -> Group.parse(required(a));
            case "mid", "ice-ufrag", "ice-pwd" -> {
                if (!Syntax.isToken(v)) {
                    throw new SdpParseException("a=" + a.name() + " needs a value without spaces, was " + Syntax.show(v));
                }
            }
            case "ice-options" -> Syntax.fields(required(a), "ice-options");
            default -> { }
        }
    }

    private static String required(Attribute a) throws SdpParseException {
        if (a.value() == null || a.value().isEmpty()) {
            throw new SdpParseException("a=" + a.name() + " needs a value");
        }
        return a.value();
    }

    /** For accessors: the value was checked when the description was made. */
    static <T> T checked(ValueParser<T> parser, String value) {
        try {
            return parser.parse(value);
        } catch (SdpParseException e) {
            throw new IllegalStateException("attribute passed validation but does not parse: " + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    interface ValueParser<T> {
        T parse(String value) throws SdpParseException;
    }
}
