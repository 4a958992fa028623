package dev.convene.client;

/**
 * Counters of one {@link MediaTransportClient}, a snapshot.
 *
 * @param datagramsIn       every datagram received from the SFU
 * @param stunIn            STUN datagrams
 * @param dtlsIn            DTLS datagrams
 * @param srtpIn            RTP-range datagrams that authenticated
 * @param srtcpIn           RTCP-range datagrams that authenticated
 * @param unprotectFailures RTP/RTCP-range datagrams that did not authenticate
 * @param earlyMediaDropped RTP/RTCP-range datagrams that came before our keys, beyond the few kept until then
 * @param unknownIn         datagrams of no known kind
 * @param rtpOut            RTP packets protected and sent
 * @param rtcpOut           RTCP packets protected and sent
 * @param keyframeRequests  PLI and FIR entries received
 * @param rembs             REMB packets received
 */
public record TransportStats(long datagramsIn, long stunIn, long dtlsIn, long srtpIn, long srtcpIn,
        long unprotectFailures, long earlyMediaDropped, long unknownIn, long rtpOut, long rtcpOut, long keyframeRequests, long rembs) {
}
