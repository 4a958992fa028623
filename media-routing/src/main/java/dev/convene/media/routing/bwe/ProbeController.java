package dev.convene.media.routing.bwe;

/**
 * Decides when to probe a subscriber's downlink with padding, and how hard. An estimate only
 * grows past what is sent when more is sent, so before the allocator may move a subscriber up
 * (its wishes cost more than the estimate), the SFU adds padding up to a probe target for
 * {@link #PROBE_NANOS}: delivered without delay growth, the {@link BandwidthEstimator} takes the
 * delivered rate as its estimate; met with overuse or loss, it backs off and the next probe
 * waits longer. Targets double (at least +300 kbit/s), capped at 1.2 × what is wanted; until a
 * probe succeeds after a congestion cut they go only half as far again ({@link #CAUTIOUS_STEP_BPS}
 * at least), as the link was just measured (ADR 0031, addendum of 2026-12-04). Probing
 * never starts within {@link #QUIET_AFTER_DECREASE_NANOS} of a congestion cut, nor while the
 * path queues or loses ({@link BandwidthEstimator#queueing()}), and a probe that makes it queue
 * stops at once: padding into a bottleneck's full buffer only gets media dropped.
 * Allocation-free; not thread-safe.
 */
public final class ProbeController {

    static final long PROBE_NANOS = 700_000_000L;
    static final long AFTER_SUCCESS_NANOS = 800_000_000L;
    static final long AFTER_FAILURE_NANOS = 4_000_000_000L;
    static final long QUIET_AFTER_DECREASE_NANOS = 1_000_000_000L;
    /** The least a cautious probe (the first after a cut) adds to the estimate. */
    static final long CAUTIOUS_STEP_BPS = 100_000;

    private long probeEnd = Long.MIN_VALUE;
    private long nextProbe = Long.MIN_VALUE;
    private long targetBps;
    private long estimateAtStart;
    private boolean probing;
    private long probes;
    private long lastSuccessNanos = Long.MIN_VALUE;
    private long successes;

    /**
     * @param estimateBps   the estimate now
     * @param desiredBps    what the subscriber's wishes would cost with no budget limit
     * @param mediaBps      what its media legs send now
     * @param lastDecrease  {@link BandwidthEstimator#lastDecreaseNanos()}
     * @param queueing      {@link BandwidthEstimator#queueing()}: a probe neither starts nor goes on then
     * @return padding to send now, bits per second (0: none)
     */
    public long paddingBps(long nowNanos, long estimateBps, long desiredBps, long mediaBps, long lastDecrease,
            boolean queueing) {
        if (probing && stopIfQueueing(nowNanos, queueing)) {
            return 0;
        }
        if (probing) {
            if (nowNanos < probeEnd && lastDecrease < probeEnd - PROBE_NANOS) {
                return Math.max(0, targetBps - mediaBps);
            }
            probing = false;
            boolean success = estimateBps >= estimateAtStart + (targetBps - estimateAtStart) / 2;
            if (success) {
                successes++;
                lastSuccessNanos = nowNanos;
            }
            nextProbe = nowNanos + (success ? AFTER_SUCCESS_NANOS : AFTER_FAILURE_NANOS);
            return 0;
        }
        boolean quiet = lastDecrease == Long.MIN_VALUE || nowNanos - lastDecrease >= QUIET_AFTER_DECREASE_NANOS;
        if (desiredBps <= estimateBps + estimateBps / 20 || !quiet || queueing
                || nextProbe != Long.MIN_VALUE && nowNanos < nextProbe) {
            return 0;
        }
        probing = true;
        probes++;
        estimateAtStart = estimateBps;
        // Since a congestion cut no probe has found more: the link was just measured, and padding at
        // twice the estimate into a link barely above it fills its buffer and gets media dropped.
        // Half as far again is still a step up a layer; once one succeeds, targets double again.
        boolean cautious = lastDecrease != Long.MIN_VALUE && lastDecrease > lastSuccessNanos;
        long step = cautious ? Math.max(estimateBps / 2, CAUTIOUS_STEP_BPS) : Math.max(estimateBps, 300_000);
        targetBps = Math.min(desiredBps + desiredBps / 5, estimateBps + step);
        probeEnd = nowNanos + PROBE_NANOS;
        return Math.max(0, targetBps - mediaBps);
    }

    /**
     * Between plans (every feedback tick): ends a running probe as failed once the path queues
     * ({@link BandwidthEstimator#queueing()}), so its padding stops within a feedback or two of
     * filling the bottleneck, before the buffer is full and drops media.
     *
     * @return whether the probe was stopped now
     */
    public boolean stopIfQueueing(long nowNanos, boolean queueing) {
        if (!probing || !queueing) {
            return false;
        }
        probing = false;
        nextProbe = nowNanos + AFTER_FAILURE_NANOS;
        return true;
    }

    public boolean probing() { return probing; }

    public long probes() { return probes; }

    public long successes() { return successes; }
}
