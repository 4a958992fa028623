package dev.convene.media.transport.dtls;

/**
 * Counters of one {@link DtlsEndpoint}, cumulative since it was created.
 *
 * @param datagramsReceived datagrams accepted by {@link DtlsEndpoint#receive} and queued
 * @param datagramsSent datagrams handed to the {@link DatagramSender}
 * @param malformedDropped datagrams dropped because they were not whole DTLS records
 * @param queueFullDropped datagrams dropped because the receive queue was full
 * @param applicationDataIgnored application_data records after the handshake (unused without data channels)
 */
public record DtlsStats(
        long datagramsReceived,
        long datagramsSent,
        long malformedDropped,
        long queueFullDropped,
        long applicationDataIgnored) {}
