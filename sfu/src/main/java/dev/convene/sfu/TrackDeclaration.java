package dev.convene.sfu;

/** What a client says about a track before offering it: the m-line it uses and what it is. */
public record TrackDeclaration(String mid, TrackKind kind, TrackSource source) {}
