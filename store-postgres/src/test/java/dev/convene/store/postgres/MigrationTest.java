package dev.convene.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MigrationTest {

    @Test
    void migratingTwiceAppliesNothingTheSecondTime() {
        PostgresStoreConfig config = TestDatabase.config().withSchema("migration_twice");
        try (PostgresStores first = PostgresStores.open(config)) {
            assertThat(PostgresStores.migrate(first.dataSource(), "migration_twice")).isZero();
        }
        try (PostgresStores again = PostgresStores.open(config)) {
            assertThat(PostgresStores.migrate(again.dataSource(), "migration_twice")).isZero();
            assertThat(again.seats().reserve(java.util.UUID.randomUUID(), "PA_1", 1)).isTrue();
        }
    }

    /** Citus needs the distribution column in every primary key; ours is the meeting's id. */
    @Test
    void everyTableIsKeyedByItsMeetingFirst() throws Exception {
        Map<String, String> firstKeyColumn = new LinkedHashMap<>();
        try (Connection c = TestDatabase.stores().dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("""
                        SELECT tc.table_name, kcu.column_name
                        FROM information_schema.table_constraints tc
                        JOIN information_schema.key_column_usage kcu
                          ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
                        WHERE tc.table_schema = current_schema() AND tc.constraint_type = 'PRIMARY KEY'
                          AND kcu.ordinal_position = 1 AND tc.table_name <> 'flyway_schema_history'
                        ORDER BY tc.table_name""");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                firstKeyColumn.put(rs.getString(1), rs.getString(2));
            }
        }
        assertThat(firstKeyColumn).containsExactlyInAnyOrderEntriesOf(Map.of(
                "meetings", "id",
                "participants", "meeting_id",
                "chat_messages", "meeting_id",
                "seat_guards", "meeting_id",
                "seats", "meeting_id",
                "meeting_removed_users", "meeting_id"));
    }

    @Test
    void thereAreNoForeignKeysForCitusToRefuse() throws Exception {
        try (Connection c = TestDatabase.stores().dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("""
                        SELECT count(*) FROM information_schema.table_constraints
                        WHERE table_schema = current_schema() AND constraint_type = 'FOREIGN KEY'""");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }
    }
}
