package dev.convene.media.routing;

import dev.convene.media.core.rtp.SequenceNumberUnwrapper;
import java.util.Arrays;

/**
 * Receive-side loss detection for one RTP stream: which sequence numbers are missing, and
 * which of them to ask the sender for now (RFC 4585 generic NACK).
 *
 * <p>Sequence numbers are unwrapped to 64-bit values, so a wrap from 65535 to 0 is a step
 * forward and reordered packets land behind the newest. A gap adds every number in it to the
 * missing list (at most {@link Settings#maxMissing()}, oldest dropped first); a packet that
 * arrives for a missing number removes it. {@link #collect} names the numbers that are due: a
 * first request once a number has been missing {@link Settings#reorderDelayNanos()} (so plain
 * reordering asks for nothing), then again every RTT, until {@link Settings#maxRetries()}
 * requests or {@link Settings#maxAgeNanos()} after it went missing, when it is given up. A jump
 * of more than {@link Settings#resetGap()} (a restarted sender) clears the list instead of
 * filling it with thousands of numbers nobody will send again.
 *
 * <p>Time is the caller's monotonic clock in nanoseconds. Allocation-free after construction.
 * Not thread-safe: one per received stream, confined to its event loop.
 */
public final class NackGenerator implements PipelineStage {

    /**
     * @param maxMissing        numbers tracked at once
     * @param maxRetries        requests per number before giving up
     * @param maxAgeNanos       time after which a number is given up (a jitter buffer has moved on)
     * @param reorderDelayNanos wait before the first request, for packets that are only late
     * @param defaultRttNanos   spacing of repeated requests until an RTT is measured
     * @param resetGap          a forward jump larger than this starts afresh
     */
    public record Settings(int maxMissing, int maxRetries, long maxAgeNanos, long reorderDelayNanos,
            long defaultRttNanos, int resetGap) {
        public static Settings defaults() {
            return new Settings(512, 10, 1_000_000_000L, 10_000_000L, 100_000_000L, 3000);
        }

        public Settings {
            if (maxMissing < 1 || maxRetries < 1 || maxAgeNanos <= 0 || reorderDelayNanos < 0 || defaultRttNanos <= 0
                    || resetGap < 1) {
                throw new IllegalArgumentException("invalid NACK settings: " + this);
            }
        }
    }

    /** What {@link #onPacket} made of a packet. */
    public enum Arrival {
        /** Newer than anything before it (the first packet too). */
        NEW,
        /** Filled a gap that was being asked for. */
        RECOVERED,
        /** Older than the newest and not missing: a duplicate, or a number already given up. */
        DUPLICATE_OR_LATE,
        /** So far ahead that the stream was started afresh. */
        RESET
    }

    /** Extra spacing so that a retry never races a retransmission that is merely on its way. */
    private static final long MIN_RETRY_SPACING_NANOS = 5_000_000L;

    private final Settings settings;
    private final SequenceNumberUnwrapper unwrapper = new SequenceNumberUnwrapper();
    // The missing list, ascending by extended sequence number; parallel arrays box nothing.
    private final long[] sequence;
    private final long[] missingSince;
    private final long[] lastRequested;
    private final int[] requests;
    private int size;
    private long highest;
    private boolean started;
    private long rttNanos;

    private long packets;
    private long missed;
    private long recovered;
    private long requested;
    private long givenUp;
    private long overflowed;
    private long resets;
    /** Numbers given up or overflowed since {@link #takeAbandoned()} last looked. */
    private long abandoned;

    public NackGenerator(Settings settings) {
        this.settings = settings;
        this.sequence = new long[settings.maxMissing()];
        this.missingSince = new long[settings.maxMissing()];
        this.lastRequested = new long[settings.maxMissing()];
        this.requests = new int[settings.maxMissing()];
        this.rttNanos = settings.defaultRttNanos();
    }

    public NackGenerator() {
        this(Settings.defaults());
    }

    /** The round-trip time to the sender, as measured elsewhere (RTCP); spaces repeated requests. */
    public void setRtt(long nanos) {
        if (nanos > 0) {
            rttNanos = nanos;
        }
    }

    public long rttNanos() {
        return rttNanos;
    }

    /** Records the arrival of {@code sequenceNumber} (16-bit) at {@code nowNanos}. */
    public Arrival onPacket(int sequenceNumber, long nowNanos) {
        packets++;
        long seq = unwrapper.unwrap(sequenceNumber);
        if (!started) {
            started = true;
            highest = seq;
            return Arrival.NEW;
        }
        if (seq > highest) {
            long gap = seq - highest - 1;
            if (gap > settings.resetGap()) {
                resets++;
                size = 0;
                highest = seq;
                return Arrival.RESET;
            }
            addMissing(highest + 1, seq, nowNanos);
            highest = seq;
            return Arrival.NEW;
        }
        int index = Arrays.binarySearch(sequence, 0, size, seq);
        if (index < 0) {
            return Arrival.DUPLICATE_OR_LATE;
        }
        remove(index);
        recovered++;
        return Arrival.RECOVERED;
    }

    private void addMissing(long from, long toExclusive, long nowNanos) {
        long count = toExclusive - from;
        missed += count;
        if (count > sequence.length) {
            overflowed += count - sequence.length;
            abandoned += count - sequence.length;
            from = toExclusive - sequence.length;
            count = sequence.length;
        }
        int free = sequence.length - size;
        if (count > free) {
            int drop = (int) (count - free);
            overflowed += drop;
            abandoned += drop;
            removeFirst(drop);
        }
        for (long s = from; s < toExclusive; s++) {
            sequence[size] = s;
            missingSince[size] = nowNanos;
            lastRequested[size] = Long.MIN_VALUE;
            requests[size] = 0;
            size++;
        }
    }

    /**
     * Writes the 16-bit sequence numbers to request now into {@code out}, ascending, at most
     * {@code out.length}; counts them as requested. Gives up numbers past their retries or age.
     * Returns how many were written.
     */
    public int collect(long nowNanos, int[] out) {
        int written = 0;
        int kept = 0;
        long retrySpacing = Math.max(rttNanos, MIN_RETRY_SPACING_NANOS);
        for (int i = 0; i < size; i++) {
            boolean expired = requests[i] >= settings.maxRetries()
                    || nowNanos - missingSince[i] > settings.maxAgeNanos();
            if (expired) {
                givenUp++;
                abandoned++;
                continue;
            }
            boolean due = requests[i] == 0
                    ? nowNanos - missingSince[i] >= settings.reorderDelayNanos()
                    : nowNanos - lastRequested[i] >= retrySpacing;
            if (due && written < out.length) {
                out[written++] = (int) (sequence[i] & 0xFFFF);
                requests[i]++;
                lastRequested[i] = nowNanos;
                requested++;
            }
            if (kept != i) {
                sequence[kept] = sequence[i];
                missingSince[kept] = missingSince[i];
                lastRequested[kept] = lastRequested[i];
                requests[kept] = requests[i];
            }
            kept++;
        }
        size = kept;
        return written;
    }

    private void remove(int index) {
        int tail = size - index - 1;
        System.arraycopy(sequence, index + 1, sequence, index, tail);
        System.arraycopy(missingSince, index + 1, missingSince, index, tail);
        System.arraycopy(lastRequested, index + 1, lastRequested, index, tail);
        System.arraycopy(requests, index + 1, requests, index, tail);
        size--;
    }

    private void removeFirst(int count) {
        int tail = size - count;
        System.arraycopy(sequence, count, sequence, 0, tail);
        System.arraycopy(missingSince, count, missingSince, 0, tail);
        System.arraycopy(lastRequested, count, lastRequested, 0, tail);
        System.arraycopy(requests, count, requests, 0, tail);
        size = tail;
    }

    /**
     * How many missing numbers were abandoned — given up after their retries or age, or pushed
     * out of a full list — since the last call; resets the count. Each leaves a gap that every
     * receiver downstream keeps: only a key frame repairs it. (A reset is not counted: a sender
     * that starts afresh starts with a key frame.)
     */
    public long takeAbandoned() {
        long n = abandoned;
        abandoned = 0;
        return n;
    }

    /** Numbers currently missing and not given up. */
    public int missingCount() { return size; }

    /** The newest extended sequence number seen, or -1 before the first packet. */
    public long highestSequenceNumber() { return started ? highest : -1; }

    public long packets() { return packets; }

    /** Numbers that went missing (gaps seen), whether or not they came later. */
    public long missed() { return missed; }

    public long recovered() { return recovered; }

    /** Sequence numbers put in NACKs, repeats included. */
    public long requested() { return requested; }

    public long givenUp() { return givenUp; }

    /** Numbers dropped from a full list without being given up by age or retries. */
    public long overflowed() { return overflowed; }

    public long resets() { return resets; }

    @Override
    public String name() {
        return "nack_generator";
    }

    @Override
    public void appendCounters(CounterSink sink) {
        sink.counter("packets", packets);
        sink.counter("missed", missed);
        sink.counter("recovered", recovered);
        sink.counter("requested", requested);
        sink.counter("given_up", givenUp);
        sink.counter("overflowed", overflowed);
        sink.counter("resets", resets);
        sink.counter("missing_now", size);
    }
}
