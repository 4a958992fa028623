package dev.convene.store;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A meeting row: who hosts it (its creator, until a host hands it on), how many seats it has,
 * whether it is still open, and its hosts' {@link MeetingRules}.
 */
public record Meeting(UUID id, String title, String hostId, int capacity, Instant createdAt, MeetingStatus status,
        MeetingRules rules) {

    public static final int DEFAULT_CAPACITY = 100;

    public Meeting {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(hostId, "hostId");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(rules, "rules");
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
    }

    /** A meeting with {@link MeetingRules#OPEN} rules. */
    public Meeting(UUID id, String title, String hostId, int capacity, Instant createdAt, MeetingStatus status) {
        this(id, title, hostId, capacity, createdAt, status, MeetingRules.OPEN);
    }

    public Meeting withStatus(MeetingStatus newStatus) {
        return new Meeting(id, title, hostId, capacity, createdAt, newStatus, rules);
    }

    public Meeting withHost(String newHostId) {
        return new Meeting(id, title, newHostId, capacity, createdAt, status, rules);
    }

    public Meeting withRules(MeetingRules newRules) {
        return new Meeting(id, title, hostId, capacity, createdAt, status, newRules);
    }
}
