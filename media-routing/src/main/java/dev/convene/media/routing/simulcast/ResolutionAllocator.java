package dev.convene.media.routing.simulcast;

import java.util.List;

/**
 * The highest active layer whose picture fits the subscriber's maximum size and whose bitrate
 * fits the budget; when none fits, the lowest active layer (a tile smaller than the smallest
 * layer still shows something). Nothing when paused or when no layer is active.
 */
public final class ResolutionAllocator implements Allocator {

    @Override
    public int allocate(List<LayerInfo> layers, LayerSettings settings, long budgetBps) {
        if (settings.paused()) {
            return NONE;
        }
        int chosen = NONE;
        int lowestActive = NONE;
        for (int i = 0; i < layers.size(); i++) {
            LayerInfo layer = layers.get(i);
            if (!layer.active()) {
                continue;
            }
            if (lowestActive == NONE) {
                lowestActive = layer.index();
            }
            if (settings.fits(layer.width(), layer.height()) && layer.bitsPerSecond() <= budgetBps) {
                chosen = layer.index();
            }
        }
        return chosen == NONE ? lowestActive : chosen;
    }
}
