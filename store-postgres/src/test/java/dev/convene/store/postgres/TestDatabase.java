package dev.convene.store.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * One embedded PostgreSQL per test JVM (starting one takes seconds), and one shared set of
 * stores over it; both stop when the JVM does. Tests isolate themselves by meeting id, and
 * {@link #truncate()} empties the tables for those that want a clean slate.
 */
final class TestDatabase {

    private static EmbeddedPostgres postgres;
    private static PostgresStores shared;

    private TestDatabase() {}

    static synchronized PostgresStoreConfig config() {
        if (postgres == null) {
            try {
                postgres = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException("embedded PostgreSQL did not start", e);
            }
            Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(TestDatabase::stop));
        }
        return PostgresStoreConfig.of(postgres.getJdbcUrl("postgres", "postgres"), "postgres", null);
    }

    /** The stores every contract test uses; migrated once. */
    static synchronized PostgresStores stores() {
        if (shared == null) {
            shared = PostgresStores.open(config());
        }
        return shared;
    }

    static void truncate() {
        try (Connection c = stores().dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE meetings, meeting_removed_users, participants, chat_messages, seat_guards, seats");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static synchronized void stop() {
        if (shared != null) {
            shared.close();
        }
        try {
            postgres.close();
        } catch (IOException e) {
            // the JVM is exiting; the data directory is temporary
        }
    }
}
