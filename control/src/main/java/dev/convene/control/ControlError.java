package dev.convene.control;

/** The {@code code} of an {@code error} reply; the wire name is stable, the message is for people. */
enum ControlError {
    /** Not JSON, not an object, a field missing or of the wrong type. */
    MALFORMED_FRAME("malformed_frame"),
    /** {@code v} is not a version this node speaks. */
    UNSUPPORTED_VERSION("unsupported_version"),
    /** A {@code type} this side does not accept. */
    UNKNOWN_TYPE("unknown_type"),
    /** The session is not (or no longer) open on this connection. */
    UNKNOWN_SESSION("unknown_session"),
    /** A {@code join} named a session id already in use on this connection. */
    DUPLICATE_SESSION("duplicate_session"),
    /** {@link dev.convene.sfu.SdpRejectedException}: the message is the SFU's. */
    SDP_REJECTED("sdp_rejected"),
    /** The SFU failed the call for another reason. */
    INTERNAL("internal");

    private final String wire;

    ControlError(String wire) {
        this.wire = wire;
    }

    String wire() {
        return wire;
    }

    static ControlError fromWire(String wire) {
        for (ControlError e : values()) {
            if (e.wire.equals(wire)) {
                return e;
            }
        }
        return INTERNAL;
    }
}
