package dev.convene.media.core.rtp;

/**
 * Turns 16-bit RTP sequence numbers into a 64-bit extended count that never wraps.
 *
 * <p>Each value is placed within ±2^15 of the highest value seen so far, so reordered and
 * late packets land before it and a wrap from 65535 to 0 moves forward. The first value
 * maps to itself; a packet reordered before it may map below zero. Not thread-safe: one per
 * stream, confined to its event loop.
 */
public final class SequenceNumberUnwrapper {
    private long highest;
    private boolean started;

    /** The extended value of {@code sequenceNumber} (its low 16 bits are used). */
    public long unwrap(int sequenceNumber) {
        int seq = sequenceNumber & 0xFFFF;
        if (!started) {
            started = true;
            highest = seq;
            return seq;
        }
        long extended = highest + (short) (seq - (int) (highest & 0xFFFF));
        if (extended > highest) {
            highest = extended;
        }
        return extended;
    }

    /** The highest extended value returned so far; meaningless before the first {@link #unwrap}. */
    public long highest() { return highest; }

    public boolean started() { return started; }

    public void reset() {
        started = false;
        highest = 0;
    }
}
