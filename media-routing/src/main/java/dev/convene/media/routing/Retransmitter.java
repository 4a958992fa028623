package dev.convene.media.routing;

import dev.convene.media.core.rtp.RtpPacket;
import dev.convene.media.core.rtp.RtxPacket;

/**
 * Answers a receiver's NACKs on one outgoing stream with RTX packets (RFC 4588) from its
 * {@link RetransmissionBuffer}, within three caps: each packet at most
 * {@link Settings#maxPerPacket()} times, never again within an RTT of its last retransmission
 * (the first copy may still be on its way), and never beyond the leg's
 * {@link RetransmissionBudget}. So a receiver that NACKs everything, repeatedly, costs at
 * most a bounded share of the leg's own bitrate.
 *
 * <p>Allocation-free after the buffer's slots are in use. Time is the caller's monotonic
 * clock. Not thread-safe: one per outgoing stream, confined to its event loop.
 */
public final class Retransmitter implements PipelineStage {

    /**
     * @param maxPerPacket     retransmissions of one packet at most
     * @param defaultRttNanos  spacing of repeated retransmissions until an RTT is measured
     * @param budgetShare      share of the leg's bitrate retransmissions may add
     * @param budgetFloorBps   retransmission bitrate allowed on any leg
     * @param budgetBurstNanos unspent allowance kept, as time at the allowed rate
     */
    public record Settings(int maxPerPacket, long defaultRttNanos, double budgetShare, long budgetFloorBps,
            long budgetBurstNanos, RetransmissionBuffer.Settings buffer) {
        public static Settings defaults() {
            return new Settings(2, 100_000_000L, 0.2, 100_000, 250_000_000L, RetransmissionBuffer.Settings.defaults());
        }

        public Settings {
            if (maxPerPacket < 1 || defaultRttNanos <= 0) {
                throw new IllegalArgumentException("invalid retransmitter settings: " + this);
            }
        }
    }

    /** Why {@link #retransmit} sent nothing, or {@link #NONE} when it sent the packet. */
    public enum Refusal {
        NONE,
        /**
         * Not in the buffer though inside the range it covers: never stored (lost before it
         * reached us, and a repair from upstream may still bring it), or a number not sent yet.
         */
        NOT_HELD,
        /** Held once, no longer: behind what the buffer keeps, or older than its age limit. */
        GONE,
        /** Already retransmitted {@link Settings#maxPerPacket()} times, and the receiver still asks. */
        PER_PACKET_CAP,
        /** Retransmitted less than an RTT ago: that copy may still be on its way. */
        WITHIN_RTT,
        /** The leg's retransmission budget is spent for now. */
        BUDGET,
        /** The receiver did not accept RTX for this stream (its answer left the RTX payload type out). */
        NOT_NEGOTIATED;

        /**
         * Whether the receiver is left with a gap no retransmission of ours will ever fill, so
         * only a key frame lets its decoder go on: the packet is gone, or every copy we may send
         * has been sent and lost. A receiver may NACK such a packet for a second and more before
         * it gives up, and then its decoder waits seconds before it asks for a key frame itself.
         */
        public boolean leavesGap() {
            return this == GONE || this == PER_PACKET_CAP || this == NOT_NEGOTIATED;
        }
    }

    private final Settings settings;
    private final RetransmissionBuffer buffer;
    private final RetransmissionBudget budget;
    private final long rtxSsrc;
    private final int rtxPayloadType;
    private long rttNanos;
    private boolean rttMeasured;
    private int rtxSequence;

    private long requested;
    private long sent;
    private long sentBytes;
    private long notCached;
    private long suppressedPerPacket;
    private long suppressedRtt;
    private long suppressedBudget;
    private Refusal lastRefusal = Refusal.NONE;
    private int lastCopy;
    private boolean negotiated = true;
    private long notNegotiated;

    /**
     * @param rtxSsrc        the RTX stream's SSRC (the {@code FID} partner of the media SSRC)
     * @param rtxPayloadType the RTX payload type whose {@code apt} is the stream's media payload type
     * @param firstRtxSequence the RTX stream's first sequence number (random, RFC 3550 §5.1)
     */
    public Retransmitter(Settings settings, long rtxSsrc, int rtxPayloadType, int firstRtxSequence) {
        this(settings, rtxSsrc, rtxPayloadType, firstRtxSequence, PacketArrays.unshared(settings.buffer().maxPacketSize()));
    }

    /** As above, storing packets in arrays of {@code arrays} (the event loop's pool, ADR 0027). */
    public Retransmitter(Settings settings, long rtxSsrc, int rtxPayloadType, int firstRtxSequence, PacketArrays arrays) {
        this(settings, rtxSsrc, rtxPayloadType, firstRtxSequence, arrays, null);
    }

    /**
     * As above; with {@code heads} (the loop's pool of {@link RetransmissionBuffer#HEAD_SIZE}-byte
     * arrays) a packet sent with its received source keeps only its head (ADR 0038).
     */
    public Retransmitter(Settings settings, long rtxSsrc, int rtxPayloadType, int firstRtxSequence, PacketArrays arrays,
            PacketArrays heads) {
        this.settings = settings;
        this.buffer = new RetransmissionBuffer(settings.buffer(), arrays, heads);
        this.budget = new RetransmissionBudget(settings.budgetShare(), settings.budgetFloorBps(), settings.budgetBurstNanos());
        this.rtxSsrc = rtxSsrc;
        this.rtxPayloadType = rtxPayloadType;
        this.rttNanos = settings.defaultRttNanos();
        this.rtxSequence = firstRtxSequence & 0xFFFF;
    }

    /**
     * A round-trip time to the receiver, as measured elsewhere (RTCP, one sample a second). The
     * first sample replaces the default; later ones are smoothed (1/8 weight, as TCP's SRTT), so
     * one inflated sample — a receiver that was late to report under load — does not hold back a
     * receiver's repeated NACK for a whole inflated RTT.
     */
    public void setRtt(long nanos) {
        if (nanos <= 0) {
            return;
        }
        rttNanos = rttMeasured ? rttNanos + (nanos - rttNanos) / 8 : nanos;
        rttMeasured = true;
    }

    /** The RTT that spaces repeated retransmissions of one packet. */
    public long rttNanos() { return rttNanos; }

    /**
     * Whether the receiver accepted RTX (its answer kept the RTX payload type). Until an answer
     * says otherwise it is assumed, as offered; without it nothing is kept or retransmitted:
     * RTX the receiver cannot decode would be traffic for nothing.
     */
    public void setNegotiated(boolean accepted) {
        this.negotiated = accepted;
    }

    public boolean negotiated() { return negotiated; }

    /** Keeps a copy of a packet just sent (plaintext, after rewriting). */
    public void onSent(RtpPacket packet, long extendedSequence, long nowNanos) {
        onSent(packet, extendedSequence, nowNanos, null, 0);
    }

    /**
     * As {@link #onSent(RtpPacket, long, long)}, for a packet rewritten from {@code source}'s
     * received packet {@code sourceSequence} (null: none): its payload is kept there.
     */
    public void onSent(RtpPacket packet, long extendedSequence, long nowNanos, RetransmissionBuffer source,
            long sourceSequence) {
        if (negotiated) {
            buffer.store(packet, extendedSequence, nowNanos, source, sourceSequence);
        }
    }

    /**
     * Answers a request for {@code sequenceNumber} (16-bit, as NACKed): writes the RTX packet to
     * {@code out[off..)} and returns its length, or returns 0 when it is not sent (not held, or a
     * cap held it back). {@code out} needs the packet's length + 2 bytes (plus whatever the
     * caller adds after it, such as SRTP's trailer).
     *
     * @param mediaBps the leg's recent media bitrate, which sizes the budget
     */
    public int retransmit(int sequenceNumber, long nowNanos, long mediaBps, byte[] out, int off) {
        requested++;
        if (!negotiated) {
            notNegotiated++;
            return refuse(Refusal.NOT_NEGOTIATED);
        }
        int slot = buffer.find(buffer.extend(sequenceNumber), nowNanos);
        if (slot < 0) {
            notCached++;
            return refuse(buffer.lastMissWasGone() ? Refusal.GONE : Refusal.NOT_HELD);
        }
        if (buffer.retransmissions(slot) >= settings.maxPerPacket()) {
            suppressedPerPacket++;
            return refuse(Refusal.PER_PACKET_CAP);
        }
        long last = buffer.lastRetransmittedAt(slot);
        if (last != Long.MIN_VALUE && nowNanos - last < rttNanos) {
            suppressedRtt++;
            return refuse(Refusal.WITHIN_RTT);
        }
        RtpPacket original = buffer.packet(slot);
        int length = original.length() + RtxPacket.OSN_LENGTH;
        if (!budget.tryConsume(length, nowNanos, mediaBps)) {
            suppressedBudget++;
            return refuse(Refusal.BUDGET);
        }
        RtxPacket.encode(original, out, off, rtxPayloadType, rtxSequence, rtxSsrc);
        rtxSequence = rtxSequence + 1 & 0xFFFF;
        buffer.markRetransmitted(slot, nowNanos);
        sent++;
        sentBytes += length;
        lastRefusal = Refusal.NONE;
        lastCopy = buffer.retransmissions(slot);
        return length;
    }

    private int refuse(Refusal why) {
        lastRefusal = why;
        lastCopy = 0;
        return 0;
    }

    /** Why the last {@link #retransmit} sent nothing; {@link Refusal#NONE} if it sent. */
    /**
     * Writes a padding-only packet (RFC 3550 §5.1: no payload, {@code paddingBytes} of padding)
     * on the RTX stream, for bandwidth probes: it takes the RTX stream's next sequence number so
     * the receiver sees one stream, and a receiver drops it as RTX of nothing after counting it
     * for its congestion feedback. Returns the length, or 0 when RTX was not negotiated.
     *
     * @param paddingBytes 1-255
     */
    public int writePadding(byte[] out, int off, long timestamp, int paddingBytes) {
        if (!negotiated) {
            return 0;
        }
        int length = RtpPacket.FIXED_HEADER_LENGTH + paddingBytes;
        java.util.Objects.checkFromIndexSize(off, length, out.length);
        out[off] = (byte) 0xA0; // V=2, P=1
        out[off + 1] = (byte) (rtxPayloadType & 0x7F);
        dev.convene.media.core.Bytes.put16(out, off + 2, rtxSequence);
        dev.convene.media.core.Bytes.put32(out, off + 4, timestamp);
        dev.convene.media.core.Bytes.put32(out, off + 8, rtxSsrc);
        java.util.Arrays.fill(out, off + RtpPacket.FIXED_HEADER_LENGTH, off + length - 1, (byte) 0);
        out[off + length - 1] = (byte) paddingBytes;
        rtxSequence = rtxSequence + 1 & 0xFFFF;
        return length;
    }

    public Refusal lastRefusal() { return lastRefusal; }

    /** Which retransmission of its packet the last {@link #retransmit} sent (1, 2, ...); 0 if none. */
    public int lastCopy() { return lastCopy; }

    public RetransmissionBuffer buffer() { return buffer; }

    public long rtxSsrc() { return rtxSsrc; }

    public int rtxPayloadType() { return rtxPayloadType; }

    /** Sequence numbers asked for (one NACK may ask for many). */
    public long requested() { return requested; }

    public long sent() { return sent; }

    public long sentBytes() { return sentBytes; }

    public long notCached() { return notCached; }

    public long suppressedPerPacket() { return suppressedPerPacket; }

    public long suppressedRtt() { return suppressedRtt; }

    public long suppressedBudget() { return suppressedBudget; }

    @Override
    public String name() {
        return "retransmitter";
    }

    @Override
    public void appendCounters(CounterSink sink) {
        sink.counter("requested", requested);
        sink.counter("rtx_sent", sent);
        sink.counter("rtx_bytes", sentBytes);
        sink.counter("not_cached", notCached);
        sink.counter("suppressed_per_packet", suppressedPerPacket);
        sink.counter("suppressed_rtt", suppressedRtt);
        sink.counter("suppressed_budget", suppressedBudget);
        sink.counter("not_negotiated", notNegotiated);
    }
}
