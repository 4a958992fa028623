package dev.convene.store.memory;

import dev.convene.store.Presence;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicReference;

/** Presence by expiry time per participant, in a map per meeting. */
public final class InMemoryPresence implements Presence {

    private final Clock clock;
    private final ConcurrentMap<UUID, ConcurrentMap<String, Instant>> byMeeting = new ConcurrentHashMap<>();

    public InMemoryPresence() {
        this(Clock.systemUTC());
    }

    public InMemoryPresence(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void touch(UUID meetingId, String participantId, Duration ttl) {
        Objects.requireNonNull(participantId, "participantId");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive");
        }
        Instant expiresAt = clock.instant().plus(ttl);
        byMeeting.compute(meetingId, (id, m) -> {
            ConcurrentMap<String, Instant> map = m == null ? new ConcurrentHashMap<>() : m;
            map.put(participantId, expiresAt);
            return map;
        });
    }

    @Override
    public Set<String> present(UUID meetingId) {
        Instant now = clock.instant();
        AtomicReference<Set<String>> result = new AtomicReference<>(Set.of());
        byMeeting.computeIfPresent(meetingId, (id, m) -> {
            m.values().removeIf(expiresAt -> !now.isBefore(expiresAt));
            result.set(Set.copyOf(m.keySet()));
            return m.isEmpty() ? null : m;
        });
        return result.get();
    }

    @Override
    public boolean isPresent(UUID meetingId, String participantId) {
        ConcurrentMap<String, Instant> m = byMeeting.get(meetingId);
        Instant expiresAt = m == null ? null : m.get(participantId);
        return expiresAt != null && clock.instant().isBefore(expiresAt);
    }

    @Override
    public boolean remove(UUID meetingId, String participantId) {
        Instant now = clock.instant();
        boolean[] removed = {false};
        byMeeting.computeIfPresent(meetingId, (id, m) -> {
            Instant expiresAt = m.remove(participantId);
            removed[0] = expiresAt != null && now.isBefore(expiresAt);
            return m.isEmpty() ? null : m;
        });
        return removed[0];
    }
}
