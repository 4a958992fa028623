package dev.convene.media.routing;

/**
 * Fixed-size byte arrays for stored packets, shared by the retransmission buffers of one event
 * loop (ADR 0027). A buffer takes an array when it stores a packet and gives it back when the
 * packet is evicted, so the arrays in use follow the loop's packets of the last second.
 *
 * <p>Why a pool with a refill: each buffer used to grow its own free list up to its highest
 * number of packets held at once, so every new high (a key frame burst, a loop catching up after
 * a stall) allocated on the packet path. Here {@link #take()} only allocates when the spare list
 * is empty, and {@link #replenish()}, called from a periodic task, keeps a spare margin of
 * {@code max(minSpare, inUse / 4)} arrays ahead of demand. Arrays given back are kept up to what
 * reaching the recent high-water mark of arrays in use again takes (plus its margin): the packets of the last second rise
 * and fall with the traffic, and dropping arrays on each fall only to allocate them again on the
 * next rise was most of what the loop still allocated (ADR 0027). The mark is the highest use in
 * the current and the previous {@link #MARK_PERIOD_TICKS} calls of {@link #replenish()} (30 to 60 s
 * of 20 ms ticks), and the spare list is trimmed to it, so a pool shrinks within a minute or so
 * after a busy meeting ends, yet a use that recurs within that time never allocates again.
 *
 * <p>Not thread-safe: confined to its event loop.
 */
public final class PacketArrays {

    private final int arraySize;
    private final int minSpare;
    private byte[][] spare;
    private int spareCount;
    private int inUse;
    /** Replenish calls per period of the high-water mark: 30 s of the media loop's 20 ms ticks. */
    public static final int MARK_PERIOD_TICKS = 1_500;

    private int highWater;
    private int currentPeriodHigh;
    private int previousPeriodHigh;
    private int ticks;
    private long allocatedOnTake;
    private long allocatedOnReplenish;

    /**
     * @param arraySize the length of every array (the largest packet kept)
     * @param minSpare  arrays kept spare at least, after a {@link #replenish()}
     */
    public PacketArrays(int arraySize, int minSpare) {
        if (arraySize < 1 || minSpare < 0) {
            throw new IllegalArgumentException("invalid pool: size " + arraySize + ", spare " + minSpare);
        }
        this.arraySize = arraySize;
        this.minSpare = minSpare;
        this.spare = new byte[Math.max(16, minSpare * 2)][];
    }

    /** A pool per buffer with no spare margin: arrays are allocated on demand, then reused. */
    public static PacketArrays unshared(int arraySize) {
        return new PacketArrays(arraySize, 0);
    }

    public int arraySize() {
        return arraySize;
    }

    /** An array of {@link #arraySize()} bytes; allocates only when no spare is left. */
    public byte[] take() {
        if (++inUse > currentPeriodHigh) {
            currentPeriodHigh = inUse;
            highWater = Math.max(highWater, inUse);
        }
        if (spareCount > 0) {
            byte[] a = spare[--spareCount];
            spare[spareCount] = null;
            return a;
        }
        allocatedOnTake++;
        return new byte[arraySize];
    }

    /** Gives back an array {@link #take()} returned. */
    public void give(byte[] array) {
        inUse--;
        // Beyond the list replenish() sized, or what the high-water mark may take again, an array is
        // left to the GC: giving back (on the packet path) never grows the list.
        if (array.length != arraySize || spareCount == spare.length || spareCount >= keep()) {
            return;
        }
        spare[spareCount++] = array;
    }

    /** Tops the spare list up to the margin. For a periodic task, off the packet path. */
    public void replenish() {
        if (++ticks >= MARK_PERIOD_TICKS) {
            ticks = 0;
            previousPeriodHigh = currentPeriodHigh;
            currentPeriodHigh = inUse;
        }
        highWater = Math.max(previousPeriodHigh, currentPeriodHigh);
        int keep = keep();
        while (spareCount > keep) {
            spare[--spareCount] = null;
        }
        // Room for every array the mark may see given back, so that give() never has to drop one it could keep.
        int room = Math.max(keep, highWater + Math.max(minSpare, highWater / 4));
        if (spare.length < room) {
            spare = java.util.Arrays.copyOf(spare, room);
        }
        int target = target();
        while (spareCount < target) {
            spare[spareCount++] = new byte[arraySize];
            allocatedOnReplenish++;
        }
    }

    private int target() {
        return Math.max(minSpare, inUse / 4);
    }

    /** Spares worth keeping: enough to reach the high-water mark again with its margin still spare. */
    private int keep() {
        return Math.max(Math.max(target() * 2, 16), highWater - inUse + Math.max(minSpare, highWater / 4));
    }

    /** Arrays handed out and not given back. */
    public int inUse() {
        return inUse;
    }

    public int spare() {
        return spareCount;
    }

    /** Arrays {@link #take()} had to allocate: the packet path's share. */
    public long allocatedOnTake() {
        return allocatedOnTake;
    }

    /** Arrays {@link #replenish()} allocated ahead of demand. */
    public long allocatedOnReplenish() {
        return allocatedOnReplenish;
    }
}
