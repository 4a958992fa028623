package dev.convene.media.routing;

import dev.convene.media.core.rtp.RtpPacket;
import java.util.Arrays;

/**
 * The packets recently sent on one outgoing stream, kept so that a receiver's NACK can be
 * answered: about a second of them, bounded three ways — a number of slots, a byte budget
 * across stored packets, and an age.
 *
 * <p>Packets are keyed by their extended (64-bit) output sequence number; a slot is
 * {@code sequence & (slots - 1)}, so storing number n overwrites n − slots. When the stored
 * bytes pass the budget, the oldest packets go first; packets older than
 * {@link Settings#maxAgeNanos()} are freed as newer ones are stored, and a lookup of one misses.
 * Each entry also carries what the {@link Retransmitter} needs: how often and when it was last
 * retransmitted.
 *
 * <p>Memory: a packet's bytes live in a {@link Settings#maxPacketSize()} array taken from a
 * {@link PacketArrays} pool and returned to it on eviction, so a leg holds arrays for about one
 * second of its own packets (a quiet leg little, a busy one at most {@code slots} of them). The
 * pool is the buffer's own (it grows to the leg's highest need, then stores allocate nothing)
 * or, on the SFU, one per event loop kept ahead of demand by a periodic refill (ADR 0027).
 *
 * <p>Not thread-safe: one per outgoing stream, confined to its event loop.
 */
public final class RetransmissionBuffer implements PipelineStage {

    /**
     * @param slots         packets kept at most; a power of two
     * @param maxBytes      bytes kept at most, across packets
     * @param maxAgeNanos   packets older than this are not retransmitted
     * @param maxPacketSize larger packets are not kept
     */
    public record Settings(int slots, int maxBytes, long maxAgeNanos, int maxPacketSize) {
        /** About a second of 2.5 Mbit/s video (~250 packets/s), within 1 MiB. */
        public static Settings defaults() {
            return new Settings(512, 512 * 1024, 1_000_000_000L, 1500);
        }

        public Settings {
            if (slots < 1 || Integer.bitCount(slots) != 1 || maxBytes < 1 || maxAgeNanos <= 0 || maxPacketSize < 12) {
                throw new IllegalArgumentException("invalid retransmission buffer settings: " + this);
            }
        }
    }

    private static final long EMPTY = Long.MIN_VALUE;

    private final Settings settings;
    private final int mask;
    private final byte[][] data;
    private final int[] lengths;
    private final long[] sequences;
    private final long[] storedAt;
    private final int[] retransmissions;
    private final long[] lastRetransmittedAt;
    private final RtpPacket view = new RtpPacket();
    /** Where packet arrays come from and go back to: this buffer's own, or its loop's (ADR 0027). */
    private final PacketArrays arrays;
    private long arraysAllocated;

    private boolean started;
    /** Lowest sequence number that may still be held; everything below is gone. */
    private long oldest;
    private long newest;
    private int bytes;

    private long stored;
    private long tooLarge;
    private long evictedByCount;
    private long evictedByBytes;
    private long evictedByAge;
    private long hits;
    private long misses;
    private boolean lastMissGone;

    public RetransmissionBuffer(Settings settings) {
        this(settings, PacketArrays.unshared(settings.maxPacketSize()));
    }

    /** As {@link #RetransmissionBuffer(Settings)}, with arrays from {@code arrays} (of {@code maxPacketSize} bytes). */
    public RetransmissionBuffer(Settings settings, PacketArrays arrays) {
        if (arrays.arraySize() != settings.maxPacketSize()) {
            throw new IllegalArgumentException("pool arrays of " + arrays.arraySize() + " bytes for packets up to "
                    + settings.maxPacketSize());
        }
        this.settings = settings;
        this.arrays = arrays;
        this.mask = settings.slots() - 1;
        this.data = new byte[settings.slots()][];
        this.lengths = new int[settings.slots()];
        this.sequences = new long[settings.slots()];
        this.storedAt = new long[settings.slots()];
        this.retransmissions = new int[settings.slots()];
        this.lastRetransmittedAt = new long[settings.slots()];
        Arrays.fill(sequences, EMPTY);
    }

    public RetransmissionBuffer() {
        this(Settings.defaults());
    }

    /** Copies {@code packet} (as sent, before SRTP) under its extended sequence number. */
    public void store(RtpPacket packet, long extendedSequence, long nowNanos) {
        int length = packet.length();
        if (length > settings.maxPacketSize()) {
            tooLarge++;
            return;
        }
        if (!started) {
            started = true;
            oldest = extendedSequence;
            newest = extendedSequence;
        } else if (extendedSequence > newest) {
            newest = extendedSequence;
            long floor = newest - mask;
            if (floor - oldest > mask) {
                // A jump past every slot: each one is stale, so skip the walk over the numbers between.
                for (int i = 0; i < sequences.length; i++) {
                    if (sequences[i] != EMPTY && evict(sequences[i])) {
                        evictedByCount++;
                    }
                }
                oldest = floor;
            }
            while (oldest < floor) {
                if (evict(oldest)) {
                    evictedByCount++;
                }
                oldest++;
            }
        } else if (extendedSequence < oldest) {
            // Older than what the slots still cover (a very late reordered packet).
            return;
        }
        evictAged(nowNanos);
        int slot = (int) (extendedSequence & mask);
        if (sequences[slot] != EMPTY) {
            bytes -= lengths[slot];
        }
        if (data[slot] == null) {
            long before = arrays.allocatedOnTake();
            data[slot] = arrays.take();
            arraysAllocated += arrays.allocatedOnTake() - before;
        }
        System.arraycopy(packet.buffer(), packet.offset(), data[slot], 0, length);
        lengths[slot] = length;
        sequences[slot] = extendedSequence;
        storedAt[slot] = nowNanos;
        retransmissions[slot] = 0;
        lastRetransmittedAt[slot] = Long.MIN_VALUE;
        bytes += length;
        stored++;
        while (bytes > settings.maxBytes() && oldest < extendedSequence) {
            if (evict(oldest)) {
                evictedByBytes++;
            }
            oldest++;
        }
    }

    private boolean evict(long sequence) {
        int slot = (int) (sequence & mask);
        if (sequences[slot] != sequence) {
            return false;
        }
        sequences[slot] = EMPTY;
        bytes -= lengths[slot];
        arrays.give(data[slot]);
        data[slot] = null;
        return true;
    }

    /**
     * Frees the oldest packets while they are past their age. Numbers never stored (lost before
     * they reached us) are stepped over only behind an aged packet: one of them may still come,
     * repaired upstream, and must find its slot.
     */
    private void evictAged(long nowNanos) {
        for (long s = oldest; s < newest; s++) {
            int slot = (int) (s & mask);
            if (sequences[slot] == s) {
                if (nowNanos - storedAt[slot] <= settings.maxAgeNanos()) {
                    return;
                }
                evict(s);
                evictedByAge++;
                oldest = s + 1;
            }
        }
    }

    /**
     * Extends a 16-bit sequence number from a NACK to the stored number nearest the newest one;
     * -1 before anything was stored.
     */
    public long extend(int sequenceNumber) {
        if (!started) {
            return -1;
        }
        return newest + (short) ((sequenceNumber & 0xFFFF) - (int) (newest & 0xFFFF));
    }

    /**
     * The slot holding {@code extendedSequence}, or -1 if it is not held (never stored,
     * overwritten, evicted, or older than the age limit — then it is evicted now).
     */
    public int find(long extendedSequence, long nowNanos) {
        int slot = (int) (extendedSequence & mask);
        if (extendedSequence < oldest || sequences[slot] != extendedSequence) {
            misses++;
            lastMissGone = started && extendedSequence < oldest;
            return -1;
        }
        if (nowNanos - storedAt[slot] > settings.maxAgeNanos()) {
            evict(extendedSequence);
            evictedByAge++;
            misses++;
            lastMissGone = true;
            return -1;
        }
        hits++;
        return slot;
    }

    /**
     * After a {@link #find} that missed: whether the number is behind everything the buffer
     * still covers or was just aged out — it can never be found again — rather than a number
     * in the covered range that was never stored (lost before it reached us: a repair from
     * upstream may still store it) or one not sent yet.
     */
    public boolean lastMissWasGone() { return lastMissGone; }

    /** A view of the packet in {@code slot} (from {@link #find}); valid until the next store. */
    public RtpPacket packet(int slot) {
        view.wrap(data[slot], 0, lengths[slot]);
        return view;
    }

    public int retransmissions(int slot) { return retransmissions[slot]; }

    public long lastRetransmittedAt(int slot) { return lastRetransmittedAt[slot]; }

    public void markRetransmitted(int slot, long nowNanos) {
        retransmissions[slot]++;
        lastRetransmittedAt[slot] = nowNanos;
    }

    /** Packet arrays ever allocated: with {@link Settings#maxPacketSize()}, the memory the buffer holds. */
    public long arraysAllocated() { return arraysAllocated; }

    /** Bytes of the packets currently held. */
    public int bytes() { return bytes; }

    public long stored() { return stored; }

    public long evictedByCount() { return evictedByCount; }

    public long evictedByBytes() { return evictedByBytes; }

    public long evictedByAge() { return evictedByAge; }

    public long hits() { return hits; }

    public long misses() { return misses; }

    @Override
    public String name() {
        return "retransmission_buffer";
    }

    @Override
    public void appendCounters(CounterSink sink) {
        sink.counter("stored", stored);
        sink.counter("too_large", tooLarge);
        sink.counter("evicted_by_count", evictedByCount);
        sink.counter("evicted_by_bytes", evictedByBytes);
        sink.counter("evicted_by_age", evictedByAge);
        sink.counter("hits", hits);
        sink.counter("misses", misses);
        sink.counter("bytes_now", bytes);
        sink.counter("arrays_allocated", arraysAllocated);
    }
}
