package dev.convene.store.postgres;

import dev.convene.store.Participant;
import dev.convene.store.ParticipantStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Participant rows in the {@code participants} table, keyed by (meeting_id, id). */
public final class PostgresParticipantStore implements ParticipantStore {

    private static final String COLUMNS = "meeting_id, id, user_id, display_name, joined_at, left_at";

    private final Db db;

    PostgresParticipantStore(Db db) {
        this.db = db;
    }

    @Override
    public void record(Participant participant) {
        db.call("record participant", c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO participants (meeting_id, id, user_id, display_name, joined_at, left_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (meeting_id, id) DO UPDATE SET
                        user_id = excluded.user_id,
                        display_name = excluded.display_name,
                        joined_at = excluded.joined_at,
                        left_at = excluded.left_at""")) {
                ps.setObject(1, participant.meetingId());
                ps.setString(2, participant.id());
                ps.setString(3, participant.userId());
                ps.setString(4, participant.displayName());
                ps.setObject(5, Timestamps.toDb(participant.joinedAt()));
                ps.setObject(6, Timestamps.toDb(participant.leftAt()));
                ps.executeUpdate();
                return null;
            }
        });
    }

    @Override
    public boolean markLeft(UUID meetingId, String participantId, Instant at) {
        return db.call("mark participant left", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE participants SET left_at = ? WHERE meeting_id = ? AND id = ? AND left_at IS NULL")) {
                ps.setObject(1, Timestamps.toDb(at));
                ps.setObject(2, meetingId);
                ps.setString(3, participantId);
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public Optional<Participant> find(UUID meetingId, String participantId) {
        return db.call("find participant", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT " + COLUMNS + " FROM participants WHERE meeting_id = ? AND id = ?")) {
                ps.setObject(1, meetingId);
                ps.setString(2, participantId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public boolean attended(UUID meetingId, String userId) {
        return db.call("check attendance", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT 1 FROM participants WHERE meeting_id = ? AND user_id = ? LIMIT 1")) {
                ps.setObject(1, meetingId);
                ps.setString(2, userId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    @Override
    public List<Participant> present(UUID meetingId) {
        return db.call("list present participants", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM participants WHERE meeting_id = ? AND left_at IS NULL ORDER BY joined_at, id")) {
                ps.setObject(1, meetingId);
                try (ResultSet rs = ps.executeQuery()) {
                    List<Participant> present = new ArrayList<>();
                    while (rs.next()) {
                        present.add(read(rs));
                    }
                    return List.copyOf(present);
                }
            }
        });
    }

    private static Participant read(ResultSet rs) throws SQLException {
        return new Participant(
                rs.getString("id"),
                rs.getObject("meeting_id", UUID.class),
                rs.getString("user_id"),
                rs.getString("display_name"),
                Timestamps.fromDb(rs.getObject("joined_at", OffsetDateTime.class)),
                Timestamps.fromDb(rs.getObject("left_at", OffsetDateTime.class)));
    }
}
