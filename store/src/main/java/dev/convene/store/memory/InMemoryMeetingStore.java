package dev.convene.store.memory;

import dev.convene.store.MeetingScoped;
import dev.convene.store.Meeting;
import dev.convene.store.MeetingStatus;
import dev.convene.store.MeetingStore;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** Meetings in a map, for the all-in-one role and tests. */
public final class InMemoryMeetingStore implements MeetingStore, MeetingScoped {

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

    @Override
    public void forget(UUID meetingId) {
        meetings.remove(meetingId);
    }

    /** Meetings held now; for tests of the heap's bounds. */
    public int meetingCount() {
        return meetings.size();
    }
}
