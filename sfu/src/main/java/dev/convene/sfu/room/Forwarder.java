package dev.convene.sfu.room;

import dev.convene.media.routing.RtpStreamRewriter;
import dev.convene.media.routing.rtcp.SendStatistics;

/** Carries one published track to one subscriber (on the m-line of the {@link SubscriberSlot} holding it). */
record Forwarder(PublishedTrack track, Participant subscriber, long outputSsrc, RtpStreamRewriter rewriter,
        SendStatistics sendStatistics) {}
