package dev.convene.sfu.room;

import dev.convene.media.routing.OutboundStream;

/**
 * Carries one published track to one subscriber (on the m-line of the {@link SubscriberSlot}
 * holding it): the leg's stages and the SSRCs the subscriber sees.
 *
 * @param rtxSsrc the SSRC of the leg's retransmissions, 0 when it has none
 */
record Forwarder(PublishedTrack track, Participant subscriber, long outputSsrc, long rtxSsrc, OutboundStream leg) {}
