package dev.convene.client;

import dev.convene.media.core.rtcp.RtcpTransportFeedback;

/**
 * A subscriber's side of transport-wide congestion control
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01): records the arrival of every packet
 * carrying the transport-wide sequence number and, on the caller's timer, writes feedback for
 * what arrived since the last one — lost packets in between reported as not received — so the
 * SFU can estimate this bot's downlink as it does a browser's. Sequence numbers are extended to
 * 64 bits so the 16-bit wrap does not break a feedback in two. Thread-safe (the reader thread
 * records, a timer thread writes); at most {@link #MAX_PER_FEEDBACK} packets per feedback.
 */
final class TransportFeedbackSender {

    static final int MAX_PER_FEEDBACK = 1024;
    /** A packet older than this many numbers behind the next one due is past reporting. */
    private static final int WINDOW = 4096;

    private final long senderSsrc;
    private final long[] arrivals = new long[WINDOW];
    private final long[] sequences = new long[WINDOW];
    private long highest = -1;
    private long nextToReport = -1;
    private int feedbackCount;
    private final long[] scratch = new long[MAX_PER_FEEDBACK];
    private long sent;
    /** Arrival times are written relative to this, so the 24-bit reference time never wraps in a test's life. */
    private long baseNanos = Long.MIN_VALUE;

    TransportFeedbackSender(long senderSsrc) {
        this.senderSsrc = senderSsrc;
        java.util.Arrays.fill(sequences, -1);
    }

    /** A packet with transport-wide number {@code sequence16} arrived at {@code arrivalNanos}. */
    synchronized void onPacket(int sequence16, long arrivalNanos) {
        if (baseNanos == Long.MIN_VALUE) {
            baseNanos = arrivalNanos - 1_000_000_000L;
        }
        long extended;
        if (highest < 0) {
            extended = sequence16;
            nextToReport = extended;
        } else {
            int delta = (short) (sequence16 - (int) (highest & 0xFFFF));
            extended = highest + delta;
            if (extended < 0 || extended < nextToReport) {
                return; // reordered past a feedback already sent, or before the first
            }
        }
        highest = Math.max(highest, extended);
        int slot = (int) (extended % WINDOW);
        sequences[slot] = extended;
        arrivals[slot] = (arrivalNanos - baseNanos) / 1000;
        if (highest - nextToReport >= WINDOW) {
            nextToReport = highest - WINDOW + 1;
        }
    }

    /** Writes the feedback due into {@code buf}; returns its length, 0 when nothing arrived since the last one. */
    synchronized int write(byte[] buf, int off) {
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
            return 0;
        }
        int len = RtcpTransportFeedback.write(buf, off, senderSsrc, 0, (int) (nextToReport & 0xFFFF), feedbackCount++ & 0xFF,
                scratch, count);
        nextToReport += count;
        sent++;
        return len;
    }

    synchronized long feedbackSent() {
        return sent;
    }
}
