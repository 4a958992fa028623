package dev.convene.media.routing.rtcp;

/**
 * What one report block from a subscriber said about a stream we send.
 *
 * @param rttNanos         round-trip time from LSR/DLSR, or -1 when the block allows none
 * @param fractionLost     the block's fraction lost (0–1), over the receiver's last interval
 * @param intervalExpected packets the subscriber expected since its previous report (0 for the first)
 * @param intervalLost     of those, lost between us and the subscriber (upstream gaps excluded)
 * @param jitterNanos      the subscriber's interarrival jitter
 */
public record ReceiverReportReading(long rttNanos, double fractionLost, long intervalExpected, long intervalLost,
        long jitterNanos) {}
