package dev.convene.store;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Seats of meetings. The one guarantee that matters: a meeting never holds more seats than its
 * capacity, however many joins race, on however many nodes.
 *
 * <p>A shared ledger may lease seats: a seat not reserved again within {@link #DEFAULT_LEASE}
 * (or the implementation's configured lease) frees itself, so the seats of a signaling node that
 * died come back without anyone releasing them. Signaling nodes therefore reserve the seats of
 * their connected participants again every few seconds. In-process ledgers need no lease.
 *
 * <p>A join takes an <em>unclaimed</em> seat ({@link #reserveUnclaimed}): it counts against the
 * capacity like any seat, but frees itself unless its participant's socket {@link #claim}s it
 * within {@link Claim#within()}, and each holder (a user, a client address) may hold only
 * {@link Claim#maxPerHolder()} unclaimed seats of a meeting at once. So one client cannot keep a
 * meeting full with joins whose sockets never open: it holds a few seats for a few seconds.
 * The per-holder count and the capacity are checked in the same atomic step as the insert.
 */
public interface SeatLedger {

    /** How long a leased seat lasts without being reserved again. */
    Duration DEFAULT_LEASE = Duration.ofSeconds(60);

    /**
     * How an unclaimed seat is held.
     *
     * @param holders      who asks, e.g. {@code user:US_1} and {@code addr:192.0.2.7}; each is counted
     * @param maxPerHolder unclaimed seats of one meeting each holder may have at once
     * @param within       how long the seat waits for its socket
     */
    record Claim(List<String> holders, int maxPerHolder, Duration within) {
        public Claim {
            holders = List.copyOf(Objects.requireNonNull(holders, "holders"));
            Objects.requireNonNull(within, "within");
            if (holders.isEmpty() || holders.stream().anyMatch(h -> h.isEmpty() || h.contains("\n"))) {
                throw new IllegalArgumentException("holders must be non-empty names without line breaks");
            }
            if (maxPerHolder < 1) {
                throw new IllegalArgumentException("maxPerHolder must be at least 1");
            }
            if (within.toMillis() < 1) {
                throw new IllegalArgumentException("within must be at least a millisecond");
            }
        }
    }

    /** What {@link #reserveUnclaimed} did. */
    enum Admission {
        /** The participant holds an unclaimed seat now. */
        RESERVED,
        /** Every seat is taken (claimed or not). */
        FULL,
        /** A holder has {@link Claim#maxPerHolder()} unclaimed seats in the meeting already. */
        TOO_MANY_UNCLAIMED
    }

    /**
     * Takes a seat for the participant if one is free. Reserving a seat the participant already
     * holds succeeds, takes no second seat, and renews its lease (an unclaimed seat becomes claimed).
     *
     * @return true if the participant holds a seat after the call
     */
    boolean reserve(UUID meetingId, String participantId, int capacity);

    /**
     * Takes an unclaimed seat for a new participant if one is free and no holder of {@code claim}
     * is at its limit; the seat frees itself after {@link Claim#within()} unless claimed.
     */
    Admission reserveUnclaimed(UUID meetingId, String participantId, int capacity, Claim claim);

    // A participant that holds a seat already is answered RESERVED and its seat left as it is.

    /**
     * The participant's socket takes its seat: an unclaimed seat becomes an ordinary one (with a
     * fresh lease), a seat already claimed is renewed.
     *
     * @return true if the participant holds a seat after the call; false if its unclaimed seat
     *     lapsed or was never there
     */
    boolean claim(UUID meetingId, String participantId);

    /**
     * Gives the participant's seat back; releasing a seat that is not held does nothing.
     *
     * @return true if this call released a seat
     */
    boolean release(UUID meetingId, String participantId);

    boolean holds(UUID meetingId, String participantId);

    /** Seats taken in the meeting now, claimed or not. */
    int occupancy(UUID meetingId);
}
