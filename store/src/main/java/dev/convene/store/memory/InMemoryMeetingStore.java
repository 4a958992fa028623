package dev.convene.store.memory;

import dev.convene.store.MeetingRules;
import dev.convene.store.MeetingScoped;
import dev.convene.store.Meeting;
import dev.convene.store.MeetingStatus;
import dev.convene.store.MeetingStore;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** Meetings in a map, for the all-in-one role and tests. */
public final class InMemoryMeetingStore implements MeetingStore, MeetingScoped {

    private final ConcurrentMap<UUID, Meeting> meetings = new ConcurrentHashMap<>();
    private final ConcurrentMap<UUID, Set<String>> removedUsers = new ConcurrentHashMap<>();

    public InMemoryMeetingStore() {}

    @Override
    public void create(Meeting meeting) {
        if (meetings.putIfAbsent(meeting.id(), meeting) != null) {
            throw new IllegalStateException("meeting " + meeting.id() + " already exists");
        }
    }

    @Override
    public Optional<Meeting> find(UUID id) {
        return Optional.ofNullable(meetings.get(id));
    }

    @Override
    public Optional<Meeting> end(UUID id) {
        return Optional.ofNullable(meetings.computeIfPresent(id, (key, m) -> m.withStatus(MeetingStatus.ENDED)));
    }

    @Override
    public Optional<Meeting> setHost(UUID id, String hostUserId) {
        return Optional.ofNullable(meetings.computeIfPresent(id, (key, m) -> m.withHost(hostUserId)));
    }

    @Override
    public Optional<Meeting> changeRules(UUID id, MeetingRules.RulesChange change) {
        return Optional.ofNullable(meetings.computeIfPresent(id, (key, m) -> m.withRules(m.rules().with(change))));
    }

    @Override
    public boolean removeUser(UUID id, String userId) {
        return removedUsers.computeIfAbsent(id, key -> ConcurrentHashMap.newKeySet()).add(userId);
    }

    @Override
    public boolean isRemoved(UUID id, String userId) {
        Set<String> removed = removedUsers.get(id);
        return removed != null && removed.contains(userId);
    }

    @Override
    public void forget(UUID meetingId) {
        meetings.remove(meetingId);
        removedUsers.remove(meetingId);
    }

    /** Meetings held now; for tests of the heap's bounds. */
    public int meetingCount() {
        return meetings.size();
    }
}
