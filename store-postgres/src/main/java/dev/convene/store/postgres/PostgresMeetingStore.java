package dev.convene.store.postgres;

import dev.convene.store.Meeting;
import dev.convene.store.MeetingRules;
import dev.convene.store.MeetingStatus;
import dev.convene.store.MeetingStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;

/**
 * Meetings in the {@code meetings} table. Ownership and lifecycle are written synchronously:
 * when {@link #create} returns, every node sees the meeting.
 */
public final class PostgresMeetingStore implements MeetingStore {

    private static final String COLUMNS = "id, title, host_id, capacity, created_at, status, locked, waiting_room, self_unmute, password_hash";

    private final Db db;
    private final Clock clock;

    PostgresMeetingStore(Db db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** @throws IllegalStateException if a meeting with the same id exists */
    @Override
    public void create(Meeting meeting) {
        db.call("create meeting", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO meetings (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setObject(1, meeting.id());
                ps.setString(2, meeting.title());
                ps.setString(3, meeting.hostId());
                ps.setInt(4, meeting.capacity());
                ps.setObject(5, Timestamps.toDb(meeting.createdAt()));
                ps.setString(6, meeting.status().name());
                ps.setBoolean(7, meeting.rules().locked());
                ps.setBoolean(8, meeting.rules().waitingRoom());
                ps.setBoolean(9, meeting.rules().selfUnmute());
                ps.setString(10, meeting.rules().passwordHash());
                ps.executeUpdate();
                return null;
            } catch (SQLException e) {
                if (SqlErrors.UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    throw new IllegalStateException("meeting " + meeting.id() + " already exists", e);
                }
                throw e;
            }
        });
    }

    @Override
    public Optional<Meeting> find(UUID id) {
        return db.call("find meeting", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM meetings WHERE id = ?")) {
                ps.setObject(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.empty();
                }
            }
        });
    }

    /** Marks the meeting ended; {@code ended_at} keeps the time it first ended. */
    @Override
    public Optional<Meeting> end(UUID id) {
        return db.call("end meeting", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE meetings SET status = 'ENDED', ended_at = coalesce(ended_at, ?) WHERE id = ? RETURNING " + COLUMNS)) {
                ps.setObject(1, Timestamps.toDb(clock.instant()));
                ps.setObject(2, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public Optional<Meeting> setHost(UUID id, String hostUserId) {
        return db.call("set meeting host", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE meetings SET host_id = ? WHERE id = ? RETURNING " + COLUMNS)) {
                ps.setString(1, hostUserId);
                ps.setObject(2, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.empty();
                }
            }
        });
    }

    /** One statement: each switch not named keeps its value, whatever another host changes meanwhile. */
    @Override
    public Optional<Meeting> changeRules(UUID id, MeetingRules.RulesChange change) {
        return db.call("change meeting rules", c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE meetings SET locked = coalesce(?, locked), "
                    + "waiting_room = coalesce(?, waiting_room), self_unmute = coalesce(?, self_unmute) "
                    + "WHERE id = ? RETURNING " + COLUMNS)) {
                setBoolean(ps, 1, change.locked());
                setBoolean(ps, 2, change.waitingRoom());
                setBoolean(ps, 3, change.selfUnmute());
                ps.setObject(4, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public boolean removeUser(UUID id, String userId) {
        return db.call("remove user from meeting", c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO meeting_removed_users (meeting_id, user_id, removed_at) "
                    + "VALUES (?, ?, ?) ON CONFLICT (meeting_id, user_id) DO NOTHING")) {
                ps.setObject(1, id);
                ps.setString(2, userId);
                ps.setObject(3, Timestamps.toDb(clock.instant()));
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public boolean isRemoved(UUID id, String userId) {
        return db.call("is user removed", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT 1 FROM meeting_removed_users WHERE meeting_id = ? AND user_id = ?")) {
                ps.setObject(1, id);
                ps.setString(2, userId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    private static void setBoolean(PreparedStatement ps, int index, Boolean value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.BOOLEAN);
        } else {
            ps.setBoolean(index, value);
        }
    }

    private static Meeting read(ResultSet rs) throws SQLException {
        return new Meeting(
                rs.getObject("id", UUID.class),
                rs.getString("title"),
                rs.getString("host_id"),
                rs.getInt("capacity"),
                Timestamps.fromDb(rs.getObject("created_at", OffsetDateTime.class)),
                MeetingStatus.valueOf(rs.getString("status")),
                new MeetingRules(rs.getBoolean("locked"), rs.getBoolean("waiting_room"), rs.getBoolean("self_unmute"),
                        rs.getString("password_hash")));
    }
}
