package dev.convene.media.routing.simulcast;

/**
 * What one subscriber asks of one forwarded video track: the largest picture worth sending it
 * (the size its tile renders), a frame-rate cap, whether to send anything at all, and a
 * priority for sharing a budget between its tracks.
 *
 * @param maxWidth  pixels; 0 means no limit
 * @param maxHeight pixels; 0 means no limit
 * @param maxFps    frames per second; 0 means no limit (kept for temporal-layer dropping, not applied yet)
 * @param paused    nothing is forwarded while true
 * @param priority  higher is served first when a budget is shared (1 by default)
 */
public record LayerSettings(int maxWidth, int maxHeight, int maxFps, boolean paused, int priority) {

    /** What a subscriber that never said anything gets: the best layer the publisher sends. */
    public static final LayerSettings UNCONSTRAINED = new LayerSettings(0, 0, 0, false, 1);

    public LayerSettings {
        if (maxWidth < 0 || maxHeight < 0 || maxFps < 0) {
            throw new IllegalArgumentException("limits are 0 (none) or positive: " + maxWidth + "x" + maxHeight
                    + "@" + maxFps);
        }
    }

    boolean fits(int width, int height) {
        return (maxWidth == 0 || width <= maxWidth) && (maxHeight == 0 || height <= maxHeight);
    }
}
