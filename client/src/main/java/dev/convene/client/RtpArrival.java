package dev.convene.client;

/** One RTP packet that reached us: its header's sequence number and timestamp, and when it came (monotonic). */
public record RtpArrival(long ssrc, int sequenceNumber, long rtpTimestamp, long arrivalNanos) {}
