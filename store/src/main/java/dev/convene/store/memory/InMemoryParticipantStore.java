package dev.convene.store.memory;

import dev.convene.store.MeetingScoped;
import dev.convene.store.Participant;
import dev.convene.store.ParticipantStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** Participant rows in a map per meeting, for the all-in-one role and tests. */
public final class InMemoryParticipantStore implements ParticipantStore, MeetingScoped {

    private final ConcurrentMap<UUID, ConcurrentMap<String, Participant>> byMeeting = new ConcurrentHashMap<>();

    public InMemoryParticipantStore() {}

    @Override
    public void record(Participant participant) {
        byMeeting.computeIfAbsent(participant.meetingId(), id -> new ConcurrentHashMap<>())
                .put(participant.id(), participant);
    }

    @Override
    public boolean markLeft(UUID meetingId, String participantId, Instant at) {
        Map<String, Participant> rows = byMeeting.get(meetingId);
        if (rows == null) {
            return false;
        }
        boolean[] marked = {false};
        rows.computeIfPresent(participantId, (id, p) -> {
            if (!p.present()) {
                return p;
            }
            marked[0] = true;
            return p.withLeftAt(at);
        });
        return marked[0];
    }

    @Override
    public Optional<Participant> find(UUID meetingId, String participantId) {
        Map<String, Participant> rows = byMeeting.get(meetingId);
        return rows == null ? Optional.empty() : Optional.ofNullable(rows.get(participantId));
    }

    @Override
    public boolean attended(UUID meetingId, String userId) {
        Map<String, Participant> rows = byMeeting.get(meetingId);
        return rows != null && rows.values().stream().anyMatch(p -> p.userId().equals(userId));
    }

    @Override
    public void forget(UUID meetingId) {
        byMeeting.remove(meetingId);
    }

    /** Meetings held now; for tests of the heap's bounds. */
    public int meetingCount() {
        return byMeeting.size();
    }

    @Override
    public List<Participant> present(UUID meetingId) {
        Map<String, Participant> rows = byMeeting.get(meetingId);
        if (rows == null) {
            return List.of();
        }
        List<Participant> present = new ArrayList<>();
        for (Participant p : rows.values()) {
            if (p.present()) {
                present.add(p);
            }
        }
        present.sort(Comparator.comparing(Participant::joinedAt).thenComparing(Participant::id));
        return List.copyOf(present);
    }
}
