package dev.convene.media.core;

/**
 * Big-endian reads and writes at an absolute index of a byte array.
 *
 * <p>Every index here is an absolute array index: callers add their own base offset
 * ({@code buf[off + field]}), and bounds are the caller's to check first. The views in this
 * module validate once in {@code wrap} and then read through these without checks.
 */
public final class Bytes {
    private Bytes() {}

    public static int u8(byte[] buf, int index) {
        return buf[index] & 0xFF;
    }

    public static int u16(byte[] buf, int index) {
        return (buf[index] & 0xFF) << 8 | buf[index + 1] & 0xFF;
    }

    public static int u24(byte[] buf, int index) {
        return (buf[index] & 0xFF) << 16 | (buf[index + 1] & 0xFF) << 8 | buf[index + 2] & 0xFF;
    }

    /** An unsigned 32-bit value, as a long in {@code [0, 2^32)}. */
    public static long u32(byte[] buf, int index) {
        return ((long) (buf[index] & 0xFF) << 24 | (buf[index + 1] & 0xFF) << 16
                | (buf[index + 2] & 0xFF) << 8 | buf[index + 3] & 0xFF);
    }

    public static void put8(byte[] buf, int index, int value) {
        buf[index] = (byte) value;
    }

    public static void put16(byte[] buf, int index, int value) {
        buf[index] = (byte) (value >>> 8);
        buf[index + 1] = (byte) value;
    }

    public static void put24(byte[] buf, int index, int value) {
        buf[index] = (byte) (value >>> 16);
        buf[index + 1] = (byte) (value >>> 8);
        buf[index + 2] = (byte) value;
    }

    /** Writes the low 32 bits of {@code value}. */
    public static void put32(byte[] buf, int index, long value) {
        buf[index] = (byte) (value >>> 24);
        buf[index + 1] = (byte) (value >>> 16);
        buf[index + 2] = (byte) (value >>> 8);
        buf[index + 3] = (byte) value;
    }

    /** True when {@code [off, off + len)} lies inside {@code buf}; never overflows. */
    public static boolean inBounds(byte[] buf, int off, int len) {
        return buf != null && off >= 0 && len >= 0 && off <= buf.length - len;
    }
}
