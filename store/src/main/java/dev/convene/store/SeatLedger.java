package dev.convene.store;

import java.util.UUID;

/**
 * Seats of meetings. The one guarantee that matters: a meeting never holds more seats than its
 * capacity, however many joins race, on however many nodes.
 *
 * <p>A shared ledger may lease seats: a seat not reserved again within {@link #DEFAULT_LEASE}
 * (or the implementation's configured lease) frees itself, so the seats of a signaling node that
 * died come back without anyone releasing them. Signaling nodes therefore reserve the seats of
 * their connected participants again every few seconds. In-process ledgers need no lease.
 */
public interface SeatLedger {

    /** How long a leased seat lasts without being reserved again. */
    java.time.Duration DEFAULT_LEASE = java.time.Duration.ofSeconds(60);

    /**
     * Takes a seat for the participant if one is free. Reserving a seat the participant already
     * holds succeeds, takes no second seat, and renews its lease.
     *
     * @return true if the participant holds a seat after the call
     */
    boolean reserve(UUID meetingId, String participantId, int capacity);

    /**
     * Gives the participant's seat back; releasing a seat that is not held does nothing.
     *
     * @return true if this call released a seat
     */
    boolean release(UUID meetingId, String participantId);

    boolean holds(UUID meetingId, String participantId);

    /** Seats taken in the meeting now. */
    int occupancy(UUID meetingId);
}
