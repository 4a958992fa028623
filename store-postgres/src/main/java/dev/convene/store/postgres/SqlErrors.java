package dev.convene.store.postgres;

import dev.convene.store.StoreUnavailableException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/** Turns JDBC failures into unchecked exceptions: {@link StoreUnavailableException} when the database is out of reach, {@link PostgresStoreException} otherwise. */
final class SqlErrors {

    static final String UNIQUE_VIOLATION = "23505";

    private SqlErrors() {}

    static RuntimeException translate(String operation, SQLException e) {
        if (isUnavailable(e)) {
            return new StoreUnavailableException("PostgreSQL unavailable during " + operation + ": " + e.getMessage(), e);
        }
        return new PostgresStoreException(operation + " failed: " + e.getMessage(), e);
    }

    /**
     * True when the failure says nothing about the data but about the database being out of
     * reach or overloaded, so the same call may succeed later.
     */
    static boolean isUnavailable(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException) {
                return true; // HikariCP: no connection within connectionTimeout
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                if (state.startsWith("08") // connection exception
                        || state.startsWith("53") // insufficient resources (too many connections, ...)
                        || state.startsWith("57P") // admin/crash shutdown, cannot connect now
                        || state.equals("57014") // statement_timeout
                        || state.equals("55P03")) { // lock_timeout
                    return true;
                }
            }
        }
        return false;
    }
}
