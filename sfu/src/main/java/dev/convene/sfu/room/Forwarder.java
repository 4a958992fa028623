package dev.convene.sfu.room;

import dev.convene.media.routing.RtpStreamRewriter;

/** Carries one published track to one subscriber (on the m-line of the {@link SubscriberSlot} holding it). */
record Forwarder(PublishedTrack track, Participant subscriber, long outputSsrc, RtpStreamRewriter rewriter) {}
