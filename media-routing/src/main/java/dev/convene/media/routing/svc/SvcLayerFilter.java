package dev.convene.media.routing.svc;

import dev.convene.media.core.codec.Vp9Descriptor;
import dev.convene.media.routing.BitrateMeter;

/**
 * Drops the VP9 SVC layers above one subscriber's target from the one stream a publisher sends
 * (e.g. Chrome's {@code L3T3_KEY}), and says how the forwarded packets must be renumbered and
 * marked so the subscriber sees a gapless stream whose pictures end where its layers end.
 *
 * <p>Switch points, for {@code L3T3_KEY} (spatial layers predict from lower layers only in the
 * key picture; temporal layers in the 0-2-1-2 pattern):
 * <ul>
 *   <li>spatial down: at the next picture start (any frame boundary, nothing above depends on it);</li>
 *   <li>spatial up: only at a key picture — an upper layer's frames reference its own earlier
 *       frames, which the subscriber never got. Until then its packets are
 *       {@link Verdict#DROP_WAITING}: the caller's cue to request a key frame;</li>
 *   <li>temporal down at any picture start; up at a base-temporal-layer picture (every later
 *       frame references it or newer ones).</li>
 * </ul>
 *
 * <p>Output numbering: a packet's output sequence number is its (extended) input number minus
 * the packets dropped before it. The number of drops before each recent input number is kept in a
 * ring, so a late packet (reordered, or repaired by RTX) gets the number its place implies. A
 * gap in the input is kept in the output (the subscriber NACKs it, the repair fills it) unless
 * it surely lies inside a dropped layer's frame: the packet after it continues, mid-frame, the
 * dropped frame the packet before it was part of (or the one right above it). Any other lost
 * packet of a dropped layer leaves a gap the subscriber NACKs in vain — rarer, and cheaper than
 * holding packets back. Timestamps and picture ids are left as they are.
 *
 * <p>Marker: the last forwarded packet of a picture is the end of the highest forwarded spatial
 * layer, so {@code M} is set on a packet with {@code E} at the current spatial layer (the
 * publisher's own marker, on the top layer it sent, is kept when that layer is forwarded).
 *
 * <p>Allocation-free per packet. Not thread-safe: one per subscriber leg, on its event loop.
 */
public final class SvcLayerFilter {

    /** What to do with one packet. */
    public enum Verdict {
        FORWARD,
        /** Above the current layers and not wanted. */
        DROP,
        /** Wanted (within the target) but waiting for a key picture to switch up at. */
        DROP_WAITING,
        /** Older than the numbering window: its output number is no longer known. */
        DROP_TOO_OLD
    }

    /** Input sequence numbers whose output number is remembered. */
    static final int WINDOW = 1 << 10;
    private static final int MASK = WINDOW - 1;
    private static final byte UNSEEN = 0;
    private static final byte FORWARDED = 1;
    private static final byte DROPPED = 2;
    /** Longer input gaps are never attributed to a dropped frame: too much could hide in them. */
    private static final int MAX_ATTRIBUTED_GAP = 16;

    private final Vp9Descriptor descriptor = new Vp9Descriptor();
    private final long[] dropsBefore = new long[WINDOW];
    private final byte[] fate = new byte[WINDOW];
    private final BitrateMeter[] layerBitrates = new BitrateMeter[Vp9Descriptor.MAX_SPATIAL_LAYERS];
    private final int[] widths = new int[Vp9Descriptor.MAX_SPATIAL_LAYERS];
    private final int[] heights = new int[Vp9Descriptor.MAX_SPATIAL_LAYERS];
    private int knownSizes;
    private long lastArrivalNanos;

    private int targetSpatial = Integer.MAX_VALUE;
    private int targetTemporal = Integer.MAX_VALUE;
    private int currentSpatial;
    private int currentTemporal = Integer.MAX_VALUE;

    private boolean started;
    private long highest;
    private long drops;
    // The newest packet so far, to place the gap before the next one.
    private int lastSid;
    private int lastTid;
    private boolean lastEnd = true;

    private long outputSequence;
    private boolean marker;

    private long forwarded;
    private long dropped;
    private long lateGaps;
    private long spatialSwitches;

    public SvcLayerFilter() {
        for (int i = 0; i < layerBitrates.length; i++) {
            layerBitrates[i] = new BitrateMeter();
        }
    }

    /**
     * The highest spatial and temporal layers this subscriber should get; applied at the next
     * switch point. {@code Integer.MAX_VALUE} means all.
     */
    public void setTarget(int spatial, int temporal) {
        if (spatial < 0 || temporal < 0) {
            throw new IllegalArgumentException("layers are 0 or more: S" + spatial + "T" + temporal);
        }
        targetSpatial = spatial;
        targetTemporal = temporal;
    }

    /** Forgets the numbering (the rewriter starts a new source); the layers stay. */
    public void reset() {
        started = false;
        drops = 0;
    }

    /**
     * Decides for one packet of the stream.
     *
     * @param sequence     the packet's extended input sequence number
     * @param inputMarker  the packet's RTP marker bit
     * @param arrivalNanos for the per-layer bitrates
     */
    public Verdict filter(byte[] buf, int payloadOff, int payloadLen, long sequence, boolean inputMarker,
            long arrivalNanos) {
        if (!descriptor.wrap(buf, payloadOff, payloadLen)) {
            // Not a VP9 descriptor we can read: forward it as a single-layer stream would be.
            return place(sequence, true, inputMarker);
        }
        int sid = descriptor.spatialId();
        int tid = descriptor.temporalId();
        layerBitrates[sid].record(payloadLen, arrivalNanos);
        lastArrivalNanos = arrivalNanos;
        if (descriptor.ssLayers() > 0) {
            knownSizes = descriptor.ssLayers();
            for (int i = 0; i < knownSizes; i++) {
                widths[i] = descriptor.width(i);
                heights[i] = descriptor.height(i);
            }
        }
        boolean newest = !started || sequence > highest;
        if (newest && sid == 0 && descriptor.isStartOfFrame()) {
            onPictureStart(tid);
        }
        boolean forward = sid <= currentSpatial && tid <= currentTemporal;
        if (newest && started) {
            long gap = sequence - highest - 1;
            if (gap > 0 && gap <= MAX_ATTRIBUTED_GAP && !forward && !descriptor.isStartOfFrame()
                    && (lastSid == sid && lastTid == tid && !lastEnd || lastEnd && lastSid == sid - 1)) {
                dropGap(sequence);
            }
            lastSid = sid;
            lastTid = tid;
            lastEnd = descriptor.isEndOfFrame();
        }
        if (sid > currentSpatial && sid <= targetSpatial && tid <= currentTemporal) {
            return placeDropped(sequence, newest, Verdict.DROP_WAITING);
        }
        if (!forward) {
            return placeDropped(sequence, newest, Verdict.DROP);
        }
        boolean endOfTop = descriptor.isEndOfFrame() && sid == currentSpatial;
        return place(sequence, newest, inputMarker || endOfTop);
    }

    private void onPictureStart(int tid) {
        boolean keyPicture = !descriptor.isInterPicture();
        if (keyPicture || targetSpatial < currentSpatial) {
            if (currentSpatial != targetSpatial) {
                spatialSwitches++;
            }
            currentSpatial = keyPicture ? targetSpatial : Math.min(currentSpatial, targetSpatial);
        }
        if (targetTemporal < currentTemporal || keyPicture || tid == 0) {
            currentTemporal = targetTemporal;
        }
    }

    private Verdict place(long sequence, boolean newest, boolean outMarker) {
        if (!started) {
            started = true;
            highest = sequence - 1;
        }
        int slot = (int) (sequence & MASK);
        if (newest) {
            advanceTo(sequence);
            dropsBefore[slot] = drops;
        } else if (highest - sequence >= WINDOW) {
            dropped++;
            return Verdict.DROP_TOO_OLD;
        } else if (fate[slot] == DROPPED) {
            // A copy of a packet already dropped (an RTX repair): keep it dropped.
            dropped++;
            return Verdict.DROP;
        }
        fate[slot] = FORWARDED;
        outputSequence = sequence - dropsBefore[slot];
        marker = outMarker;
        forwarded++;
        return Verdict.FORWARD;
    }

    private Verdict placeDropped(long sequence, boolean newest, Verdict verdict) {
        dropped++;
        if (!started) {
            return verdict;
        }
        if (newest) {
            advanceTo(sequence);
            fate[(int) (sequence & MASK)] = DROPPED;
            drops++;
        } else if (highest - sequence < WINDOW && fate[(int) (sequence & MASK)] == UNSEEN) {
            // Its output number was handed out when the packets after it arrived: a gap now.
            lateGaps++;
        }
        return verdict;
    }

    /** The missing packets before {@code sequence} belong to a dropped frame: count them dropped. */
    private void dropGap(long sequence) {
        for (long s = highest + 1; s < sequence; s++) {
            int slot = (int) (s & MASK);
            fate[slot] = DROPPED;
            dropsBefore[slot] = drops;
            drops++;
        }
        highest = sequence - 1;
    }

    /** Input numbers skipped on the way to {@code sequence} are lost or late: they keep today's offset. */
    private void advanceTo(long sequence) {
        long from = Math.max(highest + 1, sequence - WINDOW + 1);
        for (long s = from; s <= sequence; s++) {
            int slot = (int) (s & MASK);
            fate[slot] = UNSEEN;
            dropsBefore[slot] = drops;
        }
        highest = sequence;
    }

    /** The output sequence number (extended, before the rewriter's source offset) of the packet last forwarded. */
    public long outputSequence() { return outputSequence; }

    /** The marker bit the packet last forwarded must carry. */
    public boolean marker() { return marker; }

    /** Spatial layer forwarded now. */
    public int currentSpatial() { return currentSpatial; }

    public int currentTemporal() { return currentTemporal; }

    public int targetSpatial() { return targetSpatial; }

    /** True while the target asks for a spatial layer the subscriber can only get from a key picture. */
    public boolean isWaitingForKeyPicture() {
        return targetSpatial > currentSpatial && (knownSizes == 0 || currentSpatial < knownSizes - 1);
    }

    /** Spatial layers whose size the last scalability structure gave (0 before one arrived). */
    public int knownSpatialLayers() { return knownSizes; }

    public int width(int sid) { return widths[sid]; }

    public int height(int sid) { return heights[sid]; }

    /** The bitrate the publisher sends on spatial layer {@code sid}, over the last second. */
    public long layerBitsPerSecond(int sid, long nowNanos) {
        // A meter read at a time before its last packet starts over; the caller's tick may lag the packet clock.
        return layerBitrates[sid].bitsPerSecond(Math.max(nowNanos, lastArrivalNanos));
    }

    public long forwardedPackets() { return forwarded; }

    public long droppedPackets() { return dropped; }

    /** Late packets of dropped layers whose output number was already skipped over. */
    public long lateGaps() { return lateGaps; }

    public long spatialSwitches() { return spatialSwitches; }
}
