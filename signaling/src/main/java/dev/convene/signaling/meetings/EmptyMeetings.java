package dev.convene.signaling.meetings;

import dev.convene.signaling.SignalingStores;
import dev.convene.store.StoreUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends meetings nobody has been in for a while, and lets in-process stores forget them, so a
 * server that hosts meetings for months holds only the ones in use.
 *
 * <p>Each signaling node watches the meetings created or joined through it; {@link #check} (from
 * the node's timer) asks the shared stores whether anyone holds a seat or is present, so a
 * meeting whose participants are on another node stays open. Several nodes may end the same
 * meeting; ending is idempotent. A meeting created and never joined counts as empty from its
 * creation.
 */
public final class EmptyMeetings {

    private static final Logger log = LoggerFactory.getLogger(EmptyMeetings.class);

    private final SignalingStores stores;
    private final Clock clock;
    private final Duration timeout;
    private final long checkEveryMillis;
    /** Meeting → the last instant it was seen busy (or watched). */
    private final ConcurrentMap<UUID, Instant> lastBusy = new ConcurrentHashMap<>();
    private long nextCheckMillis;

    public EmptyMeetings(SignalingStores stores, Clock clock, Duration timeout) {
        this.stores = Objects.requireNonNull(stores, "stores");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        // Checks cost store round trips per watched meeting; a tenth of the timeout is precise enough.
        this.checkEveryMillis = Math.clamp(timeout.toMillis() / 10, 1, 30_000);
    }

    /** The meeting was created or joined here: it is busy now. */
    public void watch(UUID meetingId) {
        lastBusy.put(meetingId, clock.instant());
    }

    /**
     * Ends and forgets the watched meetings that have been empty for the timeout; does nothing
     * until the next check is due. Called by the node's timer thread only.
     *
     * @return meetings ended by this call
     */
    public int check() {
        long nowMillis = clock.millis();
        if (nowMillis < nextCheckMillis) {
            return 0;
        }
        nextCheckMillis = nowMillis + checkEveryMillis;
        Instant now = clock.instant();
        int ended = 0;
        for (Map.Entry<UUID, Instant> e : lastBusy.entrySet()) {
            UUID meeting = e.getKey();
            try {
                if (stores.seats().occupancy(meeting) > 0 || !stores.participants().present(meeting).isEmpty()) {
                    lastBusy.replace(meeting, e.getValue(), now);
                } else if (!now.isBefore(e.getValue().plus(timeout)) && lastBusy.remove(meeting, e.getValue())) {
                    stores.meetings().end(meeting);
                    stores.forget(meeting);
                    ended++;
                    log.info("event=meeting_ended meeting_id={} reason=empty idle_s={}", meeting,
                            Duration.between(e.getValue(), now).toSeconds());
                }
            } catch (StoreUnavailableException ex) {
                log.debug("event=empty_meeting_check_skipped meeting_id={} reason=\"{}\"", meeting, ex.getMessage());
                return ended;
            }
        }
        return ended;
    }

    /** Meetings watched now; for tests of the heap's bounds. */
    public int watched() {
        return lastBusy.size();
    }
}
