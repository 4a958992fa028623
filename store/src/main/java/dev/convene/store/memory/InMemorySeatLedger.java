package dev.convene.store.memory;

import dev.convene.store.SeatLedger;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Seats held in a map per meeting. Each meeting's map is changed only inside
 * {@link ConcurrentMap#compute}, which runs atomically per key, so the capacity and per-holder
 * checks and the insert cannot interleave with another join of the same meeting. Unclaimed seats
 * whose time is up are dropped whenever their meeting is looked at, and every meeting now and then,
 * so meetings nobody looks at again do not stay in the heap.
 */
public final class InMemorySeatLedger implements SeatLedger {

    private static final int SWEEP_EVERY = 1_024;

    /** A seat; {@code claimBy} null once claimed, else the instant it lapses unless claimed. */
    private record Seat(Instant claimBy, List<String> holders) {
        static final Seat CLAIMED = new Seat(null, List.of());

        boolean lapsed(Instant now) {
            return claimBy != null && !now.isBefore(claimBy);
        }
    }

    private final Clock clock;
    private final ConcurrentMap<UUID, Map<String, Seat>> seats = new ConcurrentHashMap<>();
    private final AtomicLong calls = new AtomicLong();

    public InMemorySeatLedger() {
        this(Clock.systemUTC());
    }

    public InMemorySeatLedger(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public boolean reserve(UUID meetingId, String participantId, int capacity) {
        boolean[] held = {false};
        change(meetingId, taken -> {
            if (taken.containsKey(participantId) || taken.size() < capacity) {
                taken.put(participantId, Seat.CLAIMED);
                held[0] = true;
            }
        });
        return held[0];
    }

    @Override
    public Admission reserveUnclaimed(UUID meetingId, String participantId, int capacity, Claim claim) {
        Objects.requireNonNull(participantId, "participantId");
        Objects.requireNonNull(claim, "claim");
        Admission[] result = {Admission.FULL};
        Instant claimBy = clock.instant().plus(claim.within());
        change(meetingId, taken -> {
            if (taken.containsKey(participantId)) {
                result[0] = Admission.RESERVED;
                return;
            }
            if (taken.size() >= capacity) {
                return;
            }
            for (String holder : claim.holders()) {
                long unclaimed = taken.values().stream()
                        .filter(s -> s.claimBy() != null && s.holders().contains(holder)).count();
                if (unclaimed >= claim.maxPerHolder()) {
                    result[0] = Admission.TOO_MANY_UNCLAIMED;
                    return;
                }
            }
            taken.put(participantId, new Seat(claimBy, claim.holders()));
            result[0] = Admission.RESERVED;
        });
        return result[0];
    }

    @Override
    public boolean claim(UUID meetingId, String participantId) {
        boolean[] held = {false};
        change(meetingId, taken -> {
            if (taken.containsKey(participantId)) {
                taken.put(participantId, Seat.CLAIMED);
                held[0] = true;
            }
        });
        return held[0];
    }

    @Override
    public boolean release(UUID meetingId, String participantId) {
        boolean[] released = {false};
        change(meetingId, taken -> released[0] = taken.remove(participantId) != null);
        return released[0];
    }

    @Override
    public boolean holds(UUID meetingId, String participantId) {
        boolean[] held = {false};
        change(meetingId, taken -> held[0] = taken.containsKey(participantId));
        return held[0];
    }

    @Override
    public int occupancy(UUID meetingId) {
        int[] count = {0};
        change(meetingId, taken -> count[0] = taken.size());
        return count[0];
    }

    /** Meetings with a seat held now; for tests of the heap's bounds. */
    public int meetingCount() {
        return seats.size();
    }

    /** Runs {@code action} on the meeting's live seats (lapsed ones dropped), atomically for the meeting. */
    private void change(UUID meetingId, java.util.function.Consumer<Map<String, Seat>> action) {
        Instant now = clock.instant();
        seats.compute(meetingId, (id, taken) -> {
            Map<String, Seat> live = taken == null ? new HashMap<>() : taken;
            live.values().removeIf(s -> s.lapsed(now));
            action.accept(live);
            return live.isEmpty() ? null : live;
        });
        if (calls.incrementAndGet() % SWEEP_EVERY == 0) {
            for (UUID id : seats.keySet()) {
                seats.computeIfPresent(id, (k, taken) -> {
                    taken.values().removeIf(s -> s.lapsed(now));
                    return taken.isEmpty() ? null : taken;
                });
            }
        }
    }
}
