package dev.convene.store;

import java.util.Objects;

/** A published track as the other participants of a meeting learn of it. */
public record TrackSummary(String trackId, MediaKind kind, MediaSource source, boolean muted) {

    public TrackSummary {
        Objects.requireNonNull(trackId, "trackId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(source, "source");
    }
}
