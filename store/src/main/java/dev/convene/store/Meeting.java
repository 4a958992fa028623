package dev.convene.store;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/** A meeting row: who created it, how many seats it has, and whether it is still open. */
public record Meeting(UUID id, String title, String hostId, int capacity, Instant createdAt, MeetingStatus status) {

    public static final int DEFAULT_CAPACITY = 100;

    public Meeting {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(hostId, "hostId");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(status, "status");
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
    }

    public Meeting withStatus(MeetingStatus newStatus) {
        return new Meeting(id, title, hostId, capacity, createdAt, newStatus);
    }
}
