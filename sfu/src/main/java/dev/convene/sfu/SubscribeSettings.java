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
 */
public record SubscribeSettings(int maxWidth, int maxHeight, int maxFps, boolean paused, int priority) {

    /** Larger than any video Chrome encodes; bounds the numbers a client may send. */
    public static final int MAX_DIMENSION = 16_384;
    public static final int MAX_FPS = 240;
    public static final int MAX_PRIORITY = 100;

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
    }
}
