package dev.convene.store.postgres;

import dev.convene.store.SeatLedger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * Seats in PostgreSQL: the exact fallback for when Redis is down, so it must never over-fill.
 *
 * <p>A reservation is one READ COMMITTED transaction that first locks the meeting's row in
 * {@code seat_guards} ({@code SELECT ... FOR UPDATE}, creating the row on first use), then
 * counts the meeting's seats and inserts one if the count is below capacity. Reservations of
 * one meeting therefore take turns, on any number of nodes and connections; and because each
 * statement of a READ COMMITTED transaction sees everything committed before it started, the
 * count taken after the lock includes every seat granted by the holders before. Meetings do
 * not wait for each other. A row lock, not an advisory lock, because under Citus the row lives
 * on exactly one shard and its lock is seen by every coordinator; an advisory lock is local to
 * the node it is taken on.
 *
 * <p>Unclaimed seats are rows with a {@code claim_by}; the ones past it are deleted under the same
 * lock before counting, so a lapsed seat is free again to the very next join, and the holders'
 * counts are taken under the lock too. Other reads ignore lapsed rows.
 *
 * <p>Releases delete without the lock: a release that races a reservation can only make that
 * reservation's count too high, which refuses a join that would have fitted, never the reverse.
 */
public final class PostgresSeatLedger implements SeatLedger {

    /** Guard rows removed by {@link #releaseAll} are recreated; a waiter retries this often. */
    private static final int LOCK_ATTEMPTS = 3;

    private final Db db;
    private final Clock clock;

    PostgresSeatLedger(Db db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    @Override
    public boolean reserve(UUID meetingId, String participantId, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        return db.inTransaction("reserve seat", c -> {
            lockMeeting(c, meetingId);
            Count count = countAndPrune(c, meetingId, participantId);
            if (count.held()) {
                if (count.unclaimed()) {
                    markClaimed(c, meetingId, participantId);
                }
                return true;
            }
            if (count.taken() >= capacity) {
                return false;
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO seats (meeting_id, participant_id, reserved_at) VALUES (?, ?, ?)")) {
                ps.setObject(1, meetingId);
                ps.setString(2, participantId);
                ps.setObject(3, Timestamps.toDb(clock.instant()));
                ps.executeUpdate();
            }
            return true;
        });
    }

    /** Live seats of the meeting, and whether the participant holds one (and if it is unclaimed). */
    private record Count(int taken, boolean held, boolean unclaimed) {}

    /**
     * Deletes the meeting's lapsed unclaimed seats and counts the live ones, in one statement, so
     * the locked section costs no more round trips than a plain count. The SELECT sees the rows as
     * they were before the DELETE in its WITH, hence the same filter on both.
     */
    private Count countAndPrune(Connection c, UUID meetingId, String participantId) throws SQLException {
        OffsetDateTime now = Timestamps.toDb(clock.instant());
        try (PreparedStatement ps = c.prepareStatement("""
                WITH lapsed AS (DELETE FROM seats WHERE meeting_id = ? AND claim_by <= ?)
                SELECT count(*) FILTER (WHERE claim_by IS NULL OR claim_by > ?),
                       count(*) FILTER (WHERE participant_id = ? AND (claim_by IS NULL OR claim_by > ?)),
                       count(*) FILTER (WHERE participant_id = ? AND claim_by > ?)
                FROM seats WHERE meeting_id = ?""")) {
            ps.setObject(1, meetingId);
            ps.setObject(2, now);
            ps.setObject(3, now);
            ps.setString(4, participantId);
            ps.setObject(5, now);
            ps.setString(6, participantId);
            ps.setObject(7, now);
            ps.setObject(8, meetingId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Count(rs.getInt(1), rs.getInt(2) > 0, rs.getInt(3) > 0);
            }
        }
    }

    @Override
    public Admission reserveUnclaimed(UUID meetingId, String participantId, int capacity, Claim claim) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        return db.inTransaction("reserve unclaimed seat", c -> {
            lockMeeting(c, meetingId);
            OffsetDateTime now = Timestamps.toDb(clock.instant());
            Count count = countAndPrune(c, meetingId, participantId);
            if (count.held()) {
                return Admission.RESERVED;
            }
            if (count.taken() >= capacity) {
                return Admission.FULL;
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT count(*) FROM seats, unnest(holders) AS h(holder)
                    WHERE meeting_id = ? AND claim_by > ? AND h.holder = ANY(?)
                    GROUP BY h.holder HAVING count(*) >= ? LIMIT 1""")) {
                ps.setObject(1, meetingId);
                ps.setObject(2, now);
                ps.setArray(3, c.createArrayOf("text", claim.holders().toArray()));
                ps.setInt(4, claim.maxPerHolder());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return Admission.TOO_MANY_UNCLAIMED;
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO seats (meeting_id, participant_id, reserved_at, claim_by, holders) VALUES (?, ?, ?, ?, ?)")) {
                ps.setObject(1, meetingId);
                ps.setString(2, participantId);
                ps.setObject(3, now);
                ps.setObject(4, Timestamps.toDb(clock.instant().plus(claim.within())));
                ps.setArray(5, c.createArrayOf("text", claim.holders().toArray()));
                ps.executeUpdate();
            }
            return Admission.RESERVED;
        });
    }

    @Override
    public boolean claim(UUID meetingId, String participantId) {
        return db.call("claim seat", c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE seats SET claim_by = NULL, holders = '{}'
                    WHERE meeting_id = ? AND participant_id = ? AND (claim_by IS NULL OR claim_by > ?)""")) {
                ps.setObject(1, meetingId);
                ps.setString(2, participantId);
                ps.setObject(3, Timestamps.toDb(clock.instant()));
                return ps.executeUpdate() == 1;
            }
        });
    }

    private static void markClaimed(Connection c, UUID meetingId, String participantId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE seats SET claim_by = NULL, holders = '{}' WHERE meeting_id = ? AND participant_id = ? AND claim_by IS NOT NULL")) {
            ps.setObject(1, meetingId);
            ps.setString(2, participantId);
            ps.executeUpdate();
        }
    }

    /** Locks the meeting's guard row, creating it the first time a seat of the meeting is taken. */
    private static void lockMeeting(Connection c, UUID meetingId) throws SQLException {
        for (int attempt = 0; attempt < LOCK_ATTEMPTS; attempt++) {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM seat_guards WHERE meeting_id = ? FOR UPDATE")) {
                ps.setObject(1, meetingId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return;
                    }
                }
            }
            // Concurrent first reservations: one inserts, the others wait for it and do nothing;
            // then all of them queue on the row lock above.
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO seat_guards (meeting_id) VALUES (?) ON CONFLICT (meeting_id) DO NOTHING")) {
                ps.setObject(1, meetingId);
                ps.executeUpdate();
            }
        }
        throw new SQLException("could not lock seat guard of meeting " + meetingId + " after " + LOCK_ATTEMPTS + " attempts");
    }

    @Override
    public boolean release(UUID meetingId, String participantId) {
        return db.call("release seat", c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM seats WHERE meeting_id = ? AND participant_id = ?")) {
                ps.setObject(1, meetingId);
                ps.setString(2, participantId);
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public boolean holds(UUID meetingId, String participantId) {
        return db.call("check seat", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT 1 FROM seats WHERE meeting_id = ? AND participant_id = ? AND (claim_by IS NULL OR claim_by > ?)")) {
                ps.setObject(1, meetingId);
                ps.setString(2, participantId);
                ps.setObject(3, Timestamps.toDb(clock.instant()));
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    @Override
    public int occupancy(UUID meetingId) {
        return db.call("count seats", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT count(*) FROM seats WHERE meeting_id = ? AND (claim_by IS NULL OR claim_by > ?)")) {
                ps.setObject(1, meetingId);
                ps.setObject(2, Timestamps.toDb(clock.instant()));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        });
    }

    /**
     * Frees every seat of a meeting and forgets its guard row, for when the meeting ends.
     * Not part of {@link SeatLedger} (yet).
     *
     * @return the number of seats released
     */
    public int releaseAll(UUID meetingId) {
        return db.inTransaction("release all seats", c -> {
            lockMeeting(c, meetingId);
            int released;
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM seats WHERE meeting_id = ?")) {
                ps.setObject(1, meetingId);
                released = ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM seat_guards WHERE meeting_id = ?")) {
                ps.setObject(1, meetingId);
                ps.executeUpdate();
            }
            return released;
        });
    }
}
