package dev.convene.media.transport.stun;

/** The class of a STUN message (RFC 8489 §5): the two C bits of the message type. */
public enum StunClass {
    REQUEST(0b00),
    INDICATION(0b01),
    SUCCESS_RESPONSE(0b10),
    ERROR_RESPONSE(0b11);

    private final int bits;

    StunClass(int bits) {
        this.bits = bits;
    }

    int bits() {
        return bits;
    }

    static StunClass fromBits(int bits) {
        return values()[bits & 0b11];
    }
}
