package dev.convene.sdp;

import java.util.Locale;
import java.util.Optional;

/** The media direction attributes of RFC 8866 §6.7, seen from the side that wrote the SDP. */
public enum Direction {
    SENDRECV, SENDONLY, RECVONLY, INACTIVE;

    /** The attribute name, e.g. {@code "sendonly"}. */
    public String sdpName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The direction an answerer mirrors (RFC 3264 §6.1): sendonly ↔ recvonly. */
    public Direction reverse() {
        return switch (this) {
            case SENDONLY -> RECVONLY;
            case RECVONLY -> SENDONLY;
            default -> this;
        };
    }

    public boolean sends() {
        return this == SENDRECV || this == SENDONLY;
    }

    public boolean receives() {
        return this == SENDRECV || this == RECVONLY;
    }

    public Attribute toAttribute() {
        return Attribute.flag(sdpName());
    }

    /** The direction an attribute name stands for, if it is one of the four. */
    public static Optional<Direction> fromSdpName(String name) {
        return switch (name) {
            case "sendrecv" -> Optional.of(SENDRECV);
            case "sendonly" -> Optional.of(SENDONLY);
            case "recvonly" -> Optional.of(RECVONLY);
            case "inactive" -> Optional.of(INACTIVE);
            default -> Optional.empty();
        };
    }
}
