package dev.convene.sfu.net;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How long an RTP packet spends inside the SFU: from the demultiplexer handing it to its
 * transport to the protect-and-send of its last forwarded copy (so the slowest subscriber's
 * delay, which bounds every other's). Fixed buckets, because the packet path may not allocate:
 * one {@code System.nanoTime()} pair and an atomic increment per forwarded incoming packet.
 * Exported as cumulative counters ({@code convene_sfu_forward_delay_within_total{le_us=…}}) so a
 * load test can take quantiles over any window from two scrapes.
 */
public final class ForwardDelayHistogram {

    /** Upper bounds in microseconds; a last bucket holds everything above. */
    public static final long[] BOUNDS_MICROS = {5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000,
            100_000};

    private final AtomicLongArray counts = new AtomicLongArray(BOUNDS_MICROS.length + 1);

    public void record(long nanos) {
        long micros = nanos / 1_000;
        int i = 0;
        while (i < BOUNDS_MICROS.length && micros >= BOUNDS_MICROS[i]) {
            i++;
        }
        counts.incrementAndGet(i);
    }

    /** Packets whose delay was below {@code BOUNDS_MICROS[bucket]} (all packets for the last bucket). */
    public long cumulative(int bucket) {
        long sum = 0;
        for (int i = 0; i <= bucket; i++) {
            sum += counts.get(i);
        }
        return sum;
    }
}
