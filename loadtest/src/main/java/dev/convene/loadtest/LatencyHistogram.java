package dev.convene.loadtest;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Microsecond values in log-linear buckets (16 per power of two, so at most 6 % off), safe to
 * record from many reader threads at once and without allocating: bots record every packet.
 */
public final class LatencyHistogram {

    private static final int LINEAR = 32;
    private static final int SUB = 16;
    private static final int BUCKETS = LINEAR + 40 * SUB;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

    public void record(long micros) {
        counts.incrementAndGet(index(Math.max(0, micros)));
    }

    static int index(long v) {
        if (v < LINEAR) {
            return (int) v;
        }
        int msb = 63 - Long.numberOfLeadingZeros(v);
        int shift = msb - 4;
        int i = LINEAR + (msb - 5) * SUB + (int) ((v >>> shift) - SUB);
        return Math.min(i, BUCKETS - 1);
    }

    /** The middle of a bucket's range, the value a quantile in it reports. */
    static double value(int index) {
        if (index < LINEAR) {
            return index;
        }
        int k = index - LINEAR;
        int shift = k / SUB + 1;
        long low = (long) (k % SUB + SUB) << shift;
        return low + (1L << shift) / 2.0;
    }

    public long count() {
        long n = 0;
        for (int i = 0; i < BUCKETS; i++) {
            n += counts.get(i);
        }
        return n;
    }

    /** The value at quantile {@code q} (0..1) in microseconds; NaN when empty. */
    public double quantile(double q) {
        long n = count();
        if (n == 0) {
            return Double.NaN;
        }
        long rank = (long) Math.ceil(q * n);
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts.get(i);
            if (seen >= Math.max(1, rank)) {
                return value(i);
            }
        }
        return value(BUCKETS - 1);
    }

    public double max() {
        for (int i = BUCKETS - 1; i >= 0; i--) {
            if (counts.get(i) > 0) {
                return value(i);
            }
        }
        return Double.NaN;
    }
}
