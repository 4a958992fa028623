package dev.convene.store.postgres;

/** A PostgreSQL store failed for a reason other than a conflict the caller caused. */
public class PostgresStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public PostgresStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
