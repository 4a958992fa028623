package dev.convene.media.routing.rtcp;

import dev.convene.media.core.rtcp.NtpTimestamp;

/**
 * One remote sender's NTP clock (the wall clock of its sender reports) as seen on our monotonic
 * clock. All streams of one publisher share it, so the audio and video mappings we derive from
 * its SRs are moved by exactly the same amount and keep their lip sync.
 *
 * <p>The offset is the smallest {@code arrival − ntp} seen: the SR that was least delayed on
 * the way. Later, slower SRs do not move it, so network jitter never shifts one stream against
 * the other. A drift between the two clocks does shift the absolute time (the same for every
 * stream of the publisher); that is harmless for lip sync, and RTT is measured with our own
 * send times, not with this clock.
 */
public final class RemoteClock {
    private long offsetNanos;
    private boolean known;

    /** Records an SR with NTP time {@code ntpTimestamp} that arrived at {@code arrivalNanos}. */
    public void onSenderReport(long ntpTimestamp, long arrivalNanos) {
        long offset = arrivalNanos - NtpTimestamp.toUnixNanos(ntpTimestamp);
        if (!known || offset < offsetNanos) {
            offsetNanos = offset;
            known = true;
        }
    }

    public boolean known() { return known; }

    /** Our monotonic time at which the remote clock read {@code ntpTimestamp}; only when {@link #known()}. */
    public long localNanos(long ntpTimestamp) {
        if (!known) {
            throw new IllegalStateException("no sender report seen yet");
        }
        return NtpTimestamp.toUnixNanos(ntpTimestamp) + offsetNanos;
    }
}
