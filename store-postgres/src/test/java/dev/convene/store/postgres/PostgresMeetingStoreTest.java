package dev.convene.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.convene.store.Meeting;
import dev.convene.store.MeetingStatus;
import dev.convene.store.MeetingStore;
import dev.convene.store.MeetingStoreContract;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PostgresMeetingStoreTest extends MeetingStoreContract {

    @Override
    protected MeetingStore newStore() {
        TestDatabase.truncate();
        return TestDatabase.stores().meetings();
    }

    @Test
    void aDuplicateIsAnIllegalStateAndKeepsTheFirst() {
        MeetingStore store = newStore();
        Meeting first = new Meeting(UUID.randomUUID(), "First", "US_1", 5, Instant.parse("2026-11-25T10:00:00Z"), MeetingStatus.ACTIVE);
        store.create(first);
        assertThatThrownBy(() -> store.create(new Meeting(first.id(), "Second", "US_2", 7, first.createdAt(), MeetingStatus.ACTIVE)))
                .isInstanceOf(IllegalStateException.class);
        assertThat(store.find(first.id())).contains(first);
    }

    @Test
    void endingRecordsWhenItFirstEndedAndAnEmptyConfig() throws Exception {
        MeetingStore store = newStore();
        Meeting m = new Meeting(UUID.randomUUID(), "Standup", "US_1", 10, Instant.parse("2026-11-25T10:00:00Z"), MeetingStatus.ACTIVE);
        store.create(m);
        store.end(m.id());
        Instant firstEnd = endedAt(m.id());
        store.end(m.id());
        assertThat(firstEnd).isNotNull();
        assertThat(endedAt(m.id())).isEqualTo(firstEnd);
        try (Connection c = TestDatabase.stores().dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT config::text FROM meetings WHERE id = ?")) {
            ps.setObject(1, m.id());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("{}");
            }
        }
    }

    private static Instant endedAt(UUID id) throws Exception {
        try (Connection c = TestDatabase.stores().dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT ended_at FROM meetings WHERE id = ?")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getTimestamp(1).toInstant();
            }
        }
    }
}
