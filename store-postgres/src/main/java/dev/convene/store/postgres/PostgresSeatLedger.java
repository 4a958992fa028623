package dev.convene.store.postgres;

import dev.convene.store.SeatLedger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
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
            int taken;
            boolean held;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT count(*), count(*) FILTER (WHERE participant_id = ?) FROM seats WHERE meeting_id = ?")) {
                ps.setString(1, participantId);
                ps.setObject(2, meetingId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    taken = rs.getInt(1);
                    held = rs.getInt(2) > 0;
                }
            }
            if (held) {
                return true;
            }
            if (taken >= capacity) {
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
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM seats WHERE meeting_id = ? AND participant_id = ?")) {
                ps.setObject(1, meetingId);
                ps.setString(2, participantId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    @Override
    public int occupancy(UUID meetingId) {
        return db.call("count seats", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM seats WHERE meeting_id = ?")) {
                ps.setObject(1, meetingId);
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
