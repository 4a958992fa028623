package dev.convene.media.routing.simulcast;

/**
 * One simulcast layer of a published track as an allocator sees it.
 *
 * @param index         0 for the lowest resolution, increasing upward
 * @param width         pixels, learnt from a key frame or estimated (see {@link SimulcastLayer})
 * @param height        pixels
 * @param active        whether the publisher sends it now (a packet within the activity timeout)
 * @param bitsPerSecond what it carries over the last second
 */
public record LayerInfo(int index, int width, int height, boolean active, long bitsPerSecond) {}
