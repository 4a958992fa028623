package dev.convene.media.routing.rtcp;

import dev.convene.media.routing.RtpStreamRewriter;

/**
 * The RTP timestamp an SR to a subscriber carries (RFC 3550 §6.4.1), decided from the
 * publisher's latest SR for the stream the leg forwards.
 *
 * <p>The publisher said its RTP clock read {@code R} at its NTP time {@code N}. Its
 * {@link RemoteClock} (shared by its audio and video) places {@code N} on our monotonic clock;
 * extrapolating at the clock rate gives the source's RTP time now, and the rewriter's offset
 * for that source turns it into the subscriber's RTP time now. Paired with our NTP time now,
 * that is a mapping in which the subscriber's audio and video line up exactly as the
 * publisher's did. Pure: nothing is kept.
 */
public final class SenderReportMapper {
    private SenderReportMapper() {}

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    /**
     * The subscriber's RTP timestamp at {@code nowNanos}, or -1 when there is no sound mapping:
     * no SR from the publisher yet, or the SR is about another source than the one forwarded
     * (after a source switch, until the new source's SR is known).
     */
    public static long outputRtpTimestamp(SourceSenderReport sr, RemoteClock publisherClock, RtpStreamRewriter rewriter,
            int clockRate, long nowNanos) {
        return sr == null ? -1 : outputRtpTimestamp(sr.sourceSsrc(), sr.ntpTimestamp(), sr.rtpTimestamp(),
                publisherClock, rewriter, clockRate, nowNanos);
    }

    /** As above with the SR's fields, for the once-a-second reports of the media loop (no record per leg). */
    public static long outputRtpTimestamp(long sourceSsrc, long ntpTimestamp, long rtpTimestamp,
            RemoteClock publisherClock, RtpStreamRewriter rewriter, int clockRate, long nowNanos) {
        if (!publisherClock.known() || sourceSsrc != rewriter.currentSource()) {
            return -1;
        }
        long elapsed = nowNanos - publisherClock.localNanos(ntpTimestamp);
        long ticks = Math.floorDiv(elapsed, NANOS_PER_SECOND) * clockRate
                + Math.floorMod(elapsed, NANOS_PER_SECOND) * clockRate / NANOS_PER_SECOND;
        return rewriter.outputTimestamp(sourceSsrc, rtpTimestamp + ticks);
    }
}
