package dev.convene.store;

import java.time.Duration;
import java.util.Set;
import java.util.UUID;

/**
 * Who is in each meeting now, by heartbeat: a participant is present from a
 * {@link #touch} until its time to live passes without another touch, or until
 * {@link #remove}. Implementations are thread-safe.
 */
public interface Presence {

    /** Marks the participant present for {@code ttl} from now (replacing any earlier expiry). */
    void touch(UUID meetingId, String participantId, Duration ttl);

    /** Participants of the meeting whose heartbeat has not expired. */
    Set<String> present(UUID meetingId);

    boolean isPresent(UUID meetingId, String participantId);

    /**
     * Marks the participant gone now.
     *
     * @return true if the participant was present
     */
    boolean remove(UUID meetingId, String participantId);
}
