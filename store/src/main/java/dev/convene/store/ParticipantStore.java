package dev.convene.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Participant rows, keyed by meeting and participant id. Implementations are thread-safe. */
public interface ParticipantStore {

    /**
     * Records that a participant is in a meeting. Recording the same participant again (a
     * reconnect) replaces the row, so it is present again.
     */
    void record(Participant participant);

    /**
     * Sets {@code left_at} if it is not set yet.
     *
     * @return true if this call marked the participant as left
     */
    boolean markLeft(UUID meetingId, String participantId, Instant at);

    Optional<Participant> find(UUID meetingId, String participantId);

    /** Whether the user has ever been a participant of the meeting (present now or left). */
    boolean attended(UUID meetingId, String userId);

    /** Participants present in the meeting now, in the order they joined. */
    List<Participant> present(UUID meetingId);
}
