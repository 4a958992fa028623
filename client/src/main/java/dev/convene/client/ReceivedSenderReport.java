package dev.convene.client;

/**
 * A sender report that reached us (RFC 3550 §6.4.1), with when it arrived on our monotonic
 * clock: the RTP↔NTP mapping of one stream, as a receiver uses it for lip sync.
 */
public record ReceivedSenderReport(long ssrc, long ntpTimestamp, long rtpTimestamp, long packetCount, long octetCount,
        long arrivalNanos) {}
