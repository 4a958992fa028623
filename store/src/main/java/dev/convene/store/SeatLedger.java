package dev.convene.store;

import java.util.UUID;

/**
 * Seats of meetings. The one guarantee that matters: a meeting never holds more seats than its
 * capacity, however many joins race, on however many nodes.
 */
public interface SeatLedger {

    /**
     * Takes a seat for the participant if one is free. Reserving a seat the participant already
     * holds succeeds and takes no second seat.
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
