package dev.convene.signaling.seats;

import dev.convene.store.ParticipantStore;
import dev.convene.store.SeatLedger;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seats reserved by a join whose socket has not opened yet. The socket claims its seat when it
 * opens; {@link #sweep} gives back every seat whose join token expired unclaimed. Claim and
 * sweep both remove the entry atomically, so exactly one of them wins a race.
 */
public final class UnclaimedSeats {

    private static final Logger log = LoggerFactory.getLogger(UnclaimedSeats.class);

    private record Key(UUID meetingId, String participantId) {}

    private final ConcurrentMap<Key, Instant> expiries = new ConcurrentHashMap<>();
    private final SeatLedger seats;
    private final ParticipantStore participants;
    private final Clock clock;

    public UnclaimedSeats(SeatLedger seats, ParticipantStore participants, Clock clock) {
        this.seats = Objects.requireNonNull(seats);
        this.participants = Objects.requireNonNull(participants);
        this.clock = Objects.requireNonNull(clock);
    }

    /** Remembers a seat just reserved for a join token that expires at {@code expiresAt}. */
    public void add(UUID meetingId, String participantId, Instant expiresAt) {
        expiries.put(new Key(meetingId, participantId), expiresAt);
    }

    /** @return true if the seat was waiting for this socket (it is the socket's now) */
    public boolean claim(UUID meetingId, String participantId) {
        return expiries.remove(new Key(meetingId, participantId)) != null;
    }

    /** Releases the seats whose join tokens have expired unclaimed; returns how many. */
    public int sweep() {
        Instant now = clock.instant();
        int released = 0;
        for (Map.Entry<Key, Instant> e : expiries.entrySet()) {
            Key key = e.getKey();
            if (!e.getValue().isAfter(now) && expiries.remove(key, e.getValue())) {
                // A socket on another node may have taken the seat; its participant row says so.
                boolean present = participants.find(key.meetingId(), key.participantId())
                        .map(p -> p.present()).orElse(false);
                if (!present && seats.release(key.meetingId(), key.participantId())) {
                    released++;
                    log.info("event=seat_expired meeting_id={} participant_id={}", key.meetingId(), key.participantId());
                }
            }
        }
        return released;
    }

    public int size() {
        return expiries.size();
    }
}
