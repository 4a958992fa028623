package dev.convene.media.routing.rtcp;

import dev.convene.media.core.rtcp.NtpTimestamp;
import dev.convene.media.core.rtcp.RtcpReportBlock;
import dev.convene.media.core.rtp.SequenceNumberUnwrapper;

/**
 * What a receiver knows about one incoming RTP stream (one SSRC), and the report block it
 * sends back about it (RFC 3550 §6.4.1): extended highest sequence number (A.1), cumulative and
 * interval loss (A.3), interarrival jitter (A.8), and LSR/DLSR from the sender's last SR.
 *
 * <p>Sequence numbers are unwrapped to 64 bits, so wraps and reordering across a wrap are plain
 * arithmetic; a packet reordered before the first one lowers the base. Duplicates count as
 * received, as A.3 says, so cumulative loss may go negative. Jitter is updated only by packets
 * newer than the highest so far (as libwebrtc does), so a reordered packet does not look like
 * a transit spike. Time is the caller's monotonic nanoseconds. Not thread-safe: one per stream,
 * confined to its event loop.
 */
public final class ReceiveStatistics {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final long ssrc;
    private final int clockRate;
    private final SequenceNumberUnwrapper sequenceNumbers = new SequenceNumberUnwrapper();

    private boolean started;
    private long baseSequence;
    private long highestSequence;
    private long received;
    private long octets;

    private long lastArrivalNanos;
    private long lastRtpTimestamp;
    private double jitter;

    private long expectedPrior;
    private long receivedPrior;
    private long lastIntervalExpected;
    private long lastIntervalLost;

    private long lastSenderReportCompact;
    private long lastSenderReportArrivalNanos;
    private boolean hasSenderReport;

    /**
     * @param ssrc      the stream's SSRC, unsigned 32-bit
     * @param clockRate its RTP clock rate in Hz, for jitter
     */
    public ReceiveStatistics(long ssrc, int clockRate) {
        if (clockRate <= 0) {
            throw new IllegalArgumentException("clock rate must be positive: " + clockRate);
        }
        this.ssrc = ssrc;
        this.clockRate = clockRate;
    }

    /** Records one received packet (its 16-bit sequence number, 32-bit RTP timestamp, payload size). */
    public void onPacket(int sequenceNumber, long rtpTimestamp, int payloadBytes, long arrivalNanos) {
        long sequence = sequenceNumbers.unwrap(sequenceNumber);
        received++;
        octets += payloadBytes;
        if (!started) {
            started = true;
            baseSequence = sequence;
            highestSequence = sequence;
            lastArrivalNanos = arrivalNanos;
            lastRtpTimestamp = rtpTimestamp & 0xFFFFFFFFL;
            return;
        }
        if (sequence < baseSequence) {
            baseSequence = sequence;
        }
        if (sequence > highestSequence) {
            highestSequence = sequence;
            updateJitter(rtpTimestamp & 0xFFFFFFFFL, arrivalNanos);
        }
    }

    /** A.8: J += (|D(i-1,i)| - J) / 16, D in timestamp units. */
    private void updateJitter(long rtpTimestamp, long arrivalNanos) {
        double arrivalTicks = (double) (arrivalNanos - lastArrivalNanos) * clockRate / NANOS_PER_SECOND;
        int rtpTicks = (int) (rtpTimestamp - lastRtpTimestamp);
        double d = Math.abs(arrivalTicks - rtpTicks);
        jitter += (d - jitter) / 16;
        lastArrivalNanos = arrivalNanos;
        lastRtpTimestamp = rtpTimestamp;
    }

    /** Records the sender's SR about this stream, for the LSR/DLSR of the next report block. */
    public void onSenderReport(long ntpTimestamp, long arrivalNanos) {
        lastSenderReportCompact = NtpTimestamp.compact(ntpTimestamp);
        lastSenderReportArrivalNanos = arrivalNanos;
        hasSenderReport = true;
    }

    /**
     * The report block for now, and the start of a new reporting interval: the fraction lost is
     * over the packets expected since the previous call (A.3).
     */
    public RtcpReportBlock reportBlock(long nowNanos) {
        int fraction = closeInterval();
        long lsr = hasSenderReport ? lastSenderReportCompact : 0;
        long dlsr = hasSenderReport ? NtpTimestamp.toShortUnits(nowNanos - lastSenderReportArrivalNanos) : 0;
        return new RtcpReportBlock(ssrc, fraction, (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, cumulativeLost())),
                extendedHighestSequenceNumber(), jitter(), lsr, dlsr);
    }

    /**
     * {@link #reportBlock} written at {@code buf[off]} without a record, for the media loop's
     * reports (ADR 0027); returns {@link RtcpReportBlock#LENGTH}.
     */
    public int writeReportBlock(byte[] buf, int off, long nowNanos) {
        int fraction = closeInterval();
        long lsr = hasSenderReport ? lastSenderReportCompact : 0;
        long dlsr = hasSenderReport ? NtpTimestamp.toShortUnits(nowNanos - lastSenderReportArrivalNanos) : 0;
        return RtcpReportBlock.write(buf, off, ssrc, fraction,
                (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, cumulativeLost())),
                extendedHighestSequenceNumber(), jitter(), lsr, dlsr);
    }

    /**
     * Starts a new reporting interval, as a report block does, where no block is sent (the
     * network view's statistics); returns the fraction lost over the one closed (A.3).
     */
    public int closeInterval() {
        long expected = expected();
        long expectedInterval = expected - expectedPrior;
        long receivedInterval = received - receivedPrior;
        long lostInterval = expectedInterval - receivedInterval;
        expectedPrior = expected;
        receivedPrior = received;
        lastIntervalExpected = expectedInterval;
        lastIntervalLost = Math.max(0, lostInterval);
        return expectedInterval <= 0 || lostInterval <= 0 ? 0 : (int) Math.min(255, (lostInterval << 8) / expectedInterval);
    }

    public long ssrc() { return ssrc; }

    public boolean hasPackets() { return started; }

    public long packetsReceived() { return received; }

    public long payloadOctetsReceived() { return octets; }

    /** A.3: highest extended sequence number − base + 1. */
    public long expected() { return started ? highestSequence - baseSequence + 1 : 0; }

    /** A.3: expected − received; negative with duplicates. */
    public long cumulativeLost() { return expected() - received; }

    /** The 32-bit field of a report block: cycles in the high 16 bits, the highest sequence number in the low. */
    public long extendedHighestSequenceNumber() {
        if (!started) {
            return 0;
        }
        long cycles = (highestSequence >> 16) - (baseSequence >> 16);
        return (cycles << 16 | highestSequence & 0xFFFF) & 0xFFFFFFFFL;
    }

    /** Interarrival jitter in timestamp units, as a report block carries it. */
    public long jitter() { return (long) jitter; }

    public long jitterNanos() { return (long) (jitter * NANOS_PER_SECOND / clockRate); }

    /** Packets expected in the interval the last {@link #reportBlock} closed. */
    public long lastIntervalExpected() { return lastIntervalExpected; }

    /** Packets lost in the interval the last {@link #reportBlock} closed (never negative). */
    public long lastIntervalLost() { return lastIntervalLost; }
}
