package dev.convene.store.memory;

import dev.convene.store.SeatLedger;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Seats held in a set per meeting. Each meeting's set is changed only inside
 * {@link ConcurrentMap#compute}, which runs atomically per key, so the capacity check and the
 * insert cannot interleave with another join of the same meeting.
 */
public final class InMemorySeatLedger implements SeatLedger {

    private final ConcurrentMap<UUID, Set<String>> seats = new ConcurrentHashMap<>();

    public InMemorySeatLedger() {}

    @Override
    public boolean reserve(UUID meetingId, String participantId, int capacity) {
        boolean[] held = {false};
        seats.compute(meetingId, (id, taken) -> {
            Set<String> set = taken == null ? new HashSet<>() : taken;
            if (set.contains(participantId) || set.size() < capacity && set.add(participantId)) {
                held[0] = true;
            }
            return set.isEmpty() ? null : set;
        });
        return held[0];
    }

    @Override
    public boolean release(UUID meetingId, String participantId) {
        boolean[] released = {false};
        seats.computeIfPresent(meetingId, (id, set) -> {
            released[0] = set.remove(participantId);
            return set.isEmpty() ? null : set;
        });
        return released[0];
    }

    @Override
    public boolean holds(UUID meetingId, String participantId) {
        boolean[] held = {false};
        seats.computeIfPresent(meetingId, (id, set) -> {
            held[0] = set.contains(participantId);
            return set;
        });
        return held[0];
    }

    @Override
    public int occupancy(UUID meetingId) {
        int[] count = {0};
        seats.computeIfPresent(meetingId, (id, set) -> {
            count[0] = set.size();
            return set;
        });
        return count[0];
    }
}
