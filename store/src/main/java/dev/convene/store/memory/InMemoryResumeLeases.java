package dev.convene.store.memory;

import dev.convene.store.ResumeLeases;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/** Resume leases of one process (the all-in-one role): one lock makes each operation atomic. */
public final class InMemoryResumeLeases implements ResumeLeases {

    private record Key(UUID meetingId, String participantId) {}

    private final Clock clock;
    private final Map<Key, Long> endsAt = new HashMap<>();

    public InMemoryResumeLeases() {
        this(Clock.systemUTC());
    }

    public InMemoryResumeLeases(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public synchronized void hold(UUID meetingId, String participantId, Duration ttl) {
        endsAt.put(new Key(meetingId, Objects.requireNonNull(participantId, "participantId")), end(ttl));
    }

    @Override
    public synchronized boolean takeOver(UUID meetingId, String participantId, Duration ttl) {
        Key key = new Key(meetingId, participantId);
        Long end = endsAt.get(key);
        if (end == null || end <= clock.millis()) {
            return false;
        }
        endsAt.put(key, end(ttl));
        return true;
    }

    @Override
    public synchronized boolean release(UUID meetingId, String participantId) {
        return endsAt.remove(new Key(meetingId, participantId)) != null;
    }

    @Override
    public synchronized List<Expired> claimExpired(int max) {
        long now = clock.millis();
        List<Expired> claimed = new ArrayList<>();
        for (Iterator<Map.Entry<Key, Long>> it = endsAt.entrySet().iterator(); it.hasNext() && claimed.size() < max; ) {
            Map.Entry<Key, Long> e = it.next();
            if (e.getValue() <= now) {
                it.remove();
                claimed.add(new Expired(e.getKey().meetingId(), e.getKey().participantId()));
            }
        }
        return claimed;
    }

    private long end(Duration ttl) {
        if (ttl.toMillis() < 1) {
            throw new IllegalArgumentException("ttl must be at least a millisecond");
        }
        return clock.millis() + ttl.toMillis();
    }
}
