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

    /** Hands the meeting to another host; returns the updated meeting, or empty if there is none. */
    Optional<Meeting> setHost(UUID id, String hostUserId);

    /**
     * Changes some of the meeting's rules in one atomic step, so two hosts flipping different
     * switches at once both win; returns the updated meeting, or empty if there is none.
     */
    Optional<Meeting> changeRules(UUID id, MeetingRules.RulesChange change);

    /**
     * Records that a host removed the user from the meeting: it may not join it again.
     *
     * @return true if the user was not removed before
     */
    boolean removeUser(UUID id, String userId);

    /** Whether a host removed the user from the meeting. */
    boolean isRemoved(UUID id, String userId);
}
