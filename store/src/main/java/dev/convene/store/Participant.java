package dev.convene.store;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * One participant row: a person's presence in one meeting, from the moment its socket joined
 * until it left. {@code leftAt} is null while the participant is in the meeting.
 */
public record Participant(String id, UUID meetingId, String userId, String displayName, Instant joinedAt, Instant leftAt) {

    public Participant {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(meetingId, "meetingId");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(displayName, "displayName");
        Objects.requireNonNull(joinedAt, "joinedAt");
    }

    public static Participant joined(String id, UUID meetingId, String userId, String displayName, Instant joinedAt) {
        return new Participant(id, meetingId, userId, displayName, joinedAt, null);
    }

    public boolean present() {
        return leftAt == null;
    }

    public Optional<Instant> left() {
        return Optional.ofNullable(leftAt);
    }

    public Participant withLeftAt(Instant at) {
        return new Participant(id, meetingId, userId, displayName, joinedAt, at);
    }
}
