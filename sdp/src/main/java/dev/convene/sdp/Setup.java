package dev.convene.sdp;

import java.util.Locale;

/** {@code a=setup} (RFC 4145, RFC 8842): which side starts the DTLS handshake. */
public enum Setup {
    ACTPASS, ACTIVE, PASSIVE, HOLDCONN;

    public String sdpName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public Attribute toAttribute() {
        return Attribute.of("setup", sdpName());
    }

    public static Setup parse(String value) throws SdpParseException {
        return switch (value) {
            case "actpass" -> ACTPASS;
            case "active" -> ACTIVE;
            case "passive" -> PASSIVE;
            case "holdconn" -> HOLDCONN;
            default -> throw new SdpParseException("setup " + Syntax.show(value)
                    + " is not one of actpass, active, passive, holdconn");
        };
    }
}
