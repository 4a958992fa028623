package dev.convene.media.routing.bwe;

import dev.convene.media.core.rtcp.RtcpTransportFeedback;

/**
 * The receiving side of transport-wide congestion control for one publisher transport
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01, ADR 0031): records the arrival of every
 * packet that carries the transport-wide sequence number and, on the caller's timer, writes one
 * feedback packet for what arrived since the last — missing numbers in between reported as not
 * received — so the publisher's own estimator (Chromium's GCC) sizes its simulcast layers from
 * what reaches the SFU. The same shape as libwebrtc's and Pion's recorders.
 *
 * <p>Sequence numbers are extended to 64 bits so a feedback spanning the 16-bit wrap stays one.
 * A packet that arrives after its number was reported (reordered across a feedback) is not
 * reported again. Arrays are allocated once, at the first packet — a participant that never
 * publishes (most of a large meeting, every signaling-only one) holds none of their 72 KB —;
 * after it {@link #onPacket} and {@link #write} allocate nothing. Not thread-safe: confined to
 * the media loop.
 */
public final class TransportFeedbackRecorder {

    /** Packets one feedback reports at most; more wait for the next (at 100 ms, 10,000 packets a second). */
    public static final int MAX_PER_FEEDBACK = 1024;
    /** A packet this many numbers or more behind the newest is past reporting. */
    static final int WINDOW = 4096;

    private final long senderSsrc;
    /** Null until the first packet. */
    private long[] arrivals;
    private long[] sequences;
    private long[] scratch;
    private long highest = -1;
    private long nextToReport = -1;
    private int feedbackCount;
    /** Arrival times are written from this origin, so the 24-bit reference time does not wrap for 12 days. */
    private long baseNanos = Long.MIN_VALUE;
    private long recorded;
    private long written;

    /** @param senderSsrc the SSRC the SFU sends its RTCP to this publisher from */
    public TransportFeedbackRecorder(long senderSsrc) {
        this.senderSsrc = senderSsrc;
    }

    /** A packet with transport-wide number {@code sequence16} arrived at {@code arrivalNanos}. */
    public void onPacket(int sequence16, long arrivalNanos) {
        if (baseNanos == Long.MIN_VALUE) {
            baseNanos = arrivalNanos - 1_000_000_000L;
            arrivals = new long[WINDOW];
            sequences = new long[WINDOW];
            scratch = new long[MAX_PER_FEEDBACK];
            java.util.Arrays.fill(sequences, -1);
        }
        long extended;
        if (highest < 0) {
            extended = sequence16 & 0xFFFF;
            nextToReport = extended;
        } else {
            int delta = (short) (sequence16 - (int) (highest & 0xFFFF));
            extended = highest + delta;
            if (extended < nextToReport) {
                return; // reported already (as lost), or before the first
            }
        }
        highest = Math.max(highest, extended);
        int slot = (int) (extended % WINDOW);
        sequences[slot] = extended;
        arrivals[slot] = (arrivalNanos - baseNanos) / 1000;
        recorded++;
        if (highest - nextToReport >= WINDOW) {
            nextToReport = highest - WINDOW + 1;
        }
    }

    /**
     * Writes the feedback due into {@code buf} at {@code off} (room for
     * {@link RtcpTransportFeedback#maxLength}({@link #MAX_PER_FEEDBACK}) bytes); returns its
     * length, 0 when nothing arrived since the last one.
     *
     * @param mediaSsrc the media source the feedback names (any of the publisher's; libwebrtc ignores it)
     */
    public int write(byte[] buf, int off, long mediaSsrc) {
        if (highest < 0 || nextToReport > highest) {
            return 0;
        }
        int count = (int) Math.min(highest - nextToReport + 1, MAX_PER_FEEDBACK);
        boolean any = false;
        for (int i = 0; i < count; i++) {
            long s = nextToReport + i;
            int slot = (int) (s % WINDOW);
            scratch[i] = sequences[slot] == s ? arrivals[slot] : -1;
            any |= scratch[i] >= 0;
        }
        if (!any) {
            nextToReport += count;
            return 0;
        }
        int len = RtcpTransportFeedback.write(buf, off, senderSsrc, mediaSsrc, (int) (nextToReport & 0xFFFF),
                feedbackCount++ & 0xFF, scratch, count);
        nextToReport += count;
        written++;
        return len;
    }

    /** Packets recorded (their arrival kept for the next feedback). */
    public long recorded() { return recorded; }

    /** Feedback packets written. */
    public long written() { return written; }
}
