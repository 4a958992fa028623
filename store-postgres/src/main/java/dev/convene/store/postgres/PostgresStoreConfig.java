package dev.convene.store.postgres;

import dev.convene.store.StoreUnavailableException;
import java.time.Duration;
import java.util.Objects;

/**
 * How to reach PostgreSQL and how long to wait for it.
 *
 * @param jdbcUrl           e.g. {@code jdbc:postgresql://db:5432/convene}
 * @param user              null to take it from the URL
 * @param password          null to take it from the URL (or for trust authentication)
 * @param schema            schema for the tables and Flyway's history; null for the server's default
 * @param maxPoolSize       connections per process, at least 2 (Flyway uses two); joins of one
 *                          meeting take turns on one row, so more connections buy throughput
 *                          across meetings only
 * @param connectTimeout    longest wait for a connection, from the pool or from the server: past it
 *                          a call fails with {@link StoreUnavailableException} instead of hanging
 * @param statementTimeout  longest a statement (or a lock wait) may run
 * @param chatBufferCapacity chat messages accepted but not yet written before {@code append} pushes back
 */
public record PostgresStoreConfig(
        String jdbcUrl,
        String user,
        String password,
        String schema,
        int maxPoolSize,
        Duration connectTimeout,
        Duration statementTimeout,
        int chatBufferCapacity) {

    public static final int DEFAULT_MAX_POOL_SIZE = 10;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_CHAT_BUFFER_CAPACITY = 10_000;

    public PostgresStoreConfig {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(statementTimeout, "statementTimeout");
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("not a PostgreSQL JDBC URL: " + jdbcUrl);
        }
        if (maxPoolSize < 2) {
            // Flyway holds one connection for its lock while it migrates on another.
            throw new IllegalArgumentException("maxPoolSize must be at least 2, was " + maxPoolSize);
        }
        if (connectTimeout.toMillis() < 250) {
            throw new IllegalArgumentException("connectTimeout must be at least 250 ms, was " + connectTimeout);
        }
        if (statementTimeout.toMillis() < 1) {
            throw new IllegalArgumentException("statementTimeout must be positive, was " + statementTimeout);
        }
        if (chatBufferCapacity < 1) {
            throw new IllegalArgumentException("chatBufferCapacity must be at least 1, was " + chatBufferCapacity);
        }
    }

    /** A configuration with the defaults: 10 connections, 2 s to connect, 10 s per statement. */
    public static PostgresStoreConfig of(String jdbcUrl, String user, String password) {
        return new PostgresStoreConfig(jdbcUrl, user, password, null, DEFAULT_MAX_POOL_SIZE,
                DEFAULT_CONNECT_TIMEOUT, DEFAULT_STATEMENT_TIMEOUT, DEFAULT_CHAT_BUFFER_CAPACITY);
    }

    public PostgresStoreConfig withSchema(String newSchema) {
        return new PostgresStoreConfig(jdbcUrl, user, password, newSchema, maxPoolSize, connectTimeout, statementTimeout, chatBufferCapacity);
    }

    public PostgresStoreConfig withMaxPoolSize(int size) {
        return new PostgresStoreConfig(jdbcUrl, user, password, schema, size, connectTimeout, statementTimeout, chatBufferCapacity);
    }

    public PostgresStoreConfig withConnectTimeout(Duration timeout) {
        return new PostgresStoreConfig(jdbcUrl, user, password, schema, maxPoolSize, timeout, statementTimeout, chatBufferCapacity);
    }

    public PostgresStoreConfig withStatementTimeout(Duration timeout) {
        return new PostgresStoreConfig(jdbcUrl, user, password, schema, maxPoolSize, connectTimeout, timeout, chatBufferCapacity);
    }

    public PostgresStoreConfig withChatBufferCapacity(int capacity) {
        return new PostgresStoreConfig(jdbcUrl, user, password, schema, maxPoolSize, connectTimeout, statementTimeout, capacity);
    }

    /** The URL without its query string, which may carry a password: for logs and messages. */
    public String redactedUrl() {
        int query = jdbcUrl.indexOf('?');
        return query < 0 ? jdbcUrl : jdbcUrl.substring(0, query) + "?…";
    }

    /** Never prints the password: configurations end up in logs. */
    @Override
    public String toString() {
        return "PostgresStoreConfig[jdbcUrl=" + redactedUrl() + ", user=" + user + ", password=" + (password == null ? "null" : "***")
                + ", schema=" + schema + ", maxPoolSize=" + maxPoolSize + ", connectTimeout=" + connectTimeout
                + ", statementTimeout=" + statementTimeout + ", chatBufferCapacity=" + chatBufferCapacity + "]";
    }
}
