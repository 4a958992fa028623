package dev.convene.media.routing.simulcast;

/**
 * What a {@link LayerSelector} decided for one subscriber's leg, for the caller to apply.
 *
 * @param layer   the layer to forward from now on (its next key frame), or {@link Allocator#NONE}
 * @param changed whether this differs from the previous decision: the caller switches the leg's
 *                rewriter (or pauses it) and asks the publisher for a key frame of {@code layer}
 */
public record LayerChoice(int layer, boolean changed) {}
