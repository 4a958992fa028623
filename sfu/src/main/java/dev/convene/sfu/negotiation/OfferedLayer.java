package dev.convene.sfu.negotiation;

/**
 * One simulcast stream of a publisher's m-line, lowest resolution first. Chrome names its
 * streams by rid ({@code a=rid:q send}, {@code a=simulcast:send q;h;f}) and announces no SSRCs:
 * the SSRC is learnt from the first packet carrying the rid header extension. A client
 * signalling SSRCs instead lists them in {@code a=ssrc-group:SIM} (each paired with its RTX SSRC
 * by {@code a=ssrc-group:FID}).
 *
 * @param rid     the rid, or null for an SSRC-signalled stream
 * @param ssrc    the media SSRC when signalled, else 0
 * @param rtxSsrc its RTX SSRC when signalled, else 0
 */
public record OfferedLayer(String rid, long ssrc, long rtxSsrc) {}
