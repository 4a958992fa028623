package dev.convene.media.routing.bwe;

/**
 * What one transport sent, by transport-wide sequence number
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01 §2): hands out the 16-bit number stamped
 * on each packet and remembers its send time and size for when feedback about it comes back.
 * Numbers are 64-bit internally, so feedback across the 16-bit wrap finds the right packet.
 * A ring of {@link #CAPACITY} entries, about 4 s of a 10 Mbit/s downlink, allocated at the first
 * packet (a participant that never receives media holds none of its 80 KB) and allocation-free
 * after it. Not thread-safe: confined to the transport's loop.
 */
public final class SendHistory {

    public static final int CAPACITY = 4096;
    private static final int MASK = CAPACITY - 1;

    /** Null until the first packet. */
    private long[] sequence;
    private long[] sendNanos;
    private int[] size;
    private long next;

    public SendHistory() {
        this(0);
    }

    /** Starting elsewhere than 0 lets a test reach the 16-bit wrap quickly. */
    SendHistory(long first) {
        this.next = first;
    }

    /** Records a packet of {@code bytes} sent now and returns the 16-bit number to stamp on it. */
    public int onSent(int bytes, long nowNanos) {
        if (sequence == null) {
            sequence = new long[CAPACITY];
            sendNanos = new long[CAPACITY];
            size = new int[CAPACITY];
            java.util.Arrays.fill(sequence, -1);
        }
        long s = next++;
        int slot = (int) (s & MASK);
        sequence[slot] = s;
        sendNanos[slot] = nowNanos;
        size[slot] = bytes;
        return (int) (s & 0xFFFF);
    }

    /**
     * The 64-bit number of a 16-bit one read from feedback: the one nearest the last number
     * handed out, or -1 if that packet is no longer (or never was) in the history.
     */
    public long find(int sequence16) {
        if (sequence == null) {
            return -1;
        }
        long last = next - 1;
        long candidate = (last & ~0xFFFFL) | (sequence16 & 0xFFFF);
        if (candidate > last) {
            candidate -= 0x10000;
        }
        if (candidate < 0 || candidate <= last - CAPACITY || sequence[(int) (candidate & MASK)] != candidate) {
            return -1;
        }
        return candidate;
    }

    /** Send time of a packet {@link #find} returned. */
    public long sendNanos(long sequence) {
        return sendNanos[(int) (sequence & MASK)];
    }

    public int size(long sequence) {
        return size[(int) (sequence & MASK)];
    }

    /** Packets numbered so far. */
    public long sent() {
        return next;
    }
}
