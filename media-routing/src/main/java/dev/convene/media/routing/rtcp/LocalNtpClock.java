package dev.convene.media.routing.rtcp;

import dev.convene.media.core.rtcp.NtpTimestamp;

/**
 * Our NTP time for the sender reports we write, derived from the monotonic clock and one wall
 * clock reading taken at start: it never jumps when the system clock is set, and a test can
 * drive it with fake monotonic time.
 */
public final class LocalNtpClock {
    private final long unixNanosAtAnchor;
    private final long monotonicNanosAtAnchor;

    /** The clock that read {@code unixNanos} of wall time when the monotonic clock read {@code monotonicNanos}. */
    public LocalNtpClock(long unixNanos, long monotonicNanos) {
        this.unixNanosAtAnchor = unixNanos;
        this.monotonicNanosAtAnchor = monotonicNanos;
    }

    /** Anchored to the system clocks now. */
    public static LocalNtpClock system() {
        java.time.Instant now = java.time.Instant.now();
        return new LocalNtpClock(now.getEpochSecond() * 1_000_000_000L + now.getNano(), System.nanoTime());
    }

    /** The 64-bit NTP timestamp at monotonic time {@code nanos}. */
    public long ntp(long nanos) {
        return NtpTimestamp.fromUnixNanos(unixNanosAtAnchor + (nanos - monotonicNanosAtAnchor));
    }
}
