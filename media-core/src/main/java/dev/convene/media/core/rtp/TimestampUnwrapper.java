package dev.convene.media.core.rtp;

/**
 * Turns 32-bit RTP timestamps into a 64-bit extended value that never wraps.
 *
 * <p>Each value is placed within ±2^31 of the highest value seen so far; the first value maps
 * to itself. Not thread-safe: one per stream.
 */
public final class TimestampUnwrapper {
    private long highest;
    private boolean started;

    /** The extended value of {@code timestamp} (its low 32 bits are used). */
    public long unwrap(long timestamp) {
        long ts = timestamp & 0xFFFFFFFFL;
        if (!started) {
            started = true;
            highest = ts;
            return ts;
        }
        long extended = highest + (int) (ts - (highest & 0xFFFFFFFFL));
        if (extended > highest) {
            highest = extended;
        }
        return extended;
    }

    public long highest() { return highest; }

    public boolean started() { return started; }

    public void reset() {
        started = false;
        highest = 0;
    }
}
