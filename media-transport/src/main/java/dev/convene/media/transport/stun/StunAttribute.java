package dev.convene.media.transport.stun;

import java.util.Arrays;
import java.util.HexFormat;

/** One attribute as it appeared on the wire: its type and its value without padding. */
public record StunAttribute(int type, byte[] value) {

    public StunAttribute {
        if (type < 0 || type > 0xFFFF) {
            throw new IllegalArgumentException("attribute type out of range: " + type);
        }
        if (value.length > 0xFFFF) {
            throw new IllegalArgumentException("attribute value too long: " + value.length);
        }
        value = value.clone();
    }

    /** A copy of the value. */
    @Override
    public byte[] value() {
        return value.clone();
    }

    int length() {
        return value.length;
    }

    byte valueAt(int i) {
        return value[i];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StunAttribute a && a.type == type && Arrays.equals(a.value, value);
    }

    @Override
    public int hashCode() {
        return 31 * type + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return String.format("StunAttribute[0x%04x, %s]", type, HexFormat.of().formatHex(value));
    }
}
