package dev.convene.media.routing.simulcast;

/**
 * One simulcast layer of a published track as an allocator sees it.
 *
 * <p>Not a record, so that a track's views can be refreshed in place on each allocation pass
 * instead of made anew per subscriber and pass: the media loop allocates nothing once warm
 * (ADR 0027). A holder reads it within the pass that filled it and keeps no reference beyond.
 */
public final class LayerInfo {

    private int index;
    private int width;
    private int height;
    private boolean active;
    private long bitsPerSecond;

    /**
     * @param index         0 for the lowest resolution, increasing upward
     * @param width         pixels, learnt from a key frame or estimated (see {@link SimulcastLayer})
     * @param height        pixels
     * @param active        whether the publisher sends it now (a packet within the activity timeout)
     * @param bitsPerSecond what it carries over the last second
     */
    public LayerInfo(int index, int width, int height, boolean active, long bitsPerSecond) {
        set(index, width, height, active, bitsPerSecond);
    }

    /** Refills this view; see the constructor for the meaning of each value. */
    public LayerInfo set(int index, int width, int height, boolean active, long bitsPerSecond) {
        this.index = index;
        this.width = width;
        this.height = height;
        this.active = active;
        this.bitsPerSecond = bitsPerSecond;
        return this;
    }

    public int index() { return index; }

    public int width() { return width; }

    public int height() { return height; }

    public boolean active() { return active; }

    public long bitsPerSecond() { return bitsPerSecond; }

    @Override
    public String toString() {
        return "LayerInfo[index=" + index + ", " + width + "x" + height + ", active=" + active + ", bps="
                + bitsPerSecond + "]";
    }
}
