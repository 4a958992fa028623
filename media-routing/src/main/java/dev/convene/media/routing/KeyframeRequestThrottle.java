package dev.convene.media.routing;

/**
 * Spaces keyframe requests (PLI/FIR) to one publisher's stream: however many subscribers ask,
 * at most one request per {@code minIntervalNanos} reaches the publisher — every keyframe
 * costs the publisher's uplink several ordinary frames. Not thread-safe.
 */
public final class KeyframeRequestThrottle implements PipelineStage {

    /** At most two requests a second reach a publisher. */
    public static final long DEFAULT_MIN_INTERVAL_NANOS = 500_000_000L;

    private final long minIntervalNanos;
    private long lastAdmittedNanos;
    private boolean admittedOnce;
    private long admitted;
    private long suppressed;
    /** A request was suppressed and no key frame has arrived since: it is owed at the end of the interval. */
    private boolean pending;

    public KeyframeRequestThrottle(long minIntervalNanos) {
        if (minIntervalNanos < 0) {
            throw new IllegalArgumentException("negative interval: " + minIntervalNanos);
        }
        this.minIntervalNanos = minIntervalNanos;
    }

    public KeyframeRequestThrottle() {
        this(DEFAULT_MIN_INTERVAL_NANOS);
    }

    /** Whether a request may go to the publisher now; records it if so. */
    public boolean admit(long nowNanos) {
        return admitAfter(minIntervalNanos, nowNanos);
    }

    /**
     * Whether an urgent request may go now: one that a switch on congestion waits for, which the
     * full interval would delay by up to half a second. Only a request within
     * {@link #URGENT_MIN_INTERVAL_NANOS} (whose key frame is on its way) holds it back. Records it if so.
     */
    public boolean admitUrgent(long nowNanos) {
        return admitAfter(URGENT_MIN_INTERVAL_NANOS, nowNanos);
    }

    private boolean admitAfter(long intervalNanos, long nowNanos) {
        if (admittedOnce && nowNanos - lastAdmittedNanos < intervalNanos) {
            suppressed++;
            pending = true;
            return false;
        }
        admittedOnce = true;
        lastAdmittedNanos = nowNanos;
        admitted++;
        pending = false;
        return true;
    }

    /** About a round trip and a frame: an urgent request sooner than this after another adds nothing. */
    public static final long URGENT_MIN_INTERVAL_NANOS = 100_000_000L;

    /**
     * A request suppressed earlier, owed now that the interval has passed (the trailing edge):
     * whoever asked too soon after another — a subscriber that connected just after the key frame
     * the first request brought — still gets its key frame, at most one interval late. Records it
     * if so.
     */
    public boolean admitPending(long nowNanos) {
        if (!pending || nowNanos - lastAdmittedNanos < minIntervalNanos) {
            return false;
        }
        pending = false;
        lastAdmittedNanos = nowNanos;
        admitted++;
        return true;
    }

    /** A key frame arrived: a request suppressed before it is answered by it. */
    public void onKeyframe() {
        pending = false;
    }

    public long admitted() { return admitted; }

    public long suppressed() { return suppressed; }

    @Override
    public String name() {
        return "keyframe_requests";
    }

    @Override
    public void appendCounters(CounterSink sink) {
        sink.counter("admitted", admitted);
        sink.counter("suppressed", suppressed);
    }
}
