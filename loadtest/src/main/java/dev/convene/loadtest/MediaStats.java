package dev.convene.loadtest;

import java.util.concurrent.atomic.LongAdder;

/**
 * What every subscribing bot measured, summed: one-way latency of each RTP packet from its
 * {@link dev.convene.client.SendStamp} (all bots, and per second of the run for the charts),
 * packets received and expected from sequence numbers (loss), per kind, and RFC 3550 jitter.
 * Shared by all bots' reader threads; nothing here allocates per packet.
 */
public final class MediaStats {

    private final long originNanos;
    private final LatencyHistogram[] perSecond;
    private volatile boolean measuring;
    private final LatencyHistogram window = new LatencyHistogram();
    final LongAdder audioReceived = new LongAdder();
    final LongAdder videoReceived = new LongAdder();
    final LongAdder expected = new LongAdder();
    final LongAdder received = new LongAdder();
    final LongAdder negativeLatencies = new LongAdder();
    /** Sum and count of per-stream jitter values (µs) sampled at each packet during the window. */
    final LongAdder jitterSumMicros = new LongAdder();
    final LongAdder jitterSamples = new LongAdder();
    private final LatencyHistogram jitter = new LatencyHistogram();

    /** @param maxSeconds how many seconds of the run the per-second histograms cover (later ones go to the last) */
    public MediaStats(long originNanos, int maxSeconds) {
        this.originNanos = originNanos;
        this.perSecond = new LatencyHistogram[Math.max(1, maxSeconds)];
        for (int i = 0; i < perSecond.length; i++) {
            perSecond[i] = new LatencyHistogram();
        }
    }

    /** From now on packets count towards the report's window (before: warm-up, charts only). */
    public void startWindow() {
        measuring = true;
    }

    public void stopWindow() {
        measuring = false;
    }

    void onLatency(long arrivalNanos, long latencyNanos) {
        if (latencyNanos < 0) {
            negativeLatencies.increment();
            return;
        }
        long micros = latencyNanos / 1_000;
        int second = (int) Math.min(perSecond.length - 1, Math.max(0, (arrivalNanos - originNanos) / 1_000_000_000L));
        perSecond[second].record(micros);
        if (measuring) {
            window.record(micros);
        }
    }

    void onJitter(long micros) {
        if (measuring) {
            jitter.record(micros);
            jitterSumMicros.add(micros);
            jitterSamples.increment();
        }
    }

    boolean measuring() {
        return measuring;
    }

    public LatencyHistogram window() {
        return window;
    }

    public LatencyHistogram jitter() {
        return jitter;
    }

    public LatencyHistogram second(int s) {
        return perSecond[Math.min(perSecond.length - 1, Math.max(0, s))];
    }
}
