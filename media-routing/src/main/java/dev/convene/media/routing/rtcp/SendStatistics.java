package dev.convene.media.routing.rtcp;

import dev.convene.media.core.rtcp.NtpTimestamp;
import dev.convene.media.core.rtcp.RtcpSenderReport;
import dev.convene.media.core.rtp.SequenceNumberUnwrapper;

/**
 * One outgoing stream of a subscriber leg, from the sender's side: the packet and octet counts
 * of the SRs we send on it (RFC 3550 §6.4.1, the leg's own counts, not the publisher's), and
 * what the subscriber's receiver reports about it say.
 *
 * <p>RTT comes from a report block's LSR/DLSR (RFC 3550 §6.4.1): we remember when each of our
 * last SRs left (by its compact NTP time) and take {@code arrival − sent − DLSR}, all on our
 * monotonic clock, so the NTP time we wrote may be anything consistent.
 *
 * <p>Downstream loss is what the subscriber reports lost minus the sequence numbers we never
 * sent: the rewriter passes gaps of the publisher's stream through (so the subscriber could
 * NACK them), and those losses happened upstream. Not thread-safe: confined to the subscriber's
 * event loop.
 */
public final class SendStatistics {
    private static final int SENT_REPORTS = 8;
    /** An SR to a subscriber carries no report blocks (the SFU receives nothing on that transport). */
    private static final dev.convene.media.core.rtcp.RtcpReportBlock[] NO_BLOCKS = {};

    private final long ssrc;
    private final int clockRate;
    private final SequenceNumberUnwrapper sequenceNumbers = new SequenceNumberUnwrapper();
    private boolean started;
    private long firstSequence;
    private long highestSequence;
    private long packets;
    private long octets;

    private final long[] sentCompact = new long[SENT_REPORTS];
    private final long[] sentNanos = new long[SENT_REPORTS];
    private int sentCount;

    private boolean hasReport;
    private long previousExtendedHighest;
    private long previousCumulativeLost;
    private long previousNotSent;
    private long lastRttNanos = -1;
    private double lastFractionLost;
    private long lastIntervalExpected;
    private long lastIntervalLost;
    private long lastJitterNanos;

    public SendStatistics(long ssrc, int clockRate) {
        this.ssrc = ssrc;
        this.clockRate = clockRate;
    }

    /** Records a packet sent to the subscriber (after rewriting: its output sequence number). */
    public void onPacketSent(int sequenceNumber, int payloadBytes) {
        long sequence = sequenceNumbers.unwrap(sequenceNumber);
        if (!started) {
            started = true;
            firstSequence = sequence;
            highestSequence = sequence;
        } else if (sequence > highestSequence) {
            highestSequence = sequence;
        } else if (sequence < firstSequence) {
            firstSequence = sequence;
        }
        packets++;
        octets += payloadBytes;
    }

    /**
     * Writes an SR for this stream at {@code buf[off]} with the given mapping and the leg's
     * counts, and remembers when it left for the RTT of the report that answers it.
     *
     * @return the SR's length
     */
    public int writeSenderReport(byte[] buf, int off, long ntpNow, long rtpTimestampNow, long nowNanos) {
        int slot = sentCount++ % SENT_REPORTS;
        sentCompact[slot] = NtpTimestamp.compact(ntpNow);
        sentNanos[slot] = nowNanos;
        return RtcpSenderReport.write(buf, off, ssrc, ntpNow, rtpTimestampNow & 0xFFFFFFFFL,
                packets & 0xFFFFFFFFL, octets & 0xFFFFFFFFL, NO_BLOCKS);
    }

    /** Reads one report block about this stream from the subscriber's RR or SR. */
    public ReceiverReportReading onReportBlock(int fractionLost, int cumulativeLost, long extendedHighest, long jitter,
            long lastSenderReport, long delaySinceLastSenderReport, long nowNanos) {
        long rtt = readReportBlock(fractionLost, cumulativeLost, extendedHighest, jitter, lastSenderReport,
                delaySinceLastSenderReport, nowNanos);
        return new ReceiverReportReading(rtt, lastFractionLost, lastIntervalExpected, lastIntervalLost, lastJitterNanos);
    }

    /**
     * As {@link #onReportBlock} without the record, for the media loop (a report block per
     * subscriber stream per second must not allocate): returns the RTT (-1 if none) and leaves
     * the rest in {@link #lastIntervalExpected()}, {@link #lastIntervalLost()}, {@link #lastJitterNanos()}.
     */
    public long readReportBlock(int fractionLost, int cumulativeLost, long extendedHighest, long jitter,
            long lastSenderReport, long delaySinceLastSenderReport, long nowNanos) {
        long rtt = rtt(lastSenderReport, delaySinceLastSenderReport, nowNanos);
        if (rtt >= 0) {
            lastRttNanos = rtt;
        }
        long notSent = notSent();
        long intervalExpected = 0;
        long intervalLost = 0;
        if (hasReport) {
            intervalExpected = Math.max(0, (int) (extendedHighest - previousExtendedHighest));
            long reportedLost = cumulativeLost - previousCumulativeLost;
            long lostUpstream = notSent - previousNotSent;
            intervalLost = Math.max(0, Math.min(intervalExpected, reportedLost - lostUpstream));
        }
        hasReport = true;
        previousExtendedHighest = extendedHighest;
        previousCumulativeLost = cumulativeLost;
        previousNotSent = notSent;
        lastFractionLost = fractionLost / 256.0;
        lastIntervalExpected = intervalExpected;
        lastIntervalLost = intervalLost;
        lastJitterNanos = jitter * 1_000_000_000L / clockRate;
        return rtt;
    }

    /** Of the last report block: packets expected since the one before (0 for the first). */
    public long lastIntervalExpected() {
        return lastIntervalExpected;
    }

    /** Of the last report block: of those, lost between us and the subscriber (upstream gaps excluded). */
    public long lastIntervalLost() {
        return lastIntervalLost;
    }

    /** Of the last report block: the subscriber's interarrival jitter. */
    public long lastJitterNanos() {
        return lastJitterNanos;
    }

    /** RTT from LSR/DLSR, or -1 when the block answers no SR we remember (LSR 0: none received yet). */
    long rtt(long lastSenderReport, long delaySinceLastSenderReport, long nowNanos) {
        if (lastSenderReport == 0) {
            return -1;
        }
        for (int i = 0; i < Math.min(sentCount, SENT_REPORTS); i++) {
            if (sentCompact[i] == lastSenderReport) {
                long rtt = nowNanos - sentNanos[i] - NtpTimestamp.fromShortUnits(delaySinceLastSenderReport);
                return Math.max(0, rtt);
            }
        }
        return -1;
    }

    /** Sequence numbers in the range we sent that we never sent (lost upstream, dropped before forwarding). */
    long notSent() {
        return started ? Math.max(0, highestSequence - firstSequence + 1 - packets) : 0;
    }

    public long ssrc() { return ssrc; }

    public int clockRate() { return clockRate; }

    public long packetsSent() { return packets; }

    public long payloadOctetsSent() { return octets; }

    /** The last RTT measured on this stream, or -1. */
    public long lastRttNanos() { return lastRttNanos; }
}
