package dev.convene.media.routing.rtcp;

/**
 * The RTP↔NTP mapping of a publisher's latest sender report for one source SSRC
 * (RFC 3550 §6.4.1): its RTP clock read {@code rtpTimestamp} when its wall clock read
 * {@code ntpTimestamp}.
 */
public record SourceSenderReport(long sourceSsrc, long ntpTimestamp, long rtpTimestamp) {}
