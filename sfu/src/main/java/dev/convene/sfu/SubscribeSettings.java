package dev.convene.sfu;

/**
 * What a subscriber wants of one track it receives (the signaling protocol's
 * {@code subscribe-settings}): the size its tile renders, a frame-rate cap, whether to send it
 * at all, and a priority. The SFU forwards the highest simulcast layer that fits.
 *
 * @param maxWidth  pixels, 0 for no limit
 * @param maxHeight pixels, 0 for no limit
 * @param maxFps    frames per second, 0 for no limit (accepted; applied once temporal layers are dropped)
 * @param paused    nothing is forwarded while true
 * @param priority  1 (default) or more; higher is served first once a downlink budget is shared
 * @param pinned    the subscriber pinned the track's participant: its video is among the last-N chosen, after screen shares
 * @param lastN     0 to leave it as it is, else how many participants' video the subscriber receives at most (protocol v2)
 */
public record SubscribeSettings(int maxWidth, int maxHeight, int maxFps, boolean paused, int priority, boolean pinned,
        int lastN) {

    /** Larger than any video Chrome encodes; bounds the numbers a client may send. */
    public static final int MAX_DIMENSION = 16_384;
    public static final int MAX_FPS = 240;
    public static final int MAX_PRIORITY = 100;

    /** More than a grid shows; bounds what a client may ask. */
    public static final int MAX_LAST_N = 1_000;

    public static final SubscribeSettings DEFAULT = new SubscribeSettings(0, 0, 0, false, 1);

    public SubscribeSettings {
        if (maxWidth < 0 || maxWidth > MAX_DIMENSION || maxHeight < 0 || maxHeight > MAX_DIMENSION) {
            throw new IllegalArgumentException("max_width and max_height must be 0 to " + MAX_DIMENSION);
        }
        if (maxFps < 0 || maxFps > MAX_FPS) {
            throw new IllegalArgumentException("max_fps must be 0 to " + MAX_FPS);
        }
        if (priority < 1 || priority > MAX_PRIORITY) {
            throw new IllegalArgumentException("priority must be 1 to " + MAX_PRIORITY);
        }
        if (lastN < 0 || lastN > MAX_LAST_N) {
            throw new IllegalArgumentException("last_n must be 0 to " + MAX_LAST_N);
        }
    }

    /** Settings of protocol v1: no pin, last-N unchanged. */
    public SubscribeSettings(int maxWidth, int maxHeight, int maxFps, boolean paused, int priority) {
        this(maxWidth, maxHeight, maxFps, paused, priority, false, 0);
    }
}
