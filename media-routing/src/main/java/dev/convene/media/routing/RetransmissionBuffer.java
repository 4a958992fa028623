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
 * <p>Shared payloads (ADR 0038): every subscriber of a layer is sent the same payload, so a
 * buffer given a pool of small "head" arrays keeps of a packet only what its leg changed — the
 * header and the payload's first {@link #HEAD_PAYLOAD} bytes, where codec descriptors (VP8's
 * picture id, VP9's) are rewritten — when the rest is byte for byte the tail of a packet the
 * layer's own buffer of received packets holds ({@link #storeReceived}). The leg's copy then
 * refers to that packet, and a lookup misses once the received buffer has let it go. A packet
 * that differs further in, or whose source is gone already, is copied whole as before; one no
 * longer than a head array is kept in one. Per forwarded packet that is a write of one or two
 * cache lines instead of the whole packet into memory the cache had long lost.
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

    /** Payload bytes a head keeps after the header: VP8's descriptor takes ≤ 6, VP9's flexible one with its layer indices ≤ ~16. */
    public static final int HEAD_PAYLOAD = 32;
    /** Length of a head array: a header with a browser's extensions (~50-80 bytes) and {@link #HEAD_PAYLOAD}. */
    public static final int HEAD_SIZE = 192;

    private final Settings settings;
    private final int mask;
    private final byte[][] data;
    /** A packet's whole length; the first {@code lengths - tails} bytes are in {@code data}. */
    private final int[] lengths;
    /** Bytes at the packet's end that are the same bytes at the end of {@code sources}' packet; 0 for a whole copy. */
    private final int[] tails;
    private final RetransmissionBuffer[] sources;
    private final long[] sourceSequences;
    private final long[] sequences;
    private final long[] storedAt;
    private final int[] retransmissions;
    private final long[] lastRetransmittedAt;
    private final RtpPacket view = new RtpPacket();
    /** Where packet arrays come from and go back to: this buffer's own, or its loop's (ADR 0027). */
    private final PacketArrays arrays;
    /** Small arrays for heads and short packets, or null: every packet is copied whole. */
    private final PacketArrays heads;
    /** A whole packet put back together from head and tail for {@link #packet}; given back on the next store. */
    private byte[] assembly;
    private long arraysAllocated;
    private long sharedTails;

    private boolean started;
    /** When {@link #storeReceived} last stored. */
    private long lastStoreNanos;
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
        this(settings, arrays, null);
    }

    /**
     * As {@link #RetransmissionBuffer(Settings, PacketArrays)}; with {@code heads} (arrays of
     * {@link #HEAD_SIZE} bytes, or null) a packet stored with its source keeps only its head.
     */
    public RetransmissionBuffer(Settings settings, PacketArrays arrays, PacketArrays heads) {
        if (arrays.arraySize() != settings.maxPacketSize()) {
            throw new IllegalArgumentException("pool arrays of " + arrays.arraySize() + " bytes for packets up to "
                    + settings.maxPacketSize());
        }
        if (heads != null && (heads.arraySize() < RtpPacket.FIXED_HEADER_LENGTH + HEAD_PAYLOAD
                || heads.arraySize() >= arrays.arraySize())) {
            throw new IllegalArgumentException("head arrays of " + heads.arraySize() + " bytes");
        }
        this.settings = settings;
        this.arrays = arrays;
        this.heads = heads;
        this.mask = settings.slots() - 1;
        this.data = new byte[settings.slots()][];
        this.lengths = new int[settings.slots()];
        this.tails = new int[settings.slots()];
        this.sources = new RetransmissionBuffer[settings.slots()];
        this.sourceSequences = new long[settings.slots()];
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
        store(packet, extendedSequence, nowNanos, null, 0);
    }

    /**
     * As {@link #store(RtpPacket, long, long)}, for a packet rewritten from the received packet
     * {@code sourceSequence} of {@code source} (a buffer filled by {@link #storeReceived}): when
     * its tail is that packet's, only its head is copied (ADR 0038).
     */
    public void store(RtpPacket packet, long extendedSequence, long nowNanos, RetransmissionBuffer source,
            long sourceSequence) {
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
        releaseAssembly();
        int slot = (int) (extendedSequence & mask);
        if (sequences[slot] != EMPTY) {
            bytes -= lengths[slot] - tails[slot];
        }
        int tail = source != null && heads != null ? sharedTail(packet, source, sourceSequence) : 0;
        int own = length - tail;
        PacketArrays pool = heads != null && own <= heads.arraySize() ? heads : arrays;
        byte[] array = data[slot];
        if (array != null && array.length != pool.arraySize()) {
            poolOf(array).give(array);
            array = null;
        }
        if (array == null) {
            long before = pool.allocatedOnTake();
            array = pool.take();
            data[slot] = array;
            arraysAllocated += pool.allocatedOnTake() - before;
        }
        System.arraycopy(packet.buffer(), packet.offset(), array, 0, own);
        lengths[slot] = length;
        tails[slot] = tail;
        sources[slot] = tail > 0 ? source : null;
        sourceSequences[slot] = sourceSequence;
        if (tail > 0) {
            sharedTails++;
        }
        sequences[slot] = extendedSequence;
        storedAt[slot] = nowNanos;
        retransmissions[slot] = 0;
        lastRetransmittedAt[slot] = Long.MIN_VALUE;
        bytes += own;
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
        bytes -= lengths[slot] - tails[slot];
        poolOf(data[slot]).give(data[slot]);
        data[slot] = null;
        sources[slot] = null;
        return true;
    }

    private PacketArrays poolOf(byte[] array) {
        return heads != null && array.length == heads.arraySize() ? heads : arrays;
    }

    /**
     * How many bytes at the end of {@code packet} are, byte for byte, the end of {@code source}'s
     * packet {@code sourceSequence}, leaving a head that fits a head array; 0 if that is not so.
     */
    private int sharedTail(RtpPacket packet, RetransmissionBuffer source, long sourceSequence) {
        int length = packet.length();
        int head = packet.headerLength() + HEAD_PAYLOAD;
        if (head >= length || head > heads.arraySize()) {
            return 0;
        }
        int s = source.slotOf(sourceSequence);
        if (s < 0 || source.tails[s] != 0) {
            return 0;
        }
        int tail = length - head;
        int sourceLength = source.lengths[s];
        if (tail > sourceLength) {
            return 0;
        }
        int from = packet.offset() + head;
        return Arrays.equals(packet.buffer(), from, from + tail, source.data[s], sourceLength - tail, sourceLength)
                ? tail : 0;
    }

    /** The slot holding {@code extendedSequence}, or -1; no side effects (for the buffers that refer to this one). */
    private int slotOf(long extendedSequence) {
        int slot = (int) (extendedSequence & mask);
        return started && extendedSequence >= oldest && sequences[slot] == extendedSequence ? slot : -1;
    }

    /**
     * Stores a packet as received from its publisher, for the legs that forward it to refer to
     * ({@link #store(RtpPacket, long, long, RetransmissionBuffer, long)}), and returns the
     * extended sequence number it is kept under: the 16-bit number extended next to the newest.
     */
    public long storeReceived(RtpPacket packet, long nowNanos) {
        int sequenceNumber = packet.sequenceNumber();
        // The first number is lifted by a cycle so that one reordered before it stays positive.
        long extended = started ? extend(sequenceNumber) : sequenceNumber + 0x10000L;
        if (started && extended <= newest && nowNanos - lastStoreNanos > settings.maxAgeNanos()) {
            // Nothing stored for longer than anything is kept (nobody took the layer meanwhile): the
            // number moved on by any amount, so it is read forward from the newest, never back.
            int ahead = (sequenceNumber - (int) (newest & 0xFFFF)) & 0xFFFF;
            extended = newest + (ahead == 0 ? 0x10000 : ahead);
        }
        store(packet, extended, nowNanos);
        lastStoreNanos = nowNanos;
        return extended;
    }

    private void releaseAssembly() {
        if (assembly != null) {
            arrays.give(assembly);
            assembly = null;
        }
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
        if (tails[slot] > 0 && sources[slot].slotOf(sourceSequences[slot]) < 0) {
            // The layer's received packets let the payload go (their count, bytes or age).
            evict(extendedSequence);
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

    /**
     * A view of the packet in {@code slot}, as {@link #find} just returned it (nothing stored in
     * the source buffer since); valid until the next store.
     */
    public RtpPacket packet(int slot) {
        int tail = tails[slot];
        if (tail == 0) {
            view.wrap(data[slot], 0, lengths[slot]);
            return view;
        }
        RetransmissionBuffer source = sources[slot];
        int s = source.slotOf(sourceSequences[slot]);
        if (s < 0) {
            throw new IllegalStateException("the source let packet " + sourceSequences[slot] + " go since find");
        }
        if (assembly == null) {
            assembly = arrays.take();
        }
        int own = lengths[slot] - tail;
        System.arraycopy(data[slot], 0, assembly, 0, own);
        System.arraycopy(source.data[s], source.lengths[s] - tail, assembly, own, tail);
        view.wrap(assembly, 0, lengths[slot]);
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

    /** Packets stored as a head referring to a received packet's tail. */
    public long sharedTails() { return sharedTails; }

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
        sink.counter("shared_tails", sharedTails);
    }
}
