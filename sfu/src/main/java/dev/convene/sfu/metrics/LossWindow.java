package dev.convene.sfu.metrics;

/**
 * Packets expected and lost over the last few report intervals, for a loss-ratio gauge that
 * says how the node is doing now rather than since it started. Written on the media loop,
 * read by the metrics scrape: synchronized, touched a few times a second.
 */
final class LossWindow {
    private final long[] expected;
    private final long[] lost;
    private int current;

    LossWindow(int buckets) {
        expected = new long[buckets];
        lost = new long[buckets];
    }

    synchronized void add(long expectedPackets, long lostPackets) {
        expected[current] += expectedPackets;
        lost[current] += lostPackets;
    }

    /** Starts a new bucket, forgetting the oldest. */
    synchronized void roll() {
        current = (current + 1) % expected.length;
        expected[current] = 0;
        lost[current] = 0;
    }

    /** Lost ÷ expected over the window; 0 when nothing was expected. */
    synchronized double ratio() {
        long e = 0;
        long l = 0;
        for (int i = 0; i < expected.length; i++) {
            e += expected[i];
            l += lost[i];
        }
        return e == 0 ? 0 : (double) l / e;
    }
}
