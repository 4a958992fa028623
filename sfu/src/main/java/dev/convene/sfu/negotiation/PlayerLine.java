package dev.convene.sfu.negotiation;

/**
 * The SFU's answer to one m-line of a WHEP player's offer.
 *
 * @param line the track sent on it, under the player's payload type; null when the line is answered inactive
 * @param rtxPayloadType the player's RTX payload type for the line's codec, -1 for none
 */
public record PlayerLine(OfferedMedia offered, SubscriberLine line, int rtxPayloadType) {}
