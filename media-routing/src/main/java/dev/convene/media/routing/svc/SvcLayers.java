package dev.convene.media.routing.svc;

import dev.convene.media.routing.simulcast.LayerInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * Presents a VP9 SVC stream's spatial layers to the simulcast {@code Allocator} (ADR 0014), so
 * one decider — size that fits the tile, bitrate that fits the budget — serves both: layer
 * {@code s} costs its own bitrate plus every layer below it (they are all sent to decode it).
 * Runs on the allocation tick, not per packet.
 */
public final class SvcLayers {

    /** What Chrome's {@code L3T3_KEY} sends of a 720p camera, until a scalability structure says otherwise. */
    static final int ASSUMED_LAYERS = 3;
    static final int ASSUMED_TOP_WIDTH = 1280;
    static final int ASSUMED_TOP_HEIGHT = 720;
    /** Frame rate of the top temporal layer; each layer below halves it (L3T3: 7.5, 15, 30). */
    static final int ASSUMED_TOP_FPS = 30;
    static final int ASSUMED_TEMPORAL_LAYERS = 3;

    private SvcLayers() {}

    /** The stream's spatial layers, lowest first, as the filter has seen them. */
    public static List<LayerInfo> of(SvcLayerFilter filter, long nowNanos) {
        int n = filter.knownSpatialLayers() > 0 ? filter.knownSpatialLayers() : ASSUMED_LAYERS;
        long[] own = new long[n];
        boolean anySeen = false;
        for (int s = 0; s < n; s++) {
            own[s] = filter.layerBitsPerSecond(s, nowNanos);
            anySeen |= own[s] > 0;
        }
        // A layer is sent if it or any layer above it is: the upper ones are useless without it.
        boolean[] sent = new boolean[n];
        boolean above = !anySeen;
        for (int s = n - 1; s >= 0; s--) {
            above |= own[s] > 0;
            sent[s] = above;
        }
        List<LayerInfo> layers = new ArrayList<>(n);
        long cumulative = 0;
        for (int s = 0; s < n; s++) {
            cumulative += own[s];
            int width = filter.knownSpatialLayers() > 0 ? filter.width(s) : ASSUMED_TOP_WIDTH >> (n - 1 - s);
            int height = filter.knownSpatialLayers() > 0 ? filter.height(s) : ASSUMED_TOP_HEIGHT >> (n - 1 - s);
            // Before the first packet every layer counts as sent, so the subscriber is not paused meanwhile.
            layers.add(new LayerInfo(s, width, height, sent[s], cumulative));
        }
        return layers;
    }

    /** The lowest temporal layer that gives at least {@code maxFps} (0: no limit, every layer). */
    public static int temporalFor(int maxFps) {
        if (maxFps <= 0) {
            return Integer.MAX_VALUE;
        }
        for (int t = 0; t < ASSUMED_TEMPORAL_LAYERS - 1; t++) {
            if (ASSUMED_TOP_FPS >> (ASSUMED_TEMPORAL_LAYERS - 1 - t) >= maxFps) {
                return t;
            }
        }
        return Integer.MAX_VALUE;
    }
}
