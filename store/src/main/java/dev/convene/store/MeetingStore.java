package dev.convene.store;

import java.util.Optional;
import java.util.UUID;

/** The durable record of meetings. Implementations are thread-safe. */
public interface MeetingStore {

    /** Stores a new meeting; a meeting with the same id must not exist yet. */
    void create(Meeting meeting);

    Optional<Meeting> find(UUID id);

    /** Marks the meeting ended; returns the updated meeting, or empty if there is none. */
    Optional<Meeting> end(UUID id);
}
