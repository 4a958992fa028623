package dev.convene.client;

/**
 * How complete a received stream is after loss recovery, a snapshot.
 *
 * @param expected          sequence numbers from the first received to the newest considered
 * @param received          of those, how many arrived (as original or RTX)
 * @param rtxReceived       retransmissions received (RFC 4588, restored)
 * @param rtxDuplicates     retransmissions of packets that had arrived already
 * @param maxRtxOfOnePacket the most retransmissions received for any one sequence number
 * @param nacked            sequence numbers put in NACKs, repeats included
 */
public record StreamCompleteness(long expected, long received, long rtxReceived, long rtxDuplicates,
        int maxRtxOfOnePacket, long nacked) {

    /** Sequence numbers that never arrived. */
    public long missing() {
        return expected - received;
    }

    /** {@link #missing()} as a share of {@link #expected()}, 0 for an empty stream. */
    public double missingRatio() {
        return expected == 0 ? 0 : (double) missing() / expected;
    }
}
