package dev.convene.client;

/**
 * The send instant {@link FakeMediaSource} writes into the last 8 bytes of every RTP packet's
 * payload: {@code System.nanoTime()}, big-endian. On one machine every JVM reads the same
 * monotonic clock, so a receiver subtracts it from its own arrival time to get the one-way
 * latency through the SFU, which forwards payloads untouched.
 */
public final class SendStamp {

    public static final int LENGTH = 8;

    private SendStamp() {
    }

    /** Writes {@code nanos} into {@code buf[end - 8, end)}. */
    public static void write(byte[] buf, int end, long nanos) {
        for (int i = 1; i <= LENGTH; i++) {
            buf[end - i] = (byte) nanos;
            nanos >>>= 8;
        }
    }

    /** Reads the stamp that ends at {@code end}. */
    public static long read(byte[] buf, int end) {
        long v = 0;
        for (int i = end - LENGTH; i < end; i++) {
            v = (v << 8) | (buf[i] & 0xFF);
        }
        return v;
    }
}
