package dev.convene.sfu;

/**
 * One layer of a published video track as the SFU asks its publisher to send it (dynacast).
 *
 * @param index  0 for the lowest layer
 * @param rid    the layer's rid, or null for SSRC-signalled simulcast or a single stream
 * @param active whether the publisher should encode and send it
 */
public record PublishLayer(int index, String rid, boolean active) {}
