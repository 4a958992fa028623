package dev.convene.store.memory;

import dev.convene.store.MeetingPlacement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Meeting placements in a map. Every change runs inside {@link ConcurrentMap#compute}, atomic
 * per meeting; expired entries count as absent and are dropped when next touched.
 */
public final class InMemoryMeetingPlacement implements MeetingPlacement {

    private record Entry(String nodeId, Instant expiresAt) {}

    private final Clock clock;
    private final Duration ttl;
    private final ConcurrentMap<UUID, Entry> placements = new ConcurrentHashMap<>();

    public InMemoryMeetingPlacement() {
        this(Clock.systemUTC(), DEFAULT_TTL);
    }

    public InMemoryMeetingPlacement(Clock clock, Duration ttl) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.ttl = Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive");
        }
    }

    @Override
    public Optional<String> sfuFor(UUID meetingId) {
        Entry e = placements.get(meetingId);
        return e == null || expired(e, clock.instant()) ? Optional.empty() : Optional.of(e.nodeId());
    }

    @Override
    public String assignIfAbsent(UUID meetingId, String nodeId) {
        Objects.requireNonNull(nodeId, "nodeId");
        Instant now = clock.instant();
        return placements.compute(meetingId, (id, e) -> e == null || expired(e, now) ? new Entry(nodeId, now.plus(ttl)) : e)
                .nodeId();
    }

    @Override
    public boolean compareAndSet(UUID meetingId, String expectedNode, String newNode) {
        Objects.requireNonNull(expectedNode, "expectedNode");
        Objects.requireNonNull(newNode, "newNode");
        Instant now = clock.instant();
        boolean[] moved = {false};
        placements.computeIfPresent(meetingId, (id, e) -> {
            if (expired(e, now)) {
                return null;
            }
            if (!e.nodeId().equals(expectedNode)) {
                return e;
            }
            moved[0] = true;
            return new Entry(newNode, now.plus(ttl));
        });
        return moved[0];
    }

    @Override
    public boolean refresh(UUID meetingId) {
        Instant now = clock.instant();
        boolean[] refreshed = {false};
        placements.computeIfPresent(meetingId, (id, e) -> {
            if (expired(e, now)) {
                return null;
            }
            refreshed[0] = true;
            return new Entry(e.nodeId(), now.plus(ttl));
        });
        return refreshed[0];
    }

    @Override
    public boolean clear(UUID meetingId) {
        Entry removed = placements.remove(meetingId);
        return removed != null && !expired(removed, clock.instant());
    }

    private static boolean expired(Entry e, Instant now) {
        return !now.isBefore(e.expiresAt());
    }
}
