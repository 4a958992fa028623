package dev.convene.sfu.net;

import java.util.concurrent.atomic.LongAdder;

/** Per-stage packet counters of one SFU node; exported as metrics, asserted by tests. */
public final class MediaCounters {
    public final LongAdder datagramsIn = new LongAdder();
    public final LongAdder stunIn = new LongAdder();
    public final LongAdder dtlsIn = new LongAdder();
    public final LongAdder rtpIn = new LongAdder();
    public final LongAdder rtcpIn = new LongAdder();
    /** Datagrams that were not STUN, DTLS, RTP or RTCP, or came from an address no transport owns. */
    public final LongAdder droppedUnknown = new LongAdder();
    /** STUN requests that failed validation (bad integrity, unknown user, malformed). */
    public final LongAdder droppedStun = new LongAdder();
    /** DTLS datagrams that were not whole records, or found the handshake's queue full. */
    public final LongAdder droppedDtls = new LongAdder();
    /** SRTP/SRTCP packets that failed authentication, replay checks or parsing. */
    public final LongAdder droppedSrtp = new LongAdder();
    /** RTP packets of an SSRC that no published track owns. */
    public final LongAdder droppedUnroutable = new LongAdder();
    public final LongAdder rtpOut = new LongAdder();
    /** Demultiplexed RTP to the send of its last forwarded copy. */
    public final ForwardDelayHistogram forwardDelay = new ForwardDelayHistogram();
    public final LongAdder rtcpOut = new LongAdder();
    public final LongAdder keyframeRequests = new LongAdder();
    /** Bytes of every datagram and ICE-TCP frame received, and of SRTP/SRTCP sent: bitrate in and out. */
    public final LongAdder bytesIn = new LongAdder();
    public final LongAdder bytesOut = new LongAdder();
    /** DTLS handshakes that failed, and transports whose ICE consent expired. */
    public final LongAdder dtlsFailures = new LongAdder();
    public final LongAdder iceFailures = new LongAdder();
    /** NACK packets from subscribers, and sent to publishers. */
    public final LongAdder nacksIn = new LongAdder();
    public final LongAdder nacksOut = new LongAdder();
    /** Retransmissions (RTX) from publishers, and sent to subscribers. */
    public final LongAdder rtxIn = new LongAdder();
    public final LongAdder rtxOut = new LongAdder();
    /** Padding-only packets sent to subscribers: bandwidth probes (ADR 0021). */
    public final LongAdder paddingOut = new LongAdder();
    /** NACKed packets not retransmitted: no longer held, or held back by a cap (counted per cap in the legs). */
    public final LongAdder rtxNotSent = new LongAdder();
    /** {@link #rtxNotSent} by cause: not held (yet), gone, capped per packet, within an RTT, over budget. */
    public final LongAdder rtxNotHeld = new LongAdder();
    public final LongAdder rtxGone = new LongAdder();
    public final LongAdder rtxPerPacketCap = new LongAdder();
    public final LongAdder rtxWithinRtt = new LongAdder();
    public final LongAdder rtxOverBudget = new LongAdder();
    /** NACKs on a leg whose subscriber's answer did not accept RTX. */
    public final LongAdder rtxNotNegotiated = new LongAdder();
    /** {@link #rtxOut} by which retransmission of its packet each was: the first, the second, a later one. */
    public final LongAdder rtxFirstCopies = new LongAdder();
    public final LongAdder rtxSecondCopies = new LongAdder();
    public final LongAdder rtxLaterCopies = new LongAdder();
    /**
     * Gaps no retransmission will fill, each followed by a key frame request (throttled per track):
     * upstream, packets the NACK generator abandoned; downstream, a subscriber's NACK for a packet
     * gone from the cache or already retransmitted as often as allowed.
     */
    public final LongAdder unrepairableGapsUpstream = new LongAdder();
    public final LongAdder unrepairableGapsDownstream = new LongAdder();
    /** Publisher packets the receive stages dropped: RTX padding, RTX of packets already received. */
    public final LongAdder droppedRtx = new LongAdder();
    /** ICE-TCP connections accepted, and of those the ones closed at once because too many were open. */
    public final LongAdder tcpAccepted = new LongAdder();
    public final LongAdder tcpRefused = new LongAdder();
    /** ICE-TCP connections closed by a limit: no ICE check in time, silent, or not reading what we send. */
    public final LongAdder tcpClosedByLimits = new LongAdder();
    /** RFC 4571 frames received; each then counts like a datagram (STUN, DTLS, ..., dropped). */
    public final LongAdder tcpFramesIn = new LongAdder();
    /** Frames of length 0 or above the largest datagram: skipped unread. */
    public final LongAdder droppedTcpFrames = new LongAdder();
    /** Packets not sent on an ICE-TCP connection because its send buffer was full or it was closing. */
    public final LongAdder droppedTcpSends = new LongAdder();

    /** Every datagram or ICE-TCP frame that was dropped, for whatever reason. */
    public long dropped() {
        return droppedUnknown.sum() + droppedStun.sum() + droppedDtls.sum() + droppedSrtp.sum() + droppedUnroutable.sum()
                + droppedTcpFrames.sum();
    }
}
