package dev.convene.media.routing;

import dev.convene.media.core.rtp.RtpPacket;
import java.util.List;

/**
 * One subscriber's leg of a forwarded track, a chain of small stages:
 *
 * <pre>
 *   rewriter ─▶ send stats ─▶ retransmitter (keeps a copy) ─▶ (protect, send)
 *   NACK ─────────────────────▶ retransmitter ─▶ RTX ─▶ (protect, send)
 * </pre>
 *
 * <p>The caller copies each routed packet into its send buffer and calls {@link #forward};
 * on {@link RewriteResult#FORWARD} the copy is rewritten and recorded and is ready to protect.
 * A leg without RTX (audio, or a subscriber that did not negotiate it) has no retransmitter.
 *
 * <p>Allocation-free per packet once the retransmission buffer's slots are in use. Time is the
 * caller's monotonic clock. Not thread-safe: confined to the subscriber's event loop.
 */
public final class OutboundStream {

    private final RtpStreamRewriter rewriter;
    private final SendStats stats = new SendStats();
    private final Retransmitter retransmitter;
    private final List<PipelineStage> stages;

    /** @param retransmitter null for a leg that does not retransmit */
    public OutboundStream(RtpStreamRewriter rewriter, Retransmitter retransmitter) {
        this.rewriter = rewriter;
        this.retransmitter = retransmitter;
        this.stages = retransmitter == null ? List.of(rewriter, stats)
                : List.of(rewriter, stats, retransmitter, retransmitter.buffer());
    }

    /** Rewrites {@code copy} in place for this subscriber; on FORWARD, records it as sent. */
    public RewriteResult forward(RtpPacket copy, long nowNanos) {
        return forward(copy, nowNanos, null, 0);
    }

    /**
     * As {@link #forward(RtpPacket, long)}, where {@code copy} is a copy of the received packet
     * {@code sourceSequence} that {@code source} keeps (null: none), so that the retransmission
     * buffer may keep only what the rewrite changed (ADR 0038).
     */
    public RewriteResult forward(RtpPacket copy, long nowNanos, RetransmissionBuffer source, long sourceSequence) {
        RewriteResult result = rewriter.rewrite(copy, nowNanos);
        if (result == RewriteResult.FORWARD) {
            stats.onSent(copy, nowNanos);
            if (retransmitter != null) {
                retransmitter.onSent(copy, rewriter.lastForwardedSequenceNumber(), nowNanos, source, sourceSequence);
            }
        }
        return result;
    }

    /**
     * Answers a NACK for output sequence number {@code sequenceNumber}: the length of the RTX
     * packet written to {@code out[off..)}, or 0 if none is sent (no RTX on this leg, not held,
     * or capped).
     */
    public int retransmit(int sequenceNumber, long nowNanos, byte[] out, int off) {
        if (retransmitter == null) {
            return 0;
        }
        return retransmitter.retransmit(sequenceNumber, nowNanos, stats.bitsPerSecond(nowNanos), out, off);
    }

    /**
     * Why the last {@link #retransmit} sent nothing ({@link Retransmitter.Refusal#NONE} if it
     * sent). A leg without RTX answers no NACK: {@link Retransmitter.Refusal#NOT_NEGOTIATED}.
     */
    public Retransmitter.Refusal lastRefusal() {
        return retransmitter == null ? Retransmitter.Refusal.NOT_NEGOTIATED : retransmitter.lastRefusal();
    }

    /** The round-trip time to the subscriber, when RTCP has measured one. */
    public void setRtt(long nanos) {
        if (retransmitter != null) {
            retransmitter.setRtt(nanos);
        }
    }

    public RtpStreamRewriter rewriter() { return rewriter; }

    public SendStats stats() { return stats; }

    /** The retransmitter, or null when this leg does not retransmit. */
    public Retransmitter retransmitter() { return retransmitter; }

    /** The stages in packet order, for counters. */
    public List<PipelineStage> stages() { return stages; }
}
