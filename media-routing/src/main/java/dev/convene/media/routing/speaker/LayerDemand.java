package dev.convene.media.routing.speaker;

import java.util.Arrays;

/**
 * Dynacast for one published video track: which of its layers the publisher should encode,
 * from which layers its subscribers take. A layer someone takes is switched on at once (the
 * subscriber waits for its key frame meanwhile); a layer nobody takes is switched off only after
 * {@link #PAUSE_AFTER_NANOS} without a taker, so subscribers moving between layers, or a grid page
 * turned back, do not make the publisher's encoder flap. Pure: time is passed in.
 */
public final class LayerDemand {

    public static final long PAUSE_AFTER_NANOS = 2_000_000_000L;

    private final boolean[] sent;
    private final long[] lastWantedNanos;

    /** Every layer starts as sent: that is what a publisher does before it hears otherwise. */
    public LayerDemand(int layers, long nowNanos) {
        sent = new boolean[layers];
        lastWantedNanos = new long[layers];
        Arrays.fill(sent, true);
        Arrays.fill(lastWantedNanos, nowNanos);
    }

    /**
     * @param wanted which layers some subscriber takes or waits for, lowest first
     * @return whether {@link #sent()} changed, so the publisher must be told
     */
    public boolean update(boolean[] wanted, long nowNanos) {
        boolean changed = false;
        for (int i = 0; i < sent.length; i++) {
            boolean want = i < wanted.length && wanted[i];
            if (want) {
                lastWantedNanos[i] = nowNanos;
            }
            boolean next = want || nowNanos - lastWantedNanos[i] < PAUSE_AFTER_NANOS;
            if (next != sent[i]) {
                sent[i] = next;
                changed = true;
            }
        }
        return changed;
    }

    /** Whether layer {@code i} should be sent. */
    public boolean sent(int i) {
        return sent[i];
    }

    /** A copy of what should be sent, lowest first. */
    public boolean[] sent() {
        return sent.clone();
    }
}
