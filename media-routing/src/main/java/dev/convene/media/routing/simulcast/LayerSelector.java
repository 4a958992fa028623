package dev.convene.media.routing.simulcast;

import java.util.List;

/**
 * One subscriber's choice of layer for one forwarded track: holds what the subscriber asked
 * for and the last decision, and asks its {@link Allocator} again whenever the inputs may have
 * changed. It decides only; the caller applies a change by switching the leg's
 * {@code RtpStreamRewriter}, which keeps the old layer flowing until a key frame of the new
 * one arrives — up or down alike, so the picture never stops while a switch waits.
 *
 * <p>Not thread-safe: confined to the subscriber's event loop.
 */
public final class LayerSelector {

    private final Allocator allocator;
    private LayerSettings settings = LayerSettings.UNCONSTRAINED;
    private int layer = Allocator.NONE;
    private long switches;

    public LayerSelector(Allocator allocator) {
        this.allocator = allocator;
    }

    public void setSettings(LayerSettings settings) {
        this.settings = settings;
    }

    public LayerSettings settings() {
        return settings;
    }

    /** Asks the allocator with the current layers and budget; see {@link LayerChoice}. */
    public LayerChoice update(List<LayerInfo> layers, long budgetBps) {
        int chosen = allocator.allocate(layers, settings, budgetBps);
        boolean changed = chosen != layer;
        if (changed) {
            layer = chosen;
            switches++;
        }
        return LayerChoice.of(chosen, changed);
    }

    /** The layer last decided, or {@link Allocator#NONE}. */
    public int layer() {
        return layer;
    }

    /** Decisions that changed the layer (pausing and resuming included). */
    public long switches() {
        return switches;
    }
}
