package dev.convene.sfu;

/** A published track, as announced to the other participants of a meeting. */
public record TrackInfo(String trackId, String participantId, TrackKind kind, TrackSource source, boolean muted) {}
