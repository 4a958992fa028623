package dev.convene.media.routing.simulcast;

/**
 * What a {@link LayerSelector} decided for one subscriber's leg, for the caller to apply.
 *
 * @param layer   the layer to forward from now on (its next key frame), or {@link Allocator#NONE}
 * @param changed whether this differs from the previous decision: the caller switches the leg's
 *                rewriter (or pauses it) and asks the publisher for a key frame of {@code layer}
 */
public record LayerChoice(int layer, boolean changed) {

    /** Layers 0-7 and NONE, unchanged and changed: a decision per leg and pass allocates nothing. */
    private static final LayerChoice[] CACHED = new LayerChoice[18];

    static {
        for (int layer = Allocator.NONE; layer < 8; layer++) {
            CACHED[(layer + 1) * 2] = new LayerChoice(layer, false);
            CACHED[(layer + 1) * 2 + 1] = new LayerChoice(layer, true);
        }
    }

    public static LayerChoice of(int layer, boolean changed) {
        int i = (layer + 1) * 2 + (changed ? 1 : 0);
        return i >= 0 && i < CACHED.length ? CACHED[i] : new LayerChoice(layer, changed);
    }
}
