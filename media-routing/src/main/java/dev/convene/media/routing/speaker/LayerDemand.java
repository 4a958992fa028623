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
    /**
     * How long a layer switched back on may stay silent and still count as coming: Chrome took
     * more than a second to resume a paused track, and a resumed layer seen as gone (silent for
     * 1 s) was no longer chosen, so paused again 2 s later, resumed again — and never came back.
     */
    public static final long RESUME_GRACE_NANOS = 5_000_000_000L;

    private final boolean[] sent;
    private final long[] lastWantedNanos;
    private final long[] resumedNanos;

    /** Every layer starts as sent: that is what a publisher does before it hears otherwise. */
    public LayerDemand(int layers, long nowNanos) {
        sent = new boolean[layers];
        lastWantedNanos = new long[layers];
        Arrays.fill(sent, true);
        Arrays.fill(lastWantedNanos, nowNanos);
        resumedNanos = new long[layers];
        Arrays.fill(resumedNanos, Long.MIN_VALUE);
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
                if (next) {
                    resumedNanos[i] = nowNanos;
                }
            }
        }
        return changed;
    }

    /** Whether layer {@code i} should be sent. */
    public boolean sent(int i) {
        return sent[i];
    }

    /** Whether layer {@code i} was switched back on within {@link #RESUME_GRACE_NANOS}: silence is expected. */
    public boolean resuming(int i, long nowNanos) {
        return sent[i] && resumedNanos[i] != Long.MIN_VALUE && nowNanos - resumedNanos[i] < RESUME_GRACE_NANOS;
    }

    /** A copy of what should be sent, lowest first. */
    public boolean[] sent() {
        return sent.clone();
    }
}
