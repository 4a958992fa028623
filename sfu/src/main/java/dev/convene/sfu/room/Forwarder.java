package dev.convene.sfu.room;

import dev.convene.media.routing.OutboundStream;
import dev.convene.media.routing.rtcp.SendStatistics;

/**
 * Carries one published track to one subscriber (on the m-line of the {@link SubscriberSlot}
 * holding it): the leg's stages and the SSRCs the subscriber sees.
 *
 * @param rtxSsrc        the SSRC of the leg's retransmissions, 0 when it has none
 * @param sendStatistics the leg's RTCP side: its SR counts and what the subscriber's reports say
 */
record Forwarder(PublishedTrack track, Participant subscriber, long outputSsrc, long rtxSsrc, OutboundStream leg,
        SendStatistics sendStatistics) {}
