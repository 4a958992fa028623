package dev.convene.store.memory;

import dev.convene.store.Meeting;
import dev.convene.store.MeetingStatus;
import dev.convene.store.MeetingStore;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** Meetings in a map, for the all-in-one role and tests. */
public final class InMemoryMeetingStore implements MeetingStore {

    private final ConcurrentMap<UUID, Meeting> meetings = new ConcurrentHashMap<>();

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
}
