package dev.convene.sfu;

/**
 * A published track, as announced to the other participants of a meeting.
 *
 * @param mid the m-line of the publisher's offer that carries it
 */
public record TrackInfo(String trackId, String participantId, String mid, TrackKind kind, TrackSource source,
        boolean muted) {}
