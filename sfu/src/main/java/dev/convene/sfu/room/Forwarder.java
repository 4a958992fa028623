package dev.convene.sfu.room;

import dev.convene.media.routing.RtpStreamRewriter;

/** Carries one published track to one subscriber on one m-line of its subscriber transport. */
record Forwarder(PublishedTrack track, Participant subscriber, String mid, long outputSsrc, RtpStreamRewriter rewriter) {}
