package dev.convene.sfu;

/** A remote track carried on one m-line of a participant's subscriber transport. */
public record SubscribedTrack(String mid, TrackInfo track) {}
