package dev.convene.client;

/**
 * NACK and RTX counters of one {@link MediaTransportClient}, a snapshot.
 *
 * @param nacksSent          NACK packets sent (as a subscriber)
 * @param rtxReceived        retransmissions received and restored (as a subscriber)
 * @param nacksReceived      NACK packets received (as a publisher)
 * @param nackedReceived     sequence numbers asked for in them
 * @param rtxSent            retransmissions sent (as a publisher)
 * @param rtxNotSent         asked-for packets not retransmitted (not cached, or capped)
 * @param maxRtxOfOnePacket  the most retransmissions sent for any one packet (as a publisher)
 */
public record LossRecoveryStats(long nacksSent, long rtxReceived, long nacksReceived, long nackedReceived, long rtxSent,
        long rtxNotSent, int maxRtxOfOnePacket) {
}
