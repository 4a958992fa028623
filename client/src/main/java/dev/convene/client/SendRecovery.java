package dev.convene.client;

import dev.convene.media.core.rtp.RtpPacket;
import dev.convene.media.core.rtp.SequenceNumberUnwrapper;
import dev.convene.media.routing.BitrateMeter;
import dev.convene.media.routing.RetransmissionBuffer;
import dev.convene.media.routing.Retransmitter;
import java.util.HashMap;
import java.util.Map;

/**
 * A publisher's answers to NACKs for one sent stream, as a browser gives them: a small cache of
 * what was sent and a {@link Retransmitter} that sends RTX from it. Guarded by the transport's
 * send lock (sending stores, a NACK retransmits).
 */
final class SendRecovery {

    /** Like libwebrtc: a packet may be retransmitted a few times, never within an RTT. */
    private static final Retransmitter.Settings SETTINGS = new Retransmitter.Settings(3, 100_000_000L, 0.5, 300_000,
            250_000_000L, new RetransmissionBuffer.Settings(512, 768 * 1024, 1_000_000_000L, 1500));

    private final Retransmitter retransmitter;
    private final SequenceNumberUnwrapper unwrapper = new SequenceNumberUnwrapper();
    private final BitrateMeter bitrate = new BitrateMeter();
    private final Map<Long, Integer> sentPerSequence = new HashMap<>();
    private int maxRtxOfOnePacket;

    SendRecovery(long rtxSsrc, int rtxPayloadType, int firstRtxSequence) {
        this.retransmitter = new Retransmitter(SETTINGS, rtxSsrc, rtxPayloadType, firstRtxSequence);
    }

    void onSent(RtpPacket packet, long nowNanos) {
        retransmitter.onSent(packet, unwrapper.unwrap(packet.sequenceNumber()), nowNanos);
        bitrate.record(packet.length(), nowNanos);
    }

    /** The RTX packet's length written to {@code out}, or 0. */
    int retransmit(int sequenceNumber, long nowNanos, byte[] out) {
        int len = retransmitter.retransmit(sequenceNumber, nowNanos, bitrate.bitsPerSecond(nowNanos), out, 0);
        if (len > 0) {
            long ext = retransmitter.buffer().extend(sequenceNumber);
            maxRtxOfOnePacket = Math.max(maxRtxOfOnePacket, sentPerSequence.merge(ext, 1, Integer::sum));
        }
        return len;
    }

    Retransmitter retransmitter() {
        return retransmitter;
    }

    int maxRtxOfOnePacket() {
        return maxRtxOfOnePacket;
    }
}
