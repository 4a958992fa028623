package dev.convene.media.routing.simulcast;

import java.util.List;

/**
 * Decides which simulcast layer of a track one subscriber receives: a pure function of the
 * layers the publisher sends, what the subscriber asked for and the bitrate it may use. The
 * bandwidth-estimation work passes a real budget; until then it is {@link #UNLIMITED}.
 */
@FunctionalInterface
public interface Allocator {

    /** "Send nothing": paused, or no layer is active. */
    int NONE = -1;

    /** The budget while no estimate exists. */
    long UNLIMITED = Long.MAX_VALUE;

    /**
     * @param layers    the track's layers, lowest first
     * @param settings  the subscriber's wishes for this track
     * @param budgetBps the bitrate this track may use on the subscriber's downlink
     * @return the index of the layer to forward, or {@link #NONE}
     */
    int allocate(List<LayerInfo> layers, LayerSettings settings, long budgetBps);
}
