package dev.convene.store.postgres;

import dev.convene.store.Meeting;
import dev.convene.store.MeetingStatus;
import dev.convene.store.MeetingStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;

/**
 * Meetings in the {@code meetings} table. Ownership and lifecycle are written synchronously:
 * when {@link #create} returns, every node sees the meeting.
 */
public final class PostgresMeetingStore implements MeetingStore {

    private static final String COLUMNS = "id, title, host_id, capacity, created_at, status";

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
                    "INSERT INTO meetings (id, title, host_id, capacity, created_at, status) VALUES (?, ?, ?, ?, ?, ?)")) {
                ps.setObject(1, meeting.id());
                ps.setString(2, meeting.title());
                ps.setString(3, meeting.hostId());
                ps.setInt(4, meeting.capacity());
                ps.setObject(5, Timestamps.toDb(meeting.createdAt()));
                ps.setString(6, meeting.status().name());
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

    private static Meeting read(ResultSet rs) throws SQLException {
        return new Meeting(
                rs.getObject("id", UUID.class),
                rs.getString("title"),
                rs.getString("host_id"),
                rs.getInt("capacity"),
                Timestamps.fromDb(rs.getObject("created_at", OffsetDateTime.class)),
                MeetingStatus.valueOf(rs.getString("status")));
    }
}
