package dev.convene.media.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

/**
 * Fuzz-test placement of one input (docs/fuzzing.md): the same bytes are handed to a view three
 * times — filling an array exactly (so any read or write past either end throws), and at an odd
 * offset between sentinel bytes of two different values. What the view reports, and what it
 * writes inside the window, must be the same in all three; the sentinels must come back
 * untouched. A view that reads outside {@code [offset, offset + length)} sees different
 * sentinels and reports differently; one that writes there breaks a sentinel.
 */
public final class Framed {
    public static final int OFFSET = 7;
    private static final int TAIL = 9;
    private static final byte LOW = 0x00;
    private static final byte HIGH = (byte) 0xFF;

    private Framed() {}

    /** What a view makes of {@code buf[off, off+len)}; offsets in it must be relative to {@code off}. */
    @FunctionalInterface
    public interface Observer<T> {
        T observe(byte[] buf, int off, int len);
    }

    /**
     * Runs {@code observer} on {@code data} in all three placements and returns what it saw in
     * the exact one, after checking that all three saw, and left, the same.
     */
    public static <T> T check(byte[] data, Observer<T> observer) {
        byte[] exact = data.clone();
        T seen = observer.observe(exact, 0, exact.length);
        for (byte sentinel : new byte[] {LOW, HIGH}) {
            byte[] framed = frame(data, sentinel);
            T other = observer.observe(framed, OFFSET, data.length);
            assertThat(other).as("observation with sentinel %02x around the input", sentinel & 0xFF)
                    .isEqualTo(seen);
            assertSentinels(framed, data.length, sentinel);
            assertThat(Arrays.copyOfRange(framed, OFFSET, OFFSET + data.length))
                    .as("bytes inside the window after the view ran (sentinel %02x)", sentinel & 0xFF)
                    .isEqualTo(exact);
        }
        return seen;
    }

    private static byte[] frame(byte[] data, byte sentinel) {
        byte[] out = new byte[OFFSET + data.length + TAIL];
        Arrays.fill(out, sentinel);
        System.arraycopy(data, 0, out, OFFSET, data.length);
        return out;
    }

    private static void assertSentinels(byte[] framed, int length, byte sentinel) {
        for (int i = 0; i < framed.length; i++) {
            boolean inside = i >= OFFSET && i < OFFSET + length;
            if (!inside && framed[i] != sentinel) {
                throw new AssertionError("byte " + (i - OFFSET) + " relative to the window was written: "
                        + (framed[i] & 0xFF) + " instead of sentinel " + (sentinel & 0xFF));
            }
        }
    }

    /** Writes {@code buf[off..)} and returns the length written. */
    @FunctionalInterface
    public interface Writer {
        int write(byte[] buf, int off);
    }

    /**
     * Runs {@code writer} at an odd offset of buffers with room for {@code capacity} bytes,
     * between sentinels of two values; returns what it wrote after checking it wrote the same
     * both times, within {@code capacity}, and nothing around it.
     */
    public static byte[] write(int capacity, Writer writer) {
        byte[] first = null;
        for (byte sentinel : new byte[] {LOW, HIGH}) {
            byte[] out = new byte[OFFSET + capacity + TAIL];
            Arrays.fill(out, sentinel);
            int n = writer.write(out, OFFSET);
            assertThat(n).as("length written").isBetween(0, capacity);
            assertSentinels(out, n, sentinel);
            byte[] written = Arrays.copyOfRange(out, OFFSET, OFFSET + n);
            if (first == null) {
                first = written;
            } else {
                assertThat(written).as("written bytes do not depend on the buffer's old content").isEqualTo(first);
            }
        }
        return first;
    }
}
