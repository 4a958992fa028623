package dev.convene.media.transport.srtp;

/**
 * A sliding replay window over packet indices (RFC 3711 §3.3.2): remembers which of the
 * last {@code size} indices below the highest one were accepted. The bitmap is a ring
 * indexed by {@code index mod size}, so advancing costs only the bits it uncovers.
 */
final class ReplayWindow {
    private final long[] bits;
    private final int mask;
    private long highest = -1;

    /** @param size a power of two, at least 64 */
    ReplayWindow(int size) {
        if (size < 64 || Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException("replay window must be a power of two >= 64: " + size);
        }
        bits = new long[size / 64];
        mask = size - 1;
    }

    /** The highest accepted index, or -1 before the first. */
    long highest() {
        return highest;
    }

    /** Whether {@code index} is neither too old nor already accepted. */
    boolean isFresh(long index) {
        if (index > highest) {
            return true;
        }
        if (highest - index > mask) {
            return false;
        }
        int pos = (int) (index & mask);
        return (bits[pos >>> 6] & (1L << pos)) == 0;
    }

    /** Records {@code index} as received; call only after the packet authenticated. */
    void accept(long index) {
        if (index > highest) {
            if (highest < 0 || index - highest > mask) {
                java.util.Arrays.fill(bits, 0L);
            } else {
                for (long i = highest + 1; i < index; i++) {
                    int pos = (int) (i & mask);
                    bits[pos >>> 6] &= ~(1L << pos);
                }
            }
            highest = index;
        }
        int pos = (int) (index & mask);
        bits[pos >>> 6] |= 1L << pos;
    }
}
