package dev.convene.store;

import java.util.UUID;

/**
 * A store that keeps meetings in this process's heap and can drop one for good once it has
 * ended, so an all-in-one server that runs for months holds only the meetings in use.
 */
public interface MeetingScoped {

    /** Forgets everything held about the meeting; forgetting an unknown meeting does nothing. */
    void forget(UUID meetingId);
}
