package dev.convene.client;

import dev.convene.media.core.rtp.SequenceNumberUnwrapper;
import dev.convene.media.routing.NackGenerator;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * A subscriber's loss recovery for one received stream, as a browser does it: a
 * {@link NackGenerator} that says what to NACK, and a record of which sequence numbers arrived
 * (and how often each came as RTX), so a test can tell how complete the stream is. Guarded by
 * its own monitor: the reader thread records, the NACK timer collects.
 */
final class ReceiveRecovery {

    /** Sequence numbers remembered per stream: minutes of video, a bounded few hundred KiB. */
    private static final int MAX_TRACKED = 1 << 21;

    private final NackGenerator nacks = new NackGenerator();
    private final SequenceNumberUnwrapper unwrapper = new SequenceNumberUnwrapper();
    private final BitSet received = new BitSet();
    private final Map<Long, Integer> rtxPerSequence = new HashMap<>();
    private long first = Long.MIN_VALUE;
    private long highest = Long.MIN_VALUE;
    private long rtxReceived;
    private long rtxDuplicates;
    private int maxRtxOfOnePacket;

    /** Records an arrival; returns false for a retransmission of a packet that was already here. */
    synchronized boolean onPacket(int sequenceNumber, boolean retransmission, long nowNanos) {
        NackGenerator.Arrival arrival = nacks.onPacket(sequenceNumber, nowNanos);
        long ext = unwrapper.unwrap(sequenceNumber);
        if (first == Long.MIN_VALUE) {
            first = ext;
        }
        highest = Math.max(highest, ext);
        if (retransmission) {
            rtxReceived++;
            int count = rtxPerSequence.merge(ext, 1, Integer::sum);
            maxRtxOfOnePacket = Math.max(maxRtxOfOnePacket, count);
            if (arrival == NackGenerator.Arrival.DUPLICATE_OR_LATE) {
                rtxDuplicates++;
                return false;
            }
        }
        long index = ext - first;
        if (index >= 0 && index < MAX_TRACKED) {
            received.set((int) index);
        }
        return true;
    }

    synchronized int collect(long nowNanos, int[] out) {
        return nacks.collect(nowNanos, out);
    }

    synchronized StreamCompleteness completeness(int ignoreNewest) {
        if (first == Long.MIN_VALUE) {
            return new StreamCompleteness(0, 0, rtxReceived, rtxDuplicates, maxRtxOfOnePacket, nacks.requested());
        }
        long end = Math.min(highest - ignoreNewest, first + MAX_TRACKED - 1);
        long expected = Math.max(0, end - first + 1);
        long got = expected == 0 ? 0 : received.get(0, (int) expected).cardinality();
        return new StreamCompleteness(expected, got, rtxReceived, rtxDuplicates, maxRtxOfOnePacket, nacks.requested());
    }
}
