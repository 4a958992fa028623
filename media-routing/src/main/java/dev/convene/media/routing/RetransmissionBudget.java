package dev.convene.media.routing;

/**
 * A token bucket of bytes that one subscriber leg may spend on retransmissions: it fills at
 * {@code share} × the leg's recent media bitrate plus a floor, and holds at most
 * {@code burstNanos} worth of that rate. However many NACKs arrive, retransmissions can never
 * add more than that to the leg's traffic — the guard against NACK storms.
 *
 * <p>Time is the caller's monotonic clock. Not thread-safe.
 */
public final class RetransmissionBudget {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final double share;
    private final long floorBps;
    private final long burstNanos;
    private double tokens;
    private long lastRefillNanos;
    private boolean started;

    /**
     * @param share      fraction of the recent media bitrate retransmissions may add (0.2 = 20 %)
     * @param floorBps   bits per second allowed even on a quiet leg
     * @param burstNanos how much unspent allowance may pile up, as time at the current rate
     */
    public RetransmissionBudget(double share, long floorBps, long burstNanos) {
        if (!(share >= 0) || floorBps < 0 || burstNanos <= 0) {
            throw new IllegalArgumentException("invalid budget: share=" + share + " floor=" + floorBps + " burst=" + burstNanos);
        }
        this.share = share;
        this.floorBps = floorBps;
        this.burstNanos = burstNanos;
    }

    /** Bits per second allowed for a leg whose media runs at {@code mediaBps}. */
    public long allowedBps(long mediaBps) {
        return (long) (share * Math.max(0, mediaBps)) + floorBps;
    }

    /** Takes {@code bytes} from the bucket if it holds them; returns whether it did. */
    public boolean tryConsume(int bytes, long nowNanos, long mediaBps) {
        double bytesPerNano = allowedBps(mediaBps) / 8.0 / NANOS_PER_SECOND;
        double capacity = bytesPerNano * burstNanos;
        if (!started) {
            started = true;
            tokens = capacity;
        } else {
            long elapsed = Math.max(0, nowNanos - lastRefillNanos);
            tokens = Math.min(capacity, tokens + elapsed * bytesPerNano);
        }
        lastRefillNanos = nowNanos;
        if (tokens < bytes) {
            return false;
        }
        tokens -= bytes;
        return true;
    }
}
